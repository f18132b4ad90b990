// A stand-in for the AWS SSO portal (IAM Identity Center's "portal" API, the one
// the SDK's SSO credential provider calls), on 127.0.0.1; point
// AWS_ENDPOINT_URL_SSO at it (REFERENCE section 3, "AWS SDK for JavaScript v3").
// It models GetRoleCredentials only, as the real service answers it:
// - GET /federation/credentials?account_id=A&role_name=R with the cached SSO
//   access token in the x-amz-sso_bearer_token header;
// - a session the portal knows: 200 {"roleCredentials": {accessKeyId,
//   secretAccessKey, sessionToken, expiration (epoch milliseconds)}};
// - a token the portal has revoked or never issued (the user signed out, an
//   administrator ended the session): 401 UnauthorizedException, "Session token
//   not found or invalid" (REFERENCE section 3; aws-cdk#32510). The SDK wraps it
//   in a CredentialsProviderError whose text does not say "SSO".
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

/** @param {{ sessions?: string[] }} [options] access tokens the portal accepts */
export async function startSsoPortal(options = {}) {
  const sessions = new Set(options.sessions ?? []);
  /** Calls received: { path, accountId, roleName, known } (never the token). */
  const calls = [];
  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://portal');
    const token = req.headers['x-amz-sso_bearer_token'];
    const known = typeof token === 'string' && sessions.has(token);
    calls.push({ path: url.pathname, accountId: url.searchParams.get('account_id'), roleName: url.searchParams.get('role_name'), known });
    if (req.method !== 'GET' || url.pathname !== '/federation/credentials') {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      return res.end(JSON.stringify({ message: 'Not Found' }));
    }
    if (!known) {
      // The portal's error type carries a namespace suffix after ":"; the SDK keeps the part before it.
      res.writeHead(401, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/' });
      return res.end(JSON.stringify({ message: 'Session token not found or invalid' }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        roleCredentials: {
          accessKeyId: 'ASIASSOSTANDIN',
          secretAccessKey: randomUUID(),
          sessionToken: randomUUID(),
          expiration: Date.now() + 3600_000,
        },
      }),
    );
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** Makes the portal accept (or, revoked, refuse) this access token. */
    accept: (token) => sessions.add(token),
    revoke: (token) => sessions.delete(token),
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
