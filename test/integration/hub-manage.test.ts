// The token-management client (src/hub/manage.ts) against the stand-in's
// REFERENCE 7 routes: sign-in with and without a second factor, every refusal
// of item 1 with its code and exit (none is 1), PAT and OAT creation,
// listing, deactivation seen by the registry, re-activation, deletion read
// back, the OAT cap counting deactivated tokens, the session that ends after
// 10 minutes, and every secret registered for redaction. Each unconfirmed
// answer is run both ways.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHubStandin, makePat } from '../support/hub-standin.mjs';
import { signIn, type HubClient, type SignInOptions } from '../../src/hub/manage.js';
import { containsSecret } from '../../src/ui/redact.js';
import { isCliError } from '../../src/errors.js';

type Hub = Awaited<ReturnType<typeof startHubStandin>>;
const PASSWORD = 'erin-password-7f3k2m9q';
const PASSWORD_2FA = 'frank-password-2h8d5n1x';
const CODE = '918273';
const LEGACY_PAT = '5b0f6a1e-7c3d-4e2a-9f81-6d4c2b7a9e10';

let hub: Hub;
beforeAll(async () => {
  hub = await startHubStandin({
    accounts: [
      { username: 'erin5', secret: PASSWORD, kind: 'password', level: 'admin', state: 'ok' },
      { username: 'frank6', secret: PASSWORD_2FA, kind: 'password', level: 'admin', state: 'ok', twoFactor: true, code: CODE },
      { username: 'gina7', secret: 'gina-password-9w2e4r6t', kind: 'password', level: 'admin', state: 'ok', sso: true },
      // An older PAT, from before the dckr_pat_ prefix (a bare UUID): only Docker Hub can tell it is a token.
      { username: 'erin5', secret: LEGACY_PAT, kind: 'pat', level: 'write', state: 'ok' },
    ],
    orgs: [{ name: 'zetaorg', owners: ['erin5'], cap: 10 }],
  });
});
afterAll(() => hub?.stop());
beforeEach(() => hub.reset());

const options = (o: Partial<SignInOptions> = {}): SignInOptions => ({
  hubUrl: hub.url,
  signal: new AbortController().signal,
  username: 'erin5',
  password: PASSWORD,
  timeoutMs: 5_000,
  ...o,
});

/** The refusal a promise ends with: its code and exit. */
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (isCliError(e)) return { code: e.code, exit: e.exitCode, message: e.message, hint: e.hint };
    throw e;
  }
  throw new Error('expected a refusal');
};

/** The registry's token endpoint, as docker login calls it (REFERENCE 2): the status only. */
const registryLogin = async (username: string, token: string) =>
  (await fetch(`${hub.url}/token?account=${username}&service=registry.standin.test`, { headers: { authorization: `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}` } })).status;

