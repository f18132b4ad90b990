import type { Context } from '../context.js';
import { isCliError } from '../errors.js';
import { isolatedDockerLogin } from '../docker/login.js';
import { hubIdentity } from '../hub/api.js';
import { discoverChallenge, requestRegistryToken } from '../hub/registry.js';
import { rejected } from '../domain/hub-refusals.js';
import { type Credentials, tokenKind } from '../domain/tokens.js';
import { dockerServerFor } from '../domain/docker-hub.js';
import type { HttpOptions } from '../hub/http.js';
import { registerSecret } from '../ui/redact.js';

export interface HubReport {
  ok: true;
  dockerLogin: 'passed' | 'skipped';
  dockerLoginSkippedBecause?: string;
  tokenEndpoint: 'passed';
  push: 'granted' | 'not-checked';
  repository: string | null;
  hubUsername: string | null;
  accessLevel: string | null;
  summary: string;
}

/**
 * The three checks against Docker Hub: the Hub API first (whose token this is, and
 * its access level), so a good token of someone else is named as theirs before
 * anything else is tried; then docker's own login (isolated); then the registry
 * token endpoint (push rights, explained with that access level). The first
 * failure stops with exit 3 or 5.
 */
export async function validateAgainstHub(ctx: Context, creds: Credentials, repository: string | undefined): Promise<HubReport> {
  registerSecret(creds.token);
  const { settings, out } = ctx;
  const http = (what: string): HttpOptions => ({ signal: ctx.signal, what, log: (l) => out.debug(l), fetch: ctx.fetch });
  const server = dockerServerFor(settings.registry);
  const oat = tokenKind(creds.token) === 'oat';
  const whose = (name: string) => (oat ? `the organization ${name}` : name);

  // Each step names the host it talks to while it runs; this line keeps them on screen.
  const registryHost = new URL(settings.registry).host;
  const hubHost = new URL(settings.hubUrl).host;
  out.info(`  Hosts: registry ${registryHost}, Docker Hub API ${hubHost}`);
  const whoseToken = () => hubIdentity(settings.hubUrl, creds, http('the Docker Hub API')).catch(async (e: unknown) => {
    throw await expiredAtRegistry(ctx, e, creds, http);
  });
  const identity = await out.track(`Docker Hub API at ${hubHost}: whose token is this`, whoseToken, {
    done: (id) =>
      id.username
        ? `Docker Hub confirms the token belongs to ${whose(id.username)}${id.accessLevel ? ` (${id.accessLevel})` : ''}`
        : `Docker Hub accepts the token for ${whose(creds.username)}${id.accessLevel ? ` (${id.accessLevel})` : ''}`,
    failed: `Docker Hub API at ${hubHost}: whose token is this: failed`,
  });

  // The registry's challenge before docker or this tool sends the token: its realm must pass the https rule.
  const challenge = await discoverChallenge(settings.registry, { ...http('the registry'), warn: (l) => out.warn(l) });

  const loginText = `docker login to ${registryHost} as ${creds.username} (isolated config)`;
  const login = await out
    .track(loginText, () => isolatedDockerLogin(creds, server, { signal: ctx.signal, env: ctx.env, log: (l) => out.debug(l), run: ctx.docker }), {
      done: () => `docker login as ${creds.username} succeeded; logged out again`,
      skipped: (r) => (r.ran ? undefined : `docker login skipped: ${r.reason}`),
      failed: `${loginText}: failed`,
    })
    .catch(async (e: unknown) => {
      throw await explainRejection(ctx, e, creds, http('the Docker Hub API'));
    });
  if (!login.ran) out.warn(`Without a docker CLI, validation relies on the registry and Hub API checks only.`);

  const grantText = repository ? `Registry token for ${repository} (pull,push) from ${registryHost}` : `Registry token endpoint of ${registryHost}`;
  const grant = await out.track(
    grantText,
    async () =>
      requestRegistryToken(challenge, creds, repository, http('the registry token endpoint'), identity.accessLevel),
    {
      done: (g) =>
        g.scheme === 'basic'
          ? 'The registry accepts the credentials (Basic authentication)'
          : repository
            ? `Registry grants push to ${repository}`
            : 'Registry token endpoint accepts the credentials',
      failed: `${grantText}: failed`,
    },
  );
  if (grant.scheme === 'basic' && repository) out.warn(`The registry offers only Basic authentication, so push rights to ${repository} could not be checked.`);

  const pushed = Boolean(repository && grant.actions.includes('push'));
  const parts = [
    login.ran ? 'docker login ok' : 'docker login skipped',
    'token endpoint ok',
    pushed ? `push to ${repository} granted` : undefined,
    identity.accessLevel ? `access ${identity.accessLevel}` : undefined,
    oat ? 'organization access token' : undefined,
  ].filter(Boolean);
  return {
    ok: true,
    dockerLogin: login.ran ? 'passed' : 'skipped',
    dockerLoginSkippedBecause: login.ran ? undefined : login.reason,
    tokenEndpoint: 'passed',
    push: pushed ? 'granted' : 'not-checked',
    repository: repository ?? null,
    hubUsername: identity.username ?? null,
    accessLevel: identity.accessLevel ?? null,
    summary: parts.join(', '),
  };
}

