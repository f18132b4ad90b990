// The Docker Hub client against the stand-in alone: the checks that the real
// docker CLI would otherwise catch first in setup tests.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePat, startHubStandin } from '../support/hub-standin.mjs';
import { hubIdentity } from '../../src/hub/api.js';
import { discoverChallenge, requestRegistryToken } from '../../src/hub/registry.js';

describe('Docker Hub client against the stand-in', () => {
  const alice = makePat();
  const bob = makePat();
  let hub: Awaited<ReturnType<typeof startHubStandin>>;
  const http = { signal: new AbortController().signal, what: 'the stand-in', sleep: async () => undefined };

  beforeEach(() => hub.reset());
  beforeAll(async () => {
    hub = await startHubStandin({
      accounts: [
        { username: 'alice1', secret: alice, kind: 'pat', level: 'read', state: 'ok' },
        { username: 'bobby2', secret: bob, kind: 'pat', level: 'write', state: 'ok' },
      ],
    });
  });
  afterAll(async () => hub?.stop());

  it("names the real owner when a PAT is typed with someone else's username and Hub accepts any identifier", async () => {
    hub.switches.identifier = 'any';
    await expect(hubIdentity(hub.url, { username: 'alice1', token: bob }, http)).rejects.toMatchObject({
      code: 'wrong-user',
      exitCode: 3,
      message: 'The token is valid, but it belongs to Docker ID bobby2, not alice1.',
    });
    await expect(hubIdentity(hub.url, { username: 'bobby2', token: bob }, http)).resolves.toEqual({ username: 'bobby2', accessLevel: 'Read & Write' });
  });

  it('says either the Docker ID or the token is wrong, Docker ID first, when Hub answers a mismatched identifier with 401', async () => {
    hub.switches.identifier = 'strict';
    const e = await hubIdentity(hub.url, { username: 'alice1', token: bob }, http).catch((x) => x);
    expect(e).toMatchObject({ code: 'credentials-rejected', exitCode: 3 });
    expect(e.message).toBe('Docker Hub rejected the credentials for alice1: either alice1 is not the Docker ID the token belongs to, or the token is wrong or was revoked.');
    expect(e.hint).toMatch(/^Check the Docker ID first/);
  });

  it('reads push rights from a 200 that grants fewer actions (the specification behaviour)', async () => {
    hub.switches.insufficientScopes = '200';
    const challenge = await discoverChallenge(hub.url, http);
    await expect(requestRegistryToken(challenge, { username: 'alice1', token: alice }, 'alice1/app', http)).rejects.toMatchObject({ code: 'no-push' });
    await expect(requestRegistryToken(challenge, { username: 'bobby2', token: bob }, 'bobby2/app', http)).resolves.toEqual({ actions: ['pull', 'push'], scheme: 'bearer' });
  });

  it('issues no refresh_token by default, even for offline_token=true (only behind a switch)', async () => {
    const ask = async () => {
      const url = `${hub.url}/token?service=registry.standin.test&account=bobby2&client_id=docker&offline_token=true`;
      const res = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`bobby2:${bob}`).toString('base64')}` } });
      return (await res.json()) as Record<string, unknown>;
    };
    const plain = await ask();
    expect(plain.access_token).toEqual(plain.token);
    expect(plain).not.toHaveProperty('refresh_token');
    hub.switches.refreshToken = true;
    expect(await ask()).toHaveProperty('refresh_token');
  });

  it('retries a 429 after Retry-After, within its budget', async () => {
    hub.switches.rateLimit = { count: 2, retryAfter: 1 };
    const before = hub.requests.length;
    await expect(hubIdentity(hub.url, { username: 'bobby2', token: bob }, http)).resolves.toMatchObject({ username: 'bobby2' });
    expect(hub.requests.length - before).toBe(3);
  });
});
