import { CliError, ExitCode } from '../errors.js';
import { accessLevel, tokenKind, type Credentials } from '../domain/tokens.js';
import { jwtPayload, readJson, request, type HttpOptions } from './http.js';
import { rejected } from '../domain/hub-refusals.js';
import { HUB_CLAIM } from '../domain/docker-hub.js';
import { wrongOwner } from './registry.js';

export interface HubIdentity {
  /** The username (or organization, for an OAT) Docker Hub's claim names, when it names one. */
  username: string | undefined;
  accessLevel: string | undefined;
}

/**
 * POST /v2/auth/token: whose token this is. The identifier must be the username
 * (PAT, password) or the organization (OAT). Whether Hub also accepts a PAT under
 * another identifier is unconfirmed (REFERENCE 2), so both answers are handled:
 * a 200 whose claim names someone else is a good token of that owner, and a 401
 * cannot tell a wrong username from a bad token.
 */
export async function hubIdentity(hubUrl: string, creds: Credentials, http: HttpOptions): Promise<HubIdentity> {
  const res = await request(
    new URL('/v2/auth/token', hubUrl).toString(),
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: creds.username, secret: creds.token }),
    },
    { ...http, account: creds.username },
  );
  const body = await readJson(res);
  const said = body.detail ?? body.details ?? body.message ?? body.errinfo;
  if ((res.status === 401 || res.status === 403) && said === undefined) {
    // A 401/403 without Docker Hub's JSON (a proxy's or firewall's page) says nothing about the token.
    throw new CliError(
      'hub-refused',
      `Something between here and ${new URL(hubUrl).host} refused the request (HTTP ${res.status}, not Docker Hub's own answer).`,
      'Check your proxy or firewall (HTTPS_PROXY, NO_PROXY), then try again.',
      ExitCode.Transient,
    );
  }
  if (res.status === 401 || res.status === 403) {
    throw rejected(creds.username, String(said), tokenKind(creds.token));
  }
  if (res.status !== 200) {
    throw new CliError('hub-error', `The Docker Hub API answered HTTP ${res.status}.`, 'Try again in a moment.', ExitCode.Transient);
  }
  const payload = jwtPayload(body.access_token);
  const claim = payload?.[HUB_CLAIM] as { username?: unknown } | undefined;
  const owner = typeof claim?.username === 'string' && claim.username ? claim.username : undefined;
  if (owner && owner.toLowerCase() !== creds.username.toLowerCase()) throw wrongOwner(creds, owner);
  return { username: owner, accessLevel: accessLevel(payload?.scope) };
}
