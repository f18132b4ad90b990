import { hubIdentity } from '../hub/api.js';
import { discoverChallenge, requestRegistryToken } from '../hub/registry.js';
import type { HttpOptions } from '../hub/http.js';
import type { TestPending } from './steps.js';

/**
 * testSecret's checks of the pending value (REFERENCE 10, "testSecret"): the Hub API's
 * whose-token answer, then the registry token endpoint with push on the repository.
 * The same requests the CLI's validation makes, without docker (there is none in Lambda).
 */
export function httpChecks(signal: AbortSignal, log: (line: string) => void): TestPending {
  return async (creds, repository, config) => {
    const http = (what: string): HttpOptions => ({ signal, what, log, timeoutMs: 15_000, maxRateLimitWaitSeconds: 30 });
    const who = await hubIdentity(config.hubUrl, creds, http('the Docker Hub API'));
    const challenge = await discoverChallenge(config.registry, http('the registry'));
    const grant = await requestRegistryToken(challenge, creds, repository, http("the registry's token endpoint"), who.accessLevel);
    const push = repository ? (grant.actions.includes('push') ? `push on ${repository} granted` : `push on ${repository} not granted`) : 'no repository configured, so push was not checked';
    return `the Hub API accepts the new token of ${who.username ?? creds.username}${who.accessLevel ? ` (${who.accessLevel})` : ''}; the registry's token endpoint: ${push}`;
  };
}
