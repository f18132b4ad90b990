import { CliError, ExitCode } from '../errors.js';
import { tokenMayTravelTo, unmappedHost } from '../config.js';
import { DEFAULT_REGISTRY, HUB_REALM, OAT_PLACE, PAT_PAGE } from '../domain/docker-hub.js';
import { tokenKind, type Credentials } from '../domain/tokens.js';
import { rejected } from '../domain/hub-refusals.js';
import { jwtPayload, readJson, request, type HttpOptions } from './http.js';

const CHECK_REGISTRY = `Check --registry (the default is ${DEFAULT_REGISTRY}).`;

/** One challenge of a WWW-Authenticate header: its scheme (lowercase) and parameters (keys lowercase). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/;

/**
 * Parses every challenge of a WWW-Authenticate value (RFC 7235): several
 * challenges, Basic as well as Bearer, comma-separated. fetch joins several
 * headers with ", ", so this also reads challenges spread over several headers
 * (REFERENCE 2, "Challenges"; docker's authchallenge.go reads one per header).
 */
export function parseChallenges(header: string | null): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let s = header ?? '';
  let current: AuthChallenge | undefined;
  for (;;) {
    s = s.replace(/^[\s,]+/, '');
    const word = TOKEN.exec(s)?.[0];
    if (!word) break;
    s = s.slice(word.length);
    const rest = s.replace(/^\s+/, '');
    if (rest.startsWith('=') && current) {
      s = rest.slice(1).replace(/^\s+/, '');
      let value = '';
      if (s.startsWith('"')) {
        let i = 1;
        for (; i < s.length && s[i] !== '"'; i++) value += s[i] === '\\' ? s[++i] ?? '' : s[i];
        s = s.slice(i + 1);
      } else {
        value = TOKEN.exec(s)?.[0] ?? '';
        s = s.slice(value.length);
      }
      current.params[word.toLowerCase()] = value;
      continue;
    }
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
    s = rest;
    const token68 = TOKEN68.exec(s)?.[0];
    if (token68) s = s.slice(token68.length);
  }
  return out;
}

/** How the registry wants credentials: a Bearer token from a realm (Docker Hub), or plain Basic. */
export interface Challenge {
  scheme: 'bearer' | 'basic';
  realm: string;
  service?: string;
  /** The registry that challenged, for Basic checks against /v2/. */
  registry?: string;
}

/** The challenge to use: Bearer when offered (push rights can only be asked for there), else Basic. */
export function parseChallenge(header: string | null): Challenge | undefined {
  const all = parseChallenges(header);
  const bearer = all.find((c) => c.scheme === 'bearer' && c.params.realm);
  if (bearer) return { scheme: 'bearer', realm: bearer.params.realm!, service: bearer.params.service };
  const basic = all.find((c) => c.scheme === 'basic');
  return basic ? { scheme: 'basic', realm: basic.params.realm ?? '' } : undefined;
}

/** The owner named by a `wrong-user` error, for the wizard's "use alice?" (undefined for any other error). */
export const ownerOf = (e: unknown): string | undefined => (e as { owner?: string } | null)?.owner;

/** The token is good, but it is someone else's: say whose, never "rejected" (REFERENCE 2, identifier). */
export function wrongOwner(creds: Credentials, owner: string): CliError {
  return Object.assign(wrongOwnerError(creds, owner), { owner });
}

function wrongOwnerError(creds: Credentials, owner: string): CliError {
  if (tokenKind(creds.token) === 'oat') {
    return new CliError(
      'wrong-user',
      `The organization access token is valid, but it belongs to the organization ${owner}, not ${creds.username}.`,
      `Use --username ${owner}: an organization access token logs in with its organization's name.`,
      ExitCode.Rejected,
    );
  }
  return new CliError(
    'wrong-user',
    `The token is valid, but it belongs to Docker ID ${owner}, not ${creds.username}.`,
    `Use --username ${owner} if ${owner}'s token is the one CI should use; otherwise use a token created by ${creds.username}.`,
    ExitCode.Rejected,
  );
}

/**
 * Why push was not granted. `scope`: Hub's 401 "insufficient scopes", which is
 * about the token's own access level; `not-granted`: a 200 without push, which
 * for a Read & Write token means no permission on the namespace (REFERENCE 2,
 * "No permission on a namespace"). `accessLevel` comes from the Hub API.
 */