describe('signing in (REFERENCE 7)', () => {
  it('signs in with a password, and registers the password and the session for redaction', async () => {
    const client = await signIn(options());
    expect(client.username).toBe('erin5');
    expect(containsSecret(`x${PASSWORD}x`)).toBe(true);
    const jwt = [...hub.tokens.sessions.keys()].at(-1)!;
    expect(containsSecret(jwt)).toBe(true);

  });

  it('asks the callback for the second factor only when Docker Hub asks for it, and signs in with it', async () => {
    let asked = 0;
    await signIn(options({ twoFactorCode: async () => (asked++, CODE) }));
    expect(asked).toBe(0);
    const client = await signIn(options({ username: 'frank6', password: PASSWORD_2FA, twoFactorCode: async () => (asked++, CODE) }));
    expect(asked).toBe(1);
    expect(client.username).toBe('frank6');
    expect(hub.requests.map((r) => r.path)).toContain('/v2/users/2fa-login');
  });

  for (const wrongCode of ['generic', 'specific'] as const) {
    it(`refuses a wrong code with its own sentence (exit 3), the text being unconfirmed (${wrongCode})`, async () => {
      hub.switches.wrongCode = wrongCode;
      const r = await refusal(signIn(options({ username: 'frank6', password: PASSWORD_2FA, twoFactorCode: async () => '000000' })));
      expect(r).toMatchObject({ code: 'two-factor-rejected', exit: 3, message: 'Docker Hub refused the two-factor code for frank6.' });
    });
  }

  it('without a way to ask for the code, says so (exit 2)', async () => {
    const r = await refusal(signIn(options({ username: 'frank6', password: PASSWORD_2FA })));
    expect(r).toMatchObject({ code: 'two-factor-required', exit: 2 });
    expect(r.message).toContain('frank6 has two-factor authentication');
  });

  it('refuses a wrong password and an unknown user (exit 3), then the lockout (exit 5)', async () => {
    hub.switches.lockoutAfter = 2;
    expect(await refusal(signIn(options({ password: 'wrong-password-123' })))).toMatchObject({ code: 'password-rejected', exit: 3, message: 'Docker Hub refused the password for erin5 (incorrect username or password).' });
    expect(await refusal(signIn(options({ username: 'nobody9', password: 'wrong-password-123' })))).toMatchObject({ code: 'password-rejected', exit: 3 });
    expect(await refusal(signIn(options({ password: 'wrong-password-456' })))).toMatchObject({ code: 'password-rejected', exit: 3 });
    // Two failures: even the right password is now refused for about 15 minutes (REFERENCE 2, "Login lockout").
    const locked = await refusal(signIn(options()));
    expect(locked).toMatchObject({ code: 'login-locked', exit: 5 });
    expect(locked.message).toContain('too many failed login attempts for erin5');
    // After a password sign-in, the hint names the password too, not only "the token" (second stranger, session 3).
    expect(locked.hint).toContain('check the Docker ID, and the password for a sign-in, before the next try');
  });

  it("refuses an organization's name as the username, naming --owner", async () => {
    const r = await refusal(signIn(options({ username: 'zetaorg' })));
    expect(r).toMatchObject({ code: 'organization-sign-in', exit: 3, message: 'zetaorg is an organization: Docker Hub cannot sign in as an organization account.' });
    expect(r.hint).toContain('--owner');
  });

  for (const sso of ['spec', 'sso'] as const) {
    it(`refuses an SSO-enforced account, naming the manual path (${sso}: the text is unconfirmed)`, async () => {
      hub.switches.sso = sso;
      const r = await refusal(signIn(options({ username: 'gina7', password: 'gina-password-9w2e4r6t' })));
      expect(r).toMatchObject({ code: 'sso-enforced', exit: 3, hint: 'Create the token in Docker Hub, then run without --create.' });
    });
  }

  it('refuses a dckr_pat_/dckr_oat_ token given as the password before sending anything', async () => {
    const before = hub.requests.length;
    for (const prefix of ['dckr_pat_', 'dckr_oat_']) {
      const r = await refusal(signIn(options({ password: makePat(prefix) })));
      expect(r).toMatchObject({ code: 'pat-session', exit: 3 });
    }
    expect(hub.requests.length).toBe(before);
  });

  for (const patSession of ['issued', 'forbidden'] as const) {
    it(`maps Docker Hub's refusal of a session opened with a PAT to pat-session (${patSession} wording)`, async () => {
      hub.switches.patSession = patSession;
      // An older, unprefixed PAT signs in; the token routes then refuse the session (REFERENCE 7).
      const client = await signIn(options({ password: LEGACY_PAT }));
      const r = await refusal(client.listTokens({ kind: 'pat' }));
      expect(r).toMatchObject({ code: 'pat-session', exit: 3 });
    });
  }

  it('signs in again once when the 10-minute session has ended', async () => {
    const before = hub.requests.length;
    const client = await signIn(options());
    hub.tokens.sessions.clear();
    expect(Array.isArray(await client.listTokens({ kind: 'pat' }))).toBe(true);
    expect(hub.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v2/users/login', 'GET /v2/access-tokens', 'POST /v2/users/login', 'GET /v2/access-tokens']);
  });
});

describe('personal access tokens (REFERENCE 7)', () => {
  let client: HubClient;
  beforeEach(async () => {
    client = await signIn(options());
  });

  for (const deleteStatus of [204, 202] as const) {
    it(`creates, lists, reads, deactivates (the registry refuses it), re-activates and deletes a PAT (DELETE answers ${deleteStatus})`, async () => {
      hub.switches.deleteStatus = deleteStatus;
      const made = await client.createPat({ label: 'app-ci-2026-12', scopes: ['repo:write'], expiresAt: '2027-03-02T00:00:00Z' });
      expect(made).toMatchObject({ kind: 'pat', label: 'app-ci-2026-12', scopes: ['repo:write'], isActive: true, expiresAt: '2027-03-02T00:00:00Z', lastUsed: null });
      expect(made.token).toMatch(/^dckr_pat_/);
      expect(containsSecret(made.token)).toBe(true);
      expect(hub.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v2/access-tokens' });

      expect((await client.listTokens({ kind: 'pat' })).map((t) => t.id)).toContain(made.id);
      expect(await registryLogin('erin5', made.token)).toBe(200);
      // REFERENCE 7: the last-used date moves when the token logs in.
      expect((await client.getToken({ kind: 'pat' }, made.id)).lastUsed).toMatch(/^\d{4}-\d\d-\d\dT/);

      expect(await client.setActive({ kind: 'pat' }, made.id, false)).toMatchObject({ id: made.id, isActive: false });
      expect(await registryLogin('erin5', made.token)).toBe(401);
      expect(await client.setActive({ kind: 'pat' }, made.id, true)).toMatchObject({ isActive: true });
      expect(await registryLogin('erin5', made.token)).toBe(200);

      expect(await client.deleteToken({ kind: 'pat' }, made.id)).toBe(true);
      expect(await registryLogin('erin5', made.token)).toBe(401);
      expect(await refusal(client.getToken({ kind: 'pat' }, made.id))).toMatchObject({ code: 'hub-token-missing', exit: 3 });
    });
  }

  for (const deactivated of ['revoked', 'distinct'] as const) {
    it(`a deactivated PAT is refused at the registry whatever its words (${deactivated})`, async () => {
      hub.switches.deactivated = deactivated;
      const made = await client.createPat({ label: 'deact-ci', scopes: ['repo:read'] });
      await client.setActive({ kind: 'pat' }, made.id, false);
      expect(await registryLogin('erin5', made.token)).toBe(401);
      await client.deleteToken({ kind: 'pat' }, made.id);
    });
  }

  it('refuses a label of more than 100 characters and an unknown scope before calling Docker Hub', async () => {
    const before = hub.requests.length;
    expect(await refusal(client.createPat({ label: 'x'.repeat(101), scopes: ['repo:read'] }))).toMatchObject({ code: 'invalid-option', exit: 2 });
    expect(await refusal(client.createPat({ label: 'ok', scopes: ['repo:everything' as never] }))).toMatchObject({ code: 'invalid-option', exit: 2 });
    expect(hub.requests.length).toBe(before);
  });
});

describe('organization access tokens (REFERENCE 7)', () => {
  let client: HubClient;
  beforeEach(async () => {
    client = await signIn(options());
  });
  const org = { kind: 'oat', org: 'zetaorg' } as const;
  const resources = [
    { type: 'TYPE_REPO' as const, path: 'zetaorg/app', scopes: ['scope-image-pull', 'scope-image-push'] },
    { type: 'TYPE_REPO' as const, path: 'zetaorg/web', scopes: ['scope-image-pull'] },
  ];

  it('creates an OAT whose repositories and scopes read back as given, and the registry grants them', async () => {
    const made = await client.createOat('zetaorg', { label: 'zeta-ci', resources });
    expect(made).toMatchObject({ kind: 'oat', org: 'zetaorg', label: 'zeta-ci', isActive: true, resources });
    expect(made.token).toMatch(/^dckr_oat_/);
    expect(containsSecret(made.token)).toBe(true);
    expect((await client.getToken(org, made.id)).resources).toEqual(resources);
    // The list has no resources (REFERENCE 7); the one-token read has them.
    expect((await client.listTokens(org)).find((t) => t.id === made.id)?.resources).toBeUndefined();
    expect(await registryLogin('zetaorg', made.token)).toBe(200);
    expect(await client.deleteToken(org, made.id)).toBe(true);
  });

  for (const capRefusal of ['words', 'bare'] as const) {
    it(`names the cap, counting deactivated tokens, and deleting one frees it (${capRefusal}: the text is unconfirmed)`, async () => {
      hub.switches.capRefusal = capRefusal;
      const made = [];
      for (let i = 0; i < 10; i++) made.push(await client.createOat('zetaorg', { label: `cap-${i}`, resources }));
      await client.setActive(org, made[0]!.id, false);
      const r = await refusal(client.createOat('zetaorg', { label: 'cap-10', resources }));
      expect(r).toMatchObject({ code: 'oat-cap', exit: 3 });
      if (capRefusal === 'bare') expect(r.message).toContain('(10 tokens, 1 of them deactivated;');
      expect(await client.deleteToken(org, made[0]!.id)).toBe(true);
      made[0] = await client.createOat('zetaorg', { label: 'cap-10', resources });
      for (const t of made) await client.deleteToken(org, t.id);
    });
  }

  it("refuses a user who is not an owner of the organization, quoting Docker Hub's words", async () => {
    const frank = await signIn(options({ username: 'frank6', password: PASSWORD_2FA, twoFactorCode: async () => CODE }));
    const r = await refusal(frank.createOat('zetaorg', { label: 'nope', resources }));
    expect(r).toMatchObject({ code: 'token-management-refused', exit: 3 });
    expect(r.message).toContain('You do not have permission to perform this action.');
  });
});
