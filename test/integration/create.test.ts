// Issue 18 through the built CLI, moto, the stand-in's REFERENCE 7 routes and
// the real docker CLI: setup --create and rotate --create (PAT and OAT), the
// deletion of a created token when the run fails after creating it (a refused
// push, a signal during staging), retire (deactivate, refuse when used after
// the rotation, --delete freeing the OAT cap), rollback re-activating the
// token, tokens --json, and the refusals of a password sign-in. The password,
// every created token and every session JWT are scanned for in the output,
// docker's argv and environment, and every file of the sandbox.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { beforeAll, expect, it } from 'vitest';
import { Canary, describeWith, filesUnder } from '../support/harness.js';
import { useFaultProxy, useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'docker'], 'creating and retiring tokens (issue 18)', () => {
  const w = useWorld();
  const faults = useFaultProxy(w);
  /** erin5's account password: a canary of its own. */
  const password = new Canary('pw-');
  const owner = new Canary('ow-');
  const month = new Date().toISOString().slice(0, 7);
  beforeAll(() => {
    w.hub.accounts.push(
      { username: 'erin5', secret: password.token, kind: 'password', level: 'admin', state: 'ok' },
      { username: 'olga8', secret: owner.token, kind: 'password', level: 'admin', state: 'ok' },
      { username: 'gina7', secret: 'gina-password-9w2e4r6t', kind: 'password', level: 'admin', state: 'ok', sso: true },
    );
    w.hub.orgs.push({ name: 'acmeorg', owners: ['olga8'], cap: 10 }, { name: 'tinyorg', owners: ['olga8'], cap: 2 });
  });

  /** Every secret this file handles: the passwords, the tokens the stand-in created, and its session JWTs. */
  const assertNothingLeaks = (label: string, text: string) => {
    password.assertAbsent(label, text);
    owner.assertAbsent(label, text);
    for (const t of w.hub.tokens.created) new CanaryOf(t).assertAbsent(label, text);
    for (const jwt of w.hub.tokens.sessions.keys()) expect(text.includes(jwt.split('.')[1]!), `session JWT in ${label}`).toBe(false);
  };
  class CanaryOf extends Canary {
    constructor(token: string) {
      super();
      (this as { token: string }).token = token;
    }
  }
  const run = async (args: string[], env: Record<string, string | undefined> = {}, input?: string) => {
    const r = await w.run(args, { env, input });
    assertNothingLeaks('stdout', r.stdout);
    assertNothingLeaks('stderr', r.stderr);
    for (const [path, content] of filesUnder(w.sandbox.root)) assertNothingLeaks(path, content);
    return r;
  };
  const stored = async (name: string) => JSON.parse((await w.secrets.value(name))!) as { username: string; token: string };
  const account = (token: string) => w.hub.accounts.find((a: { secret: string }) => a.secret === token) as { state: string; level?: string; grants?: Record<string, string[]>; hub?: { id: string; label: string; expires_at: string | null } } | undefined;
  /** The registry's token endpoint as CI's docker login calls it. */
  const ciLogin = async (username: string, token: string) =>
    (await fetch(`${w.hub.url}/token?account=${username}&service=registry.standin.test`, { headers: { authorization: `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}` } })).status;
  const PW = () => ({ DOCKERHUB_PASSWORD: password.token });
  const setupCreate = (name: string, ...extra: string[]) => ['setup', '--create', '--non-interactive', '--username', 'erin5', '--secret-id', name, '--expires-in', '90d', ...extra];
  const fresh = async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    return name;
  };

  /** A `docker` first on PATH that records its argv and environment, then runs the real one. */
  const recordingDocker = () => {
    const bin = join(w.sandbox.root, 'spy-bin');
    mkdirSync(bin, { recursive: true });
    const real = execaSync('sh', ['-c', 'command -v docker']).stdout.trim();
    const log = join(w.sandbox.root, 'docker-spy.log');
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\nprintf 'argv: %s\\n' "$*" >> '${log}'\nenv >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, 'docker'), 0o755);
    return { PATH: `${bin}:${process.env.PATH}`, log };
  };

  it('setup --create unattended (DOCKERHUB_PASSWORD) stores a new PAT; verify --live passes and verify --json shows the expiry and label Docker Hub answered', async () => {
    const name = await fresh();
    const spy = recordingDocker();
    const r = await run(setupCreate(name, '--repository', 'erin5/app', '--json', '--debug'), { ...PW(), PATH: spy.PATH });
    // --debug logs every Hub call (and none of the secrets: checked by run()).
    expect(r.stderr).toMatch(/debug: POST http:\/\/127\.0\.0\.1:\d+\/v2\/users\/login: HTTP 200/);
    expect(r.stderr).toMatch(/debug: POST http:\/\/127\.0\.0\.1:\d+\/v2\/access-tokens: HTTP 201/);
    expect(r.exitCode, r.stderr).toBe(0);
    const value = await stored(name);
    expect(value.username).toBe('erin5');
    expect(w.hub.tokens.created).toContain(value.token);
    const hub = account(value.token)!;
    expect(hub).toMatchObject({ state: 'ok', level: 'write' });
    expect(hub.hub!.label).toBe(`app-ci-${month}`);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, label: `app-ci-${month}`, hubToken: { id: hub.hub!.id, kind: 'pat', expiresAt: hub.hub!.expires_at, createdByTool: true, state: 'active' } });
    // docker saw neither the password nor the new token, in its argv or its environment.
    const spied = readFileSync(spy.log, 'utf8');
    expect(spied).toContain('argv: login');
    assertNothingLeaks('docker argv and environment', spied);
    expect(spied).not.toContain('DOCKERHUB_PASSWORD');

    const live = await run(['verify', '--live', '--secret-id', name, '--repository', 'erin5/app']);
    expect(live.exitCode, live.stderr).toBe(0);
    const v = JSON.parse((await run(['verify', '--secret-id', name, '--json'])).stdout);
    expect(v).toMatchObject({ ok: true, label: `app-ci-${month}`, expiresAt: hub.hub!.expires_at!.slice(0, 10), hubToken: { id: hub.hub!.id, expiresAt: hub.hub!.expires_at } });
  });

  it('takes the password from --password-stdin, or from an admin secret ({"username","password"}); never both stdin and a token', async () => {
    const viaStdin = await fresh();
    const r = await run(setupCreate(viaStdin, '--password-stdin'), {}, password.token);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(w.hub.tokens.created).toContain((await stored(viaStdin)).token);
    const admin = uniqueName();
    await w.secrets.create(admin, JSON.stringify({ username: 'erin5', password: password.token }));
    const viaAdmin = await fresh();
    const a = await run(setupCreate(viaAdmin, '--admin-secret-id', admin));
    expect(a.exitCode, a.stderr).toBe(0);
    expect(w.hub.tokens.created).toContain((await stored(viaAdmin)).token);
    // A two-factor account's admin secret carries its seed, as the rotation function's does: the CLI
    // computes the code unattended instead of advising to turn two-factor off (second stranger, session 3).
    const dave = w.hub.accounts.find((x: { username: string }) => x.username === 'dave4') as { totpSeed?: string };
    dave.totpSeed = 'JBSWY3DPEHPK3PXP';
    const admin2fa = uniqueName();
    await w.secrets.create(admin2fa, JSON.stringify({ username: 'dave4', password: w.password2fa.token, totpSeed: 'JBSWY3DPEHPK3PXP' }));
    const viaSeed = await fresh();
    const t = await run(setupCreate(viaSeed, '--admin-secret-id', admin2fa).map((x) => (x === 'erin5' ? 'dave4' : x)));
    delete dave.totpSeed;
    expect(t.exitCode, t.stderr).toBe(0);
    expect(t.stderr + t.stdout).not.toContain('JBSWY3DPEHPK3PXP');
    expect(w.hub.tokens.created).toContain((await stored(viaSeed)).token);
    const both = await run([...setupCreate(await fresh(), '--token-stdin'), '--json'], PW(), 'x');
    expect(JSON.parse(both.stdout).error).toMatchObject({ code: 'invalid-option', exitCode: 2 });
  });

  it('rotate --create keeps the PAT scope, names retire; retire deactivates the unused old token; rollback re-activates it and CI logs in again', async () => {
    const name = await fresh();
    expect((await run(setupCreate(name, '--repository', 'erin5/app'), PW())).exitCode).toBe(0);
    const first = await stored(name);
    const rot = await run(['rotate', '--create', '--non-interactive', '--secret-id', name, '--expires-in', '30d', '--json'], PW());
    expect(rot.exitCode, rot.stderr).toBe(0);
    const second = await stored(name);
    expect(second.token).not.toBe(first.token);
    expect(account(second.token)).toMatchObject({ level: 'write', state: 'ok' });
    const rotated = JSON.parse(rot.stdout);
    expect(rotated.retireCommand).toMatch(/^npx dockerhub-credentials retire --secret-id /);
    expect(rotated.hubToken).toMatchObject({ id: account(second.token)!.hub!.id, expiresAt: account(second.token)!.hub!.expires_at });
    // The old token stays active until retire: CI may still be on it.
    expect(account(first.token)!.state).toBe('ok');
    const text = await run(['rotate', '--create', '--non-interactive', '--secret-id', name, '--expires-in', '30d', '--label', `again-${month}`], PW());
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('retire checks that nothing used it since:');
    expect(text.stdout).toContain(`npx dockerhub-credentials retire --secret-id ${name}`);
    expect(text.stdout).not.toContain('Revoke it in Docker Hub');
    const third = await stored(name);

    const retired = await run(['retire', '--non-interactive', '--secret-id', name, '--yes', '--json'], PW());
    expect(retired.exitCode, retired.stderr).toBe(0);
    expect(JSON.parse(retired.stdout)).toMatchObject({ ok: true, action: 'deactivated', state: 'inactive', identifiedBy: 'recorded-id', usedAfterRotation: false, token: { isActive: false } });
    expect(account(second.token)!.state).toBe('deactivated');
    expect(await ciLogin('erin5', second.token)).toBe(401);

    // Without a password, rollback says why it would fail; with one, it re-activates the token first.
    const refused = await run(['rollback', '--non-interactive', '--secret-id', name, '--yes']);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain('was deactivated by retire');
    expect((await stored(name)).token).toBe(third.token);
    // A rollback that does not go through (here: Docker Hub refuses push with it) leaves the token as retire left it.
    const rejected = await run(['rollback', '--non-interactive', '--secret-id', name, '--yes', '--repository', 'someoneelse/app'], PW());
    expect(rejected.exitCode).toBe(3);
    expect(rejected.stderr).toContain('was deactivated again (read back), as retire left it');
    expect(account(second.token)!.state).toBe('deactivated');
    const back = await run(['rollback', '--non-interactive', '--secret-id', name, '--yes'], PW());
    expect(back.exitCode, back.stderr).toBe(0);
    expect(back.stderr).toContain('Re-activated the previous token');
    expect((await stored(name)).token).toBe(second.token);
    expect(await ciLogin('erin5', second.token)).toBe(200);
    // The rollback is a promotion too: retire measures "used after" from it, not from the version's first
    // promotion, so the token rolled away from (used only before the rollback) retires (second stranger, session 3).
    const afterRollback = await run(['retire', '--non-interactive', '--secret-id', name, '--yes', '--json'], PW());
    expect(afterRollback.exitCode, afterRollback.stderr).toBe(0);
    expect(JSON.parse(afterRollback.stdout)).toMatchObject({ ok: true, usedAfterRotation: false });
    expect(account(third.token)!.state).toBe('deactivated');
  });

  it('retire refuses with exit 3 when the old token was used after the rotation, and --force goes on', async () => {
    const name = await fresh();
    expect((await run(setupCreate(name), PW())).exitCode).toBe(0);
    const old = await stored(name);
    expect((await run(['rotate', '--create', '--non-interactive', '--secret-id', name, '--expires-in', '30d'], PW())).exitCode).toBe(0);
    // Something still reads the old copy and logs in with it.
    expect(await ciLogin('erin5', old.token)).toBe(200);
    const r = await run(['retire', '--non-interactive', '--secret-id', name, '--yes'], PW());
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/The old token was last used .*, after AWSCURRENT was promoted .*: something still reads an old copy of it\./);
    expect(r.stderr).toContain('--force');
    expect(account(old.token)!.state).toBe('ok');
    const forced = await run(['retire', '--non-interactive', '--secret-id', name, '--yes', '--force'], PW());
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(account(old.token)!.state).toBe('deactivated');
  });

  it('rotate --create for an OAT keeps the replaced token\'s repositories and scopes (found by its session claim); retire --delete frees the cap', async () => {
    const name = await fresh();
    // The OAT stored by hand: no id recorded, so rotate finds it by the `source` claim of its session (REFERENCE 7).
    const seeded = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'acmeorg', '--secret-id', name, '--repository', 'acmeorg/app'], { input: w.oat.token });
    expect(seeded.exitCode, seeded.stderr).toBe(0);
    const r = await run(['rotate', '--create', '--non-interactive', '--secret-id', name, '--owner', 'olga8', '--expires-in', '90d', '--json'], { DOCKERHUB_PASSWORD: owner.token });
    expect(r.exitCode, r.stderr).toBe(0);
    const now = await stored(name);
    expect(now.username).toBe('acmeorg');
    expect(now.token).toMatch(/^dckr_oat_/);
    expect(account(now.token)!.grants).toEqual({ 'acmeorg/app': ['pull', 'push'], 'acmeorg/web': ['pull'] });
    const count = () => w.hub.accounts.filter((a: { kind: string; username: string }) => a.kind === 'oat' && a.username === 'acmeorg').length;
    const before = count();
    const del = await run(['retire', '--non-interactive', '--secret-id', name, '--yes', '--delete', '--owner', 'olga8', '--json'], { DOCKERHUB_PASSWORD: owner.token });
    expect(del.exitCode, del.stderr).toBe(0);
    expect(JSON.parse(del.stdout)).toMatchObject({ action: 'deleted', state: 'deleted', identifiedBy: 'source-claim' });
    expect(count()).toBe(before - 1);
    expect(account(w.oat.token)).toBeUndefined();
  });

  it('setup --create for an organization lists every --repository given, with pull and push', async () => {
    const name = await fresh();
    const r = await run(['setup', '--create', '--non-interactive', '--username', 'acmeorg', '--owner', 'olga8', '--secret-id', name, '--expires-in', '30d', '--repository', 'acmeorg/web', '--repository', 'acmeorg/app'], { DOCKERHUB_PASSWORD: owner.token });
    expect(r.exitCode, r.stderr).toBe(0);
    const made = await stored(name);
    expect(made.username).toBe('acmeorg');
    expect(account(made.token)!.grants).toEqual({ 'acmeorg/web': ['pull', 'push'], 'acmeorg/app': ['pull', 'push'] });
    // A PAT cannot be limited to repositories.
    const pat = await run([...setupCreate(await fresh(), '--repository', 'erin5/a', '--repository', 'erin5/b'), '--json'], PW());
    expect(JSON.parse(pat.stdout).error).toMatchObject({ code: 'usage', exitCode: 2 });
  });

  for (const sourceClaim of ['other', 'object'] as const) {
    it(`the session claim counts only when it names a listed token (${sourceClaim}: unconfirmed), else the run refuses to guess`, async () => {
      w.hub.switches.sourceClaim = sourceClaim;
      const name = await fresh();
      expect((await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'acmeorg', '--secret-id', name, '--repository', 'acmeorg/app'], { input: w.oat2.token })).exitCode).toBe(0);
      const r = await run(['rotate', '--create', '--non-interactive', '--secret-id', name, '--owner', 'olga8', '--expires-in', '90d'], { DOCKERHUB_PASSWORD: owner.token });
      if (sourceClaim === 'object') {
        expect(r.exitCode, r.stderr).toBe(0);
      } else {
        expect(r.exitCode).toBe(3);
        expect(r.stderr).toContain('cannot be told, so it is not touched');
        expect((await stored(name)).token).toBe(w.oat2.token);
      }
    });
  }

  it('a refused push after creation deletes the new token and says so; none is left active', async () => {
    const name = await fresh();
    const before = w.hub.tokens.created.length;
    const r = await run(setupCreate(name, '--repository', 'someoneelse/app'), PW());
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/State: the token created for this run, "app-ci-[\d-]+" \(id [\w-]+\), was deleted in Docker Hub \(read back: gone\)\./);
    const made = w.hub.tokens.created.slice(before);
    expect(made).toHaveLength(1);
    expect(account(made[0]!)).toBeUndefined();
    expect(await w.secrets.stages(name)).toEqual({});
    expect(r.stderr).toContain('Signing in to Docker Hub');
    expect(r.stderr).toMatch(/Created a personal access token "app-ci-[\d-]+" \(repo:write; expires \d{4}-\d\d-\d\dT[\d:.]+Z, as Docker Hub answered; id [\w-]+\)/);
  });

  it('a signal during staging deletes the new token and says so; AWSCURRENT is unchanged', async () => {
    const name = await fresh();
    expect((await run(setupCreate(name), PW())).exitCode).toBe(0);
    const current = await stored(name);
    const before = w.hub.tokens.created.length;
    const held = faults().fail({ target: 'PutSecretValue', mode: 'hold' });
    const r = await w.run(['rotate', '--create', '--non-interactive', '--secret-id', name, '--expires-in', '30d'], {
      env: { ...PW(), AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url, AWS_MAX_ATTEMPTS: '1' },
      interrupt: {
        at: held,
        signal: 'SIGTERM',
        then: async (stderr) => {
          for (let i = 0; i < 400 && !stderr().includes('Finishing the write in progress'); i++) await new Promise((res) => setTimeout(res, 25));
          faults().release();
        },
      },
    });
    faults().restore();
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/the token created for this run, "[^"]+" \(id [\w-]+\), was deleted in Docker Hub \(read back: gone\)/);
    const made = w.hub.tokens.created.slice(before);
    expect(made).toHaveLength(1);
    expect(account(made[0]!)).toBeUndefined();
    expect((await stored(name)).token).toBe(current.token);
  });

  it('a last-resort stop during the write names the token this run created, still active, and where to delete it (second stranger, session 3: a hazard)', async () => {
    const name = await fresh();
    expect((await run(setupCreate(name), PW())).exitCode).toBe(0);
    const before = w.hub.tokens.created.length;
    const held = faults().fail({ target: 'PutSecretValue', mode: 'hold' });
    const r = await w.run(['rotate', '--create', '--non-interactive', '--secret-id', name, '--expires-in', '90d'], {
      env: { ...PW(), AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url, AWS_MAX_ATTEMPTS: '1', DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '600' },
      interrupt: {
        at: held,
        signal: 'SIGTERM',
        // The held write never returns: a second signal is warned about, a third stops at once.
        then: async (stderr, kill) => {
          for (let i = 0; i < 400 && !stderr().includes('Finishing the write in progress'); i++) await new Promise((res) => setTimeout(res, 25));
          kill('SIGTERM');
          for (let i = 0; i < 400 && !stderr().includes('Signal again to stop anyway'); i++) await new Promise((res) => setTimeout(res, 25));
          kill('SIGTERM');
        },
      },
    });
    faults().restore();
    expect(r.exitCode, r.stderr).toBe(130);
    const made = w.hub.tokens.created.slice(before);
    expect(made).toHaveLength(1);
    const id = account(made[0]!)!.hub!.id;
    expect(r.stderr).toContain(`the Docker Hub token this run created, "`);
    expect(r.stderr).toContain(`(id ${id}), is still active: if history shows no version holding it as AWSCURRENT, delete it by hand at https://`);
    assertNothingLeaks('stderr', r.stderr);
  });

  it('tokens --json names the secret and stage holding each token and flags an orphan', async () => {
    const name = await fresh();
    expect((await run(setupCreate(name), PW())).exitCode).toBe(0);
    const held = await stored(name);
    // An old token nobody stores and nobody used for 100 days.
    const orphan = { username: 'erin5', secret: `dckr_pat_${'o'.repeat(27)}`, kind: 'pat', level: 'read', state: 'ok', label: 'forgotten-laptop', createdAt: Date.now() - 100 * 86_400_000 };
    w.hub.accounts.push(orphan);
    const r = await run(['tokens', '--non-interactive', '--username', 'erin5', '--secret-id', name, '--json'], PW());
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const mine = out.tokens.find((t: { id: string }) => t.id === account(held.token)!.hub!.id);
    expect(mine).toMatchObject({ heldBy: [{ secretId: name, stage: 'AWSCURRENT', by: 'recorded-id' }], orphan: false });
    expect(out.tokens.find((t: { label: string }) => t.label === 'forgotten-laptop')).toMatchObject({ heldBy: [], orphan: true });
    // Another account's secret whose token shares the orphan's label is not its holder (second stranger, session 3).
    const other = await fresh();
    expect((await run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', other, '--expires-in', '90d', '--label', 'forgotten-laptop'], {}, w.rw.token)).exitCode).toBe(0);
    // Found by the tool's tags in the region, without --secret-id.
    const all = JSON.parse((await run(['tokens', '--non-interactive', '--username', 'erin5', '--json'], PW())).stdout);
    expect(all.secretsSearched).toContain(name);
    expect(all.secretsSearched).toContain(other);
    expect(all.tokens.find((t: { label: string }) => t.label === 'forgotten-laptop')).toMatchObject({ heldBy: [], orphan: true });
  });

  const refusals = [
    { name: 'a wrong password', args: (n: string) => setupCreate(n), env: { DOCKERHUB_PASSWORD: 'not-the-password-123' }, code: 'password-rejected', says: 'Docker Hub refused the password for erin5' },
    { name: 'an SSO-enforced account', args: (n: string) => setupCreate(n).map((a) => (a === 'erin5' ? 'gina7' : a)), env: { DOCKERHUB_PASSWORD: 'gina-password-9w2e4r6t' }, code: 'sso-enforced', says: 'Create the token in Docker Hub, then run without --create.' },
    // Caught with the other inputs, before anything is sent (second stranger, session 3): no sign-in toward the lockout.
    { name: 'a PAT given as the password', args: (n: string) => setupCreate(n), env: { DOCKERHUB_PASSWORD: w.rw.token }, code: 'invalid-token-input', says: 'is an access token', nothingSent: true },
    { name: 'an organization as the owner who signs in', args: (n: string) => setupCreate(n).map((a) => (a === 'erin5' ? 'acmeorg' : a)).concat(['--owner', 'acmeorg', '--repository', 'acmeorg/app']), env: { DOCKERHUB_PASSWORD: password.token }, code: 'organization-sign-in', says: '--owner' },
    { name: 'a two-factor account without a terminal', args: (n: string) => setupCreate(n).map((a) => (a === 'erin5' ? 'dave4' : a)), env: { DOCKERHUB_PASSWORD: w.password2fa.token }, code: 'two-factor-required', says: 'has two-factor authentication' },
    { name: 'no password at all', args: (n: string) => setupCreate(n), env: {}, code: 'missing-input', says: 'No Docker Hub password was given' },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name} with its own sentence and exit code (never 1)`, async () => {
      if (c.code === 'two-factor-required') (w.hub.accounts.find((a: { username: string }) => a.username === 'dave4') as { code?: string }).code = '918273';
      const name = await fresh();
      const sent = w.hub.requests.length;
      const r = await run([...c.args(name), '--json'], c.env);
      if ((c as { nothingSent?: boolean }).nothingSent) expect(w.hub.requests.slice(sent).map((q: { path: string }) => q.path)).toEqual([]);
      const out = JSON.parse(r.stdout);
      expect(out.error.code, r.stdout).toBe(c.code);
      expect(r.exitCode).not.toBe(1);
      expect(r.exitCode).toBe(out.error.exitCode);
      expect(`${out.error.message} ${out.error.hint}`).toContain(c.says);
      expect(await w.secrets.stages(name)).toEqual({});
    });
  }

  it('the lockout is exit 5 (REFERENCE 2: each failed sign-in counts)', async () => {
    w.hub.switches.lockoutAfter = 1;
    const name = await fresh();
    await run(setupCreate(name), { DOCKERHUB_PASSWORD: 'wrong-password-1234' });
    const locked = await run([...setupCreate(name), '--json'], PW());
    expect(JSON.parse(locked.stdout).error).toMatchObject({ code: 'login-locked', exitCode: 5 });
  });
});
