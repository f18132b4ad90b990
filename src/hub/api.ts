import { CliError, ExitCode } from '../errors.js';
import { accessLevel, tokenKind } from './tokens.js';
import { jwtPayload, readJson, request, type HttpOptions } from './http.js';
import { rejected, type Credentials } from './registry.js';

export interface HubIdentity {
  username: string | undefined;
  accessLevel: string | undefined;
}

/**
 * POST /v2/auth/token. Docker Hub accepts a valid PAT with any identifier, so
 * the username claim in the answer is what proves whose token this is.
 */
export async function hubIdentity(hubUrl: string, creds: Credentials, http: HttpOptions): Promise<HubIdentity> {
  const res = await request(
    new URL('/v2/auth/token', hubUrl).toString(),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: creds.username, secret: creds.token }),
    },
    http,
  );
  const body = await readJson(res);
  if (res.status === 401 || res.status === 403) {
    throw rejected(creds.username, String(body.detail ?? body.details ?? body.message ?? ''));
  }
  if (res.status !== 200) {
    throw new CliError('hub-error', `The Docker Hub API answered HTTP ${res.status}.`, 'Try again in a moment.', ExitCode.Transient);
  }
  const payload = jwtPayload(body.access_token);
  const claim = payload?.['https://hub.docker.com'] as { username?: string } | undefined;
  const identity = { username: claim?.username, accessLevel: accessLevel(payload?.scope) };
  const typed = creds.username.toLowerCase();
  if (identity.username && identity.username.toLowerCase() !== typed && tokenKind(creds.token) !== 'oat') {
    throw new CliError(
      'wrong-user',
      `The token belongs to Docker ID ${identity.username}, not ${creds.username}.`,
      `Use --username ${identity.username}, or a token created by ${creds.username}.`,
      ExitCode.Rejected,
    );
  }
  return identity;
}