export function noPush(creds: Credentials, repository: string, cause: 'scope' | 'not-granted', accessLevel?: string): CliError {
  const { username } = creds;
  const namespace = repository.split('/')[0]!;
  if (tokenKind(creds.token) === 'oat') {
    return new CliError(
      'no-push',
      `The organization access token of ${username} does not grant push on ${repository}.`,
      `An organization access token pushes only to the repositories it lists with the push scope: add ${repository} with Pull and Push to it (${OAT_PLACE}), or create one that lists it.`,
      ExitCode.Rejected,
    );
  }
  // The access level, when the Hub API named it, decides; otherwise Hub's 401 points to the level.
  const levelPushes = accessLevel !== undefined && /write/i.test(accessLevel);
  const levelLacksPush = accessLevel !== undefined && !levelPushes;
  if (levelLacksPush || (cause === 'scope' && !levelPushes)) {
    return new CliError(
      'no-push',
      `The token for ${username} is not allowed to push to ${repository}: its access level${accessLevel ? ` (${accessLevel})` : ''} does not include push.`,
      `Create a token with Read & Write access at ${PAT_PAGE} (Read-only is enough only for pull-only CI; then give no repository, which skips the push check).`,
      ExitCode.Rejected,
    );
  }
  const memberHint = `Check the namespace in --repository for a typo; if it is right, ask an owner of ${namespace} to add ${username} to a team with Read & Write access to ${repository}.`;
  if (levelPushes) {
    return new CliError(
      'no-push-namespace',
      `${username} has no permission to push to the namespace ${namespace}: Docker Hub granted the ${accessLevel} token only pull on ${repository} (not a member, not in a team with write access, or a misspelt namespace).`,
      `${memberHint} The token itself is fine.`,
      ExitCode.Rejected,
    );
  }
  return new CliError(
    'no-push',
    `Docker Hub granted ${username} only pull on ${repository}: either the token's access level lacks push, or ${username} has no permission to push to the namespace ${namespace}.`,
    `${memberHint} If the token is Read-only, create one with Read & Write access at ${PAT_PAGE}.`,
    ExitCode.Rejected,
  );
}

/** GET /v2/ without credentials: the answer's status and challenge; a Bearer realm is held to checkRealm. */
async function askChallenge(registry: string, http: HttpOptions): Promise<{ status: number; challenge?: Challenge }> {
  const res = await request(new URL('/v2/', registry).toString(), {}, http);
  await res.body?.cancel();
  const challenge = parseChallenge(res.headers.get('www-authenticate'));
  if (res.status === 401 && challenge?.scheme === 'bearer') checkRealm(challenge.realm, registry, http.warn);
  return { status: res.status, challenge };
}

/** GET /v2/ without credentials: the registry answers with where to get a token, checked by checkRealm. */
export async function discoverChallenge(registry: string, http: HttpOptions): Promise<Challenge> {
  const { status, challenge } = await askChallenge(registry, http);
  if (status !== 401 || !challenge) {
    throw new CliError(
      'registry-protocol',
      `${registry} did not answer /v2/ with an authentication challenge (HTTP ${status}); it does not look like a Docker registry.`,
      CHECK_REGISTRY,
      ExitCode.Transient,
    );
  }
  return { ...challenge, registry };
}

/**
 * The realm rule before docker is sent to `registry` (login): the token realm its
 * /v2/ announces must pass checkRealm (insecure-realm otherwise). A registry that
 * announces no Bearer realm is left to docker, which then sends the login to the
 * registry itself, the URL the user gave.
 */
export async function checkAnnouncedRealm(registry: string, http: HttpOptions): Promise<void> {
  await askChallenge(registry, http);
}

/**
 * The realm is where the token goes next, named by the registry, not the user: it is
 * held to the rule of a user-given URL (https://, http:// only to this machine,
 * IPv4-mapped IPv6 read as its IPv4 address), may not drop https:// for http://, and
 * carries no credentials. Checked before docker or this tool sends anything there.
 * A realm on another host than the registry is allowed, with a warning naming it.
 */