/**
 * docker login's "incorrect username or password" cannot tell a wrong username
 * from a bad token. Docker Hub's API may accept a PAT under any identifier and
 * name its owner (REFERENCE 2, "The /v2/auth/token identifier"): ask it once, so
 * a good token of someone else is reported as that, never as rejected. When it
 * cannot tell either, the answer says both could be wrong, the username first.
 */
async function explainRejection(ctx: Context, e: unknown, creds: Credentials, http: HttpOptions): Promise<unknown> {
  if (!isCliError(e) || e.code !== 'credentials-rejected') return e;
  const kind = tokenKind(creds.token);
  const either = rejected(creds.username, '', kind);
  if (kind !== 'pat') return either;
  ctx.out.debug('docker login was refused; asking the Docker Hub API whose token this is');
  try {
    await hubIdentity(ctx.settings.hubUrl, creds, http);
    return either;
  } catch (probe) {
    if (ctx.signal.aborted) return probe;
    return isCliError(probe) && probe.code === 'wrong-user' ? probe : either;
  }
}

/**
 * The Hub API's generic 401 cannot tell an expired token from a wrong Docker ID or a
 * revoked token, and what it answers for an expired one is unconfirmed; the registry's
 * token endpoint names expiry (REFERENCE 2, "Registry token authentication": `personal
 * access token is expired`; "OAT": `org access token is expired`). Ask it once before the
 * Docker ID is blamed. Only its "expired" replaces the Hub API's answer: an acceptance, a
 * refusal, a network error, a 5xx or a proxy's page leave the Hub API's answer as it was.
 */
async function expiredAtRegistry(ctx: Context, e: unknown, creds: Credentials, http: (what: string) => HttpOptions): Promise<unknown> {
  if (!isCliError(e) || e.code !== 'credentials-rejected') return e;
  ctx.out.debug('The Docker Hub API refused the token without a reason; asking the registry token endpoint whether it has expired');
  try {
    // A question on the side: a 429 ends it at once rather than waiting out Retry-After.
    const probe = (what: string): HttpOptions => ({ ...http(what), maxRateLimitWaitSeconds: 0, warn: (l) => ctx.out.warn(l) });
    await requestRegistryToken(await discoverChallenge(ctx.settings.registry, probe('the registry')), creds, undefined, probe('the registry token endpoint'));
  } catch (probe) {
    if (ctx.signal.aborted) return probe;
    if (isCliError(probe) && probe.code === 'token-expired') return probe;
  }
  return e;
}
