import type { Context } from '../context.js';
import { isolatedDockerLogin } from '../docker/login.js';
import { hubIdentity } from '../hub/api.js';
import { discoverChallenge, requestRegistryToken, type Credentials } from '../hub/registry.js';
import { dockerServerFor } from '../hub/tokens.js';
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
 * The three checks against Docker Hub, in the order a person would trust them:
 * docker's own login (isolated), the registry token endpoint (push rights), and
 * the Hub API (whose token this is). The first failure stops with exit 3 or 5.
 */
export async function validateAgainstHub(ctx: Context, creds: Credentials, repository: string | undefined): Promise<HubReport> {
  registerSecret(creds.token);
  const { settings, out } = ctx;
  const http = (what: string): HttpOptions => ({ signal: ctx.signal, what, log: (l) => out.debug(l) });
  const server = dockerServerFor(settings.registry);

  const registryHost = new URL(settings.registry).host;
  const hubHost = new URL(settings.hubUrl).host;
  const loginText = `docker login to ${registryHost} as ${creds.username} (isolated config)`;
  const login = await out.track(loginText, () => isolatedDockerLogin(creds, server, { signal: ctx.signal, env: ctx.env, log: (l) => out.debug(l) }), {
    done: (r) => (r.ran ? `docker login as ${creds.username} succeeded; logged out again (at ${registryHost})` : `docker login skipped: ${r.reason}`),
    failed: `${loginText}: failed`,
  });
  if (!login.ran) out.warn(`Without a docker CLI, validation relies on the registry and Hub API checks only.`);

  const grantText = repository ? `Registry token for ${repository} (pull,push) from ${registryHost}` : `Registry token endpoint of ${registryHost}`;
  const grant = await out.track(
    grantText,
    async () => requestRegistryToken(await discoverChallenge(settings.registry, http('the registry')), creds, repository, http('the registry token endpoint')),
    {
      done: () => `${repository ? `Registry grants push to ${repository}` : 'Registry token endpoint accepts the credentials'} (at ${registryHost})`,
      failed: `${grantText}: failed`,
    },
  );

  const identity = await out.track(`Docker Hub API at ${hubHost}: whose token is this`, () => hubIdentity(settings.hubUrl, creds, http('the Docker Hub API')), {
    done: (id) => `Docker Hub confirms the token belongs to ${id.username ?? creds.username}${id.accessLevel ? ` (${id.accessLevel})` : ''} (at ${hubHost})`,
    failed: `Docker Hub API at ${hubHost}: whose token is this: failed`,
  });

  const parts = [
    login.ran ? 'docker login ok' : 'docker login skipped',
    'token endpoint ok',
    repository ? `push to ${repository} granted` : undefined,
    identity.accessLevel ? `access ${identity.accessLevel}` : undefined,
  ].filter(Boolean);
  return {
    ok: true,
    dockerLogin: login.ran ? 'passed' : 'skipped',
    dockerLoginSkippedBecause: login.ran ? undefined : login.reason,
    tokenEndpoint: 'passed',
    push: repository && grant.actions.includes('push') ? 'granted' : 'not-checked',
    repository: repository ?? null,
    hubUsername: identity.username ?? null,
    accessLevel: identity.accessLevel ?? null,
    summary: parts.join(', '),
  };
}