export function checkRealm(realm: string, registry: string, warn?: (line: string) => void): void {
  const from = new URL(registry);
  let to: URL;
  try {
    to = new URL(realm);
  } catch {
    throw new CliError('registry-protocol', `${from.host} names a token realm that is not a URL, so the token was not sent.`, CHECK_REGISTRY, ExitCode.Transient);
  }
  const downgrade = from.protocol === 'https:' && to.protocol !== 'https:';
  if (!tokenMayTravelTo(to) || downgrade || to.username || to.password) {
    const why = to.username || to.password ? 'a URL with credentials in it' : downgrade ? `${to.protocol}// although the registry itself is https://` : `${to.protocol}// to another machine`;
    throw new CliError(
      'insecure-realm',
      `The registry ${from.host} asks for the login at ${to.host} over ${why}, so the token was not sent.`,
      `The token travels only over https:// (http:// only to this machine): use a registry whose token realm is https://, and check --registry (the default is ${DEFAULT_REGISTRY}).`,
      ExitCode.Transient,
    );
  }
  const realmHost = unmappedHost(to.hostname);
  const registryHost = unmappedHost(from.hostname);
  const hubPair = HUB_REALM.registries.includes(registryHost) && realmHost === HUB_REALM.realm;
  if (realmHost !== registryHost && !hubPair) warn?.(`The registry ${from.host} sends the login to another host, ${to.host} (its token realm).`);
}

export interface TokenGrant {
  /** Actions granted on the repository, when one was asked for. */
  actions: string[];
  /** A Basic-only registry cannot be asked for push rights. */
  scheme: 'bearer' | 'basic';
}

const detailOf = (body: Record<string, unknown>) => {
  const errors = Array.isArray(body.errors) ? (body.errors as { message?: unknown }[]) : [];
  return String(body.details ?? body.detail ?? body.message ?? errors[0]?.message ?? '');
};

/**
 * Exchanges the credentials at the token endpoint. With a repository, asks for
 * pull,push and reports what was granted, handling both Docker Hub's 401
 * "insufficient scopes" and the specification's 200 with fewer actions.
 * `accessLevel` (from the Hub API) tells the two causes of a missing push apart.
 */
export async function requestRegistryToken(
  challenge: Challenge,
  creds: Credentials,
  repository: string | undefined,
  http: HttpOptions,
  accessLevel?: string,
): Promise<TokenGrant> {
  const kind = tokenKind(creds.token);
  const basic = Buffer.from(`${creds.username}:${creds.token}`).toString('base64');
  const options = { ...http, account: creds.username };
  if (challenge.scheme === 'basic') {
    const res = await request(new URL('/v2/', challenge.registry).toString(), { headers: { authorization: `Basic ${basic}` } }, options);
    const body = await readJson(res);
    if (res.status === 401 || res.status === 403) throw rejected(creds.username, detailOf(body), kind);
    if (res.status !== 200) throw registryError(res.status);
    return { actions: [], scheme: 'basic' };
  }
  checkRealm(challenge.realm, challenge.registry ?? challenge.realm);
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  url.searchParams.set('account', creds.username);
  url.searchParams.set('client_id', 'dockerhub-credentials');
  if (repository) url.searchParams.append('scope', `repository:${repository}:pull,push`);
  const res = await request(url.toString(), { headers: { authorization: `Basic ${basic}` } }, options);
  const body = await readJson(res);
  const detail = detailOf(body);
  if (res.status === 401 || res.status === 403) {
    if (repository && /insufficient scope/i.test(detail)) throw noPush(creds, repository, 'scope', accessLevel);
    throw rejected(creds.username, detail, kind);
  }
  if (res.status !== 200) throw registryError(res.status);
  // docker prefers access_token when both are present (REFERENCE 2, "Challenges").
  const payload = jwtPayload(body.access_token ?? body.token);
  const access = Array.isArray(payload?.access) ? (payload.access as { type?: string; name?: string; actions?: string[] }[]) : [];
  const entry = access.find((a) => a.type === 'repository' && a.name === repository);
  const actions = entry?.actions ?? [];
  if (repository && !actions.includes('push')) throw noPush(creds, repository, 'not-granted', accessLevel);
  return { actions, scheme: 'bearer' };
}

const registryError = (status: number) =>
  new CliError('registry-error', `The registry's token endpoint answered HTTP ${status}.`, 'Try again in a moment.', ExitCode.Transient);
