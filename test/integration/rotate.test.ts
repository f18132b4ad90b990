import { expect, it } from 'vitest';
import { describeWith, runCli } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { startFaultProxy } from '../support/fault-proxy.mjs';

describeWith(['moto_server', 'docker'], 'rotate and rollback against moto, the stand-in and the real docker CLI', () => {
  const w = useWorld();
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });
  const rotateArgs = (name: string, ...extra: string[]) => ['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, ...extra];
  const current = async (name: string) => JSON.parse((await w.secrets.value(name))!).token as string;
  const pendingLeft = async (name: string) => Object.values(await w.secrets.stages(name)).some((s) => s.includes('AWSPENDING'));

  /** setup with PAT A, through the CLI, as a team would start. */
  const setUpWithA = async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name], { input: w.rw.token });
    expect(r.exitCode).toBe(0);
    return name;
  };

  it('setup with A, rotate to B: AWSCURRENT is B, AWSPREVIOUS is A, and verify passes', async () => {
    const name = await setUpWithA();
    const r = await w.run(rotateArgs(name, '--repository', 'alice1/app'), { input: w.rw2.token });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('Staged as AWSPENDING');
    expect(r.stderr).toContain('Read back AWSPENDING: alice1, token 36 characters, as validated');
    expect(r.stdout).toContain('The previous value is kept as AWSPREVIOUS');
    expect(r.stdout).toContain(`npx dockerhub-credentials rollback --secret-id ${name}`);
    expect(r.stdout).toMatch(/The old token to revoke in Docker Hub: alice1, label unknown, stored .*\n  Revoke it only after CI has used the new one/);
    expect(await w.secrets.value(name)).toBe(value(w.rw2.token));
    expect(await w.secrets.value(name, 'AWSPREVIOUS')).toBe(value(w.rw.token));
    expect(await pendingLeft(name)).toBe(false);
    expect((await w.run(['verify', '--secret-id', name])).exitCode).toBe(0);
    // The new version records its username, as setup's does: status shows it without the value (second stranger, session 3).
    const status = JSON.parse((await w.run(['status', '--json'])).stdout) as { secrets: { name: string; username: string | null }[] };
    expect(status.secrets.find((x) => x.name === name)?.username).toBe('alice1');
  });

  it('--json prints one result object', async () => {
    const name = await setUpWithA();
    const r = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--json'], { env: { DOCKERHUB_TOKEN: w.rw2.token } });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, secretId: name, username: 'alice1', tokenLength: 36, resumed: false });
  });

  for (const [what, pick, extra] of [
    ['a revoked PAT', (x: typeof w) => x.revoked, []],
    ['an expired PAT', (x: typeof w) => x.expired, []],
    ['a read-only PAT when a repository is required', (x: typeof w) => x.ro, ['--repository', 'alice1/app']],
  ] as const) {
    it(`${what} exits 3 and changes no version or stage`, async () => {
      const name = await setUpWithA();
      const before = await w.secrets.stages(name);
      const r = await w.run(rotateArgs(name, ...extra), { input: pick(w).token });
      expect(r.exitCode).toBe(3);
      // The last word: nothing was written, and CI keeps the token that works.
      expect(r.stderr).toMatch(/State: AWSCURRENT unchanged \(version [\w-]+\); CI keeps reading the current token\.\n/);
      expect(await w.secrets.stages(name)).toEqual(before);
      expect(await pendingLeft(name)).toBe(false);
    });
  }

  it('refuses to rotate a secret without a value, pointing to setup', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(rotateArgs(name), { input: w.rw2.token });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('npx dockerhub-credentials setup');
  });

  it('emulator stopped between staging and promotion: AWSCURRENT unchanged; the next rotate detects the stray stage and resumes it', async () => {
    const name = await setUpWithA();
    const proxy = await startFaultProxy(w.moto.url);
    try {
      proxy.fail({ target: 'UpdateSecretVersionStage', match: (b: { VersionStage?: string }) => b.VersionStage === 'AWSCURRENT', mode: 'down' });
      const r = await w.run(rotateArgs(name), { input: w.rw2.token, env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url } });
      // Neither the move nor the state can be read: the run says exactly that, and claims nothing.
      expect(r.exitCode).toBe(5);
      expect(r.stderr).toMatch(/could not be read back, so whether it went through is unknown/);
      expect(r.stderr).not.toMatch(/unchanged|nothing was changed/);
      expect(await current(name)).toBe(w.rw.token);
      expect(await pendingLeft(name)).toBe(true);

      proxy.restore();
      // A stage seconds old may be another run's rotation in progress: exit 5, with both ways out.
      const blocked = await w.run(rotateArgs(name), { input: w.rw2.token });
      expect(blocked.exitCode).toBe(5);
      expect(blocked.stderr).toMatch(/Another rotation of .* is in progress: a new value was staged \d+ seconds ago/);
      expect(blocked.stderr).toContain('rotate --resume');
      expect(blocked.stderr).toContain('rotate --discard-pending');

      const resumed = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--resume', '--yes']);
      expect(resumed.exitCode).toBe(0);
      expect(await current(name)).toBe(w.rw2.token);
      expect(await w.secrets.value(name, 'AWSPREVIOUS')).toBe(value(w.rw.token));
      expect(await pendingLeft(name)).toBe(false);
    } finally {
      await proxy.stop();
    }
  });

  it('a failed promotion removes the stage it created; --discard-pending drops a stray one', async () => {
    const name = await setUpWithA();
    const proxy = await startFaultProxy(w.moto.url);
    try {
      proxy.fail({ target: 'UpdateSecretVersionStage', match: (b: { VersionStage?: string }) => b.VersionStage === 'AWSCURRENT', mode: 'once' });
      const r = await w.run(rotateArgs(name), { input: w.rw2.token, env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url, AWS_MAX_ATTEMPTS: '1' } });
      expect(r.exitCode).toBe(5);
      expect(r.stderr).toMatch(/State: AWSPENDING removed; AWSCURRENT unchanged \(version [\w-]+\); CI keeps reading the current token/);
      expect(await current(name)).toBe(w.rw.token);
      expect(await pendingLeft(name)).toBe(false);
    } finally {
      await proxy.stop();
    }
    // a stray stage from elsewhere: discard it (no token needed, --yes alone), then rotate normally
    await w.secrets.stagePending(name, value(w.bob.token));
    const r2 = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--discard-pending', '--yes']);
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(r2.stderr).toContain('Removed AWSPENDING');
    expect(r2.stdout).toContain('Discarded.');
    expect(await pendingLeft(name)).toBe(false);
    expect(await current(name)).toBe(w.rw.token);
    const r3 = await w.run(rotateArgs(name), { input: w.rw2.token });
    expect(r3.exitCode, r3.stderr).toBe(0);
    expect(await current(name)).toBe(w.rw2.token);
  });

  it('two rotations at once: exactly one wins, the other fails cleanly, and no version is lost', async () => {
    const name = await setUpWithA();
    const before = Object.keys(await w.secrets.stages(name));
    const [a, b] = await Promise.all([
      runCli(rotateArgs(name), { sandbox: w.sandbox, env: w.env(), input: w.rw2.token }),
      runCli(rotateArgs(name, '--username', 'bobby2', '--yes'), { sandbox: w.sandbox, env: w.env(), input: w.bob.token }),
    ]);
    for (const r of [a, b]) for (const c of w.canaries()) c.assertAbsent('output', r.stdout + r.stderr);
    const codes = [a.exitCode, b.exitCode].sort();
    expect(codes).toEqual([0, 5]);
    const loser = a.exitCode === 0 ? b : a;
    expect(loser.stderr).toMatch(/Another run changed .* at the same time/);
    const winnerToken = a.exitCode === 0 ? w.rw2.token : w.bob.token;
    expect(await current(name)).toBe(winnerToken);
    expect(await w.secrets.value(name, 'AWSPREVIOUS')).toBe(value(w.rw.token));
    const after = Object.keys(await w.secrets.stages(name));
    for (const id of before) expect(after).toContain(id);
    expect(await pendingLeft(name)).toBe(false);
  });

  it('rollback makes A current again and B previous; twice returns to B; without a previous version exits 4', async () => {
    const name = await setUpWithA();
    expect((await w.run(rotateArgs(name), { input: w.rw2.token })).exitCode).toBe(0);
    const refused = await w.run(['rollback', '--non-interactive', '--secret-id', name]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const r = await w.run(['rollback', '--non-interactive', '--secret-id', name, '--yes']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/Will become current: +alice1, token 36 characters\n +written \d{4}-/);
    expect(await current(name)).toBe(w.rw.token);
    expect(JSON.parse((await w.secrets.value(name, 'AWSPREVIOUS'))!).token).toBe(w.rw2.token);
    expect((await w.run(['rollback', '--secret-id', name, '--yes', '--json'])).exitCode).toBe(0);
    expect(await current(name)).toBe(w.rw2.token);

    const fresh = uniqueName();
    await w.secrets.create(fresh, value(w.rw.token));
    const none = await w.run(['rollback', '--secret-id', fresh, '--yes']);
    expect(none.exitCode).toBe(4);
    expect(none.stderr).toContain('nothing to roll back to');
  });

  it('Ctrl-C during validation exits 130 and changes no stage', async () => {
    const name = await setUpWithA();
    const before = await w.secrets.stages(name);
    w.hub.switches.delayMs = 3000;
    const r = await w.run(rotateArgs(name), { input: w.rw2.token, interruptWhen: 'docker login as alice1' });
    expect(r.exitCode).toBe(130);
    expect(await w.secrets.stages(name)).toEqual(before);
  });
});
