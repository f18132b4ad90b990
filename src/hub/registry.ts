import { CliError, ExitCode } from '../errors.js';
import { PAT_PAGE } from './tokens.js';
import { jwtPayload, readJson, request, type HttpOptions } from './http.js';

export interface Credentials {
  username: string;
  token: string;
}

export interface Challenge {
  realm: string;
  service?: string;
}

/** Parses `Bearer realm="...",service="..."`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params.realm ? { realm: params.realm, service: params.service } : undefined;
}

export const newPatHint = `Create a new personal access token at ${PAT_PAGE} and run the command again.`;

export function rejected(username: string, detail: string): CliError {
  if (/expired/i.test(detail)) {
    return new CliError('token-expired', `Docker Hub says the access token for ${username} has expired.`, newPatHint, ExitCode.Rejected);
  }
  return new CliError(
    'credentials-rejected',
    `Docker Hub rejected the credentials for ${username}: incorrect username or token, or the token was revoked.`,
    newPatHint,
    ExitCode.Rejected,
  );
}

export function noPush(username: string, repository: string): CliError {
  return new CliError(
    'no-push',
    `The token for ${username} is not allowed to push to ${repository}.`,
    `Create a token with Read & Write access at ${PAT_PAGE} (Read-only is enough only for pull-only CI; then leave out --repository).`,
    ExitCode.Rejected,
  );
}

/** GET /v2/ without credentials: the registry answers with where to get a token. */
export async function discoverChallenge(registry: string, http: HttpOptions): Promise<Challenge> {
  const res = await request(new URL('/v2/', registry).toString(), {}, http);
  await res.body?.cancel();
  const challenge = parseChallenge(res.headers.get('www-authenticate'));
  if (res.status !== 401 || !challenge) {
    throw new CliError(
      'registry-protocol',
      `${registry} did not answer /v2/ with a Bearer challenge (HTTP ${res.status}); it does not look like a Docker registry.`,
      'Check --registry (the default is https://registry-1.docker.io).',
      ExitCode.Transient,
    );
  }
  return challenge;
}

export interface TokenGrant {
  /** Actions granted on the repository, when one was asked for. */
  actions: string[];
}

/**
 * Exchanges the credentials at the token endpoint. With a repository, asks for
 * pull,push and reports what was granted, handling both Docker Hub's 401
 * "insufficient scopes" and the specification's 200 with fewer actions.
 */
export async function requestRegistryToken(
  challenge: Challenge,
  creds: Credentials,
  repository: string | undefined,
  http: HttpOptions,
): Promise<TokenGrant> {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  url.searchParams.set('account', creds.username);
  url.searchParams.set('client_id', 'dockerhub-credentials');
  if (repository) url.searchParams.append('scope', `repository:${repository}:pull,push`);
  const basic = Buffer.from(`${creds.username}:${creds.token}`).toString('base64');
  const res = await request(url.toString(), { headers: { authorization: `Basic ${basic}` } }, http);
  const body = await readJson(res);
  const detail = String(body.details ?? body.detail ?? body.message ?? '');
  if (res.status === 401 || res.status === 403) {
    if (repository && /insufficient scope/i.test(detail)) throw noPush(creds.username, repository);
    throw rejected(creds.username, detail);
  }
  if (res.status !== 200) {
    throw new CliError(
      'registry-error',
      `The registry's token endpoint answered HTTP ${res.status}.`,
      'Try again in a moment.',
      ExitCode.Transient,
    );
  }
  const payload = jwtPayload(body.token ?? body.access_token);
  const access = Array.isArray(payload?.access) ? (payload.access as { type?: string; name?: string; actions?: string[] }[]) : [];
  const entry = access.find((a) => a.type === 'repository' && a.name === repository);
  const actions = entry?.actions ?? [];
  if (repository && !actions.includes('push')) throw noPush(creds.username, repository);
  return { actions };
}
