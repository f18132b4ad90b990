// Docker Hub's protocol details that the stand-in alone cannot vary enough:
// WWW-Authenticate grammar, Retry-After forms, and the sentences for Hub's answers.
import { describe, expect, it } from 'vitest';
import { noPush, parseChallenge, parseChallenges, wrongOwner } from '../../src/hub/registry.js';
import { rejected, loginLockout } from '../../src/domain/hub-refusals.js';
import { retryAfterSeconds } from '../../src/hub/http.js';

const PAT = 'dckr_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAA';
const OAT = 'dckr_oat_AAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('WWW-Authenticate', () => {
  it('reads several challenges in one header, Basic and Bearer, with quoted commas and escapes', () => {
    const header = 'Basic realm="Registry, with a comma", Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull", error="invalid_token"';
    expect(parseChallenges(header)).toEqual([
      { scheme: 'basic', params: { realm: 'Registry, with a comma' } },
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull', error: 'invalid_token' } },
    ]);
    expect(parseChallenges('Bearer realm="a\\"b"')).toEqual([{ scheme: 'bearer', params: { realm: 'a"b' } }]);
  });
  it('reads challenges from several headers, as fetch joins them (", ")', () => {
    const joined = new Headers([
      ['www-authenticate', 'Basic realm="r"'],
      ['www-authenticate', 'Bearer realm="https://auth.example/token",service="reg"'],
    ]).get('www-authenticate');
    expect(parseChallenge(joined)).toEqual({ scheme: 'bearer', realm: 'https://auth.example/token', service: 'reg' });
  });
  it('skips token68 challenges and unquoted values, and prefers Bearer whatever the order', () => {
    expect(parseChallenges('Negotiate abc+/def==, Bearer realm=x, Basic')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'bearer', params: { realm: 'x' } },
      { scheme: 'basic', params: {} },
    ]);
    expect(parseChallenge('Bearer service="x"')).toBeUndefined(); // no realm, no Basic: nothing to use
    expect(parseChallenge('BASIC REALM="r"')).toEqual({ scheme: 'basic', realm: 'r' });
    expect(parseChallenges('')).toEqual([]);
  });
});

describe('Retry-After', () => {
  it('never reads a Unix time as seconds', () => {
    const now = Date.UTC(2026, 10, 24, 8, 0, 0);
    expect(retryAfterSeconds(String(now / 1000 + 90), now)).toBe(90);
    expect(retryAfterSeconds('30', now)).toBe(30);
  });
});

describe("sentences for Docker Hub's answers", () => {
  it('a lockout is transient and never says to create a token', () => {
    for (const e of [loginLockout('alice1'), rejected('alice1', 'toomanyrequests: too many failed login attempts for username or IP address')]) {
      expect(e).toMatchObject({ code: 'login-locked', exitCode: 5 });
      expect(`${e.message} ${e.hint}`).toMatch(/15 minutes/);
      expect(`${e.message} ${e.hint}`).not.toMatch(/create|new token/i);
    }
  });
  it('a 2FA account password gets its own sentence: create a PAT', () => {
    const e = rejected('dave4', 'unauthorized: please use personal access token to login');
    expect(e).toMatchObject({ code: 'password-2fa', exitCode: 3 });
    expect(e.message).toContain('two-factor authentication');
    expect(e.hint).toContain('https://app.docker.com/settings/personal-access-tokens');
  });
  it('an expired OAT names the organization and where OATs are made', () => {
    const e = rejected('acmeorg', 'unauthorized: org access token is expired', 'oat');
    expect(e.message).toBe('Docker Hub says the organization access token of acmeorg has expired.');
    expect(e.hint).toContain('Admin Console > Access tokens');
    expect(e.hint).not.toContain('personal-access-tokens');
  });
  it('an ambiguous refusal puts the username first, in the words of the token kind', () => {
    expect(rejected('alice1', 'incorrect username or password').message).toMatch(/^Docker Hub rejected the credentials for alice1: either alice1 is not the Docker ID/);
    expect(rejected('acmeorg', 'incorrect username or password', 'oat').message).toMatch(/either acmeorg is not the organization that owns the token/);
  });
  it("someone else's good token is never called rejected or revoked", () => {
    for (const e of [wrongOwner({ username: 'alice1', token: PAT }, 'bobby2'), wrongOwner({ username: 'otherorg', token: OAT }, 'acmeorg')]) {
      expect(e.code).toBe('wrong-user');
      expect(`${e.message} ${e.hint}`).not.toMatch(/rejected|revoked/i);
    }
    expect(wrongOwner({ username: 'otherorg', token: OAT }, 'acmeorg').message).toContain('belongs to the organization acmeorg, not otherorg');
  });
  it('no push: access level, namespace, or either, and the OAT wording', () => {
    const alice = { username: 'alice1', token: PAT };
    expect(noPush(alice, 'alice1/app', 'scope', 'Read-only').hint).toContain('Read & Write');
    expect(noPush(alice, 'alice1/app', 'not-granted', 'Public Repo Read-only').code).toBe('no-push');
    const ns = noPush(alice, 'otherorg/app', 'not-granted', 'Read & Write');
    expect(ns.code).toBe('no-push-namespace');
    expect(ns.message).toContain('namespace otherorg');
    expect(ns.hint).not.toMatch(/create a token/i);
    // Should Hub answer the namespace case with 401 "insufficient scopes" too, the Read & Write level still decides.
    expect(noPush(alice, 'otherorg/app', 'scope', 'Read & Write').code).toBe('no-push-namespace');
    expect(noPush(alice, 'otherorg/app', 'not-granted', undefined).message).toMatch(/either the token's access level lacks push, or alice1 has no permission to push to the namespace otherorg/);
    expect(noPush({ username: 'acmeorg', token: OAT }, 'acmeorg/web', 'scope').message).toBe('The organization access token of acmeorg does not grant push on acmeorg/web.');
  });
});
