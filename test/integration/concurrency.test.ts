// Runs that race, as real processes against moto: exactly one wins, every loser
// exits 5 with a true sentence, and no version is lost. Also: a killed run leaves
// no piece of the token on disk, and rollback refuses a token Docker Hub rejects.
import { expect, it } from 'vitest';
import { utimesSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith, filesUnder, runCli, type RunResult } from '../support/harness.js';
import { useFaultProxy, useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';

describeWith(['moto_server', 'docker'], 'concurrent runs, killed runs and rollback checks', () => {
  const w = useWorld();
  const faults = useFaultProxy(w);
  const value = (token: string, username = 'alice1') => JSON.stringify({ username, token });
  const tokenOf = async (name: string, stage = 'AWSCURRENT') => JSON.parse((await w.secrets.value(name, stage))!).token as string;
  const labelled = async (name: string) => Object.entries(await w.secrets.stages(name)).filter(([, v]) => v.length);
  const strayPending = async (name: string) => (await labelled(name)).some(([, st]) => st.includes('AWSPENDING') && !st.includes('AWSCURRENT'));
  const run = (args: string[], input?: string, env: Record<string, string> = {}) => runCli(args, { sandbox: w.sandbox, env: w.env(env), input });
  const rotate = (name: string, ...extra: string[]) => ['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, ...extra];
  const setup = (name: string, username: string) => ['setup', '--non-interactive', '--token-stdin', '--username', username, '--secret-id', name, '--yes'];
  const rollback = (name: string) => ['rollback', '--non-interactive', '--secret-id', name, '--yes'];

  /** Both runs read the secret before either writes: Docker Hub answers slowly, and validation comes before any write. */
  async function race(name: string, a: [string[], string?], b: [string[], string?]): Promise<{ winner: RunResult; loser: RunResult; winnerIsA: boolean }> {
    const versionsBefore = (await labelled(name)).map(([id]) => id);
    w.hub.switches.delayMs = 250;
    const [ra, rb] = await Promise.all([run(a[0], a[1]), run(b[0], b[1])]);
    w.hub.switches.delayMs = 0;
    for (const r of [ra, rb]) w.assertNoCanary('output', r.stdout + r.stderr);
    expect([ra.exitCode, rb.exitCode].sort(), `${ra.stderr}\n---\n${rb.stderr}`).toEqual([0, 5]);
    const winnerIsA = ra.exitCode === 0;
    const loser = winnerIsA ? rb : ra;
    expect(loser.stderr).toMatch(/Another run changed .* at the same time/);
    // What the loser saw when it stopped: its own stage gone or never promoted, AWSCURRENT as it read it.
    expect(loser.stderr).toMatch(/State: (AWSPENDING removed; )?(AWSCURRENT unchanged \(version [\w-]+\)|AWSCURRENT is version [\w-]+, set by another run|AWSCURRENT is version [\w-]+, not this run's version [\w-]+)/);
    // No version is lost: every labelled version before is still there, and nothing is left staged.
    const after = (await w.secrets.stages(name));
    for (const id of versionsBefore) expect(Object.keys(after)).toContain(id);
    expect(await strayPending(name)).toBe(false);
    return { winner: winnerIsA ? ra : rb, loser, winnerIsA };
  }

  it('rotate + setup: one wins, the other exits 5', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const { winnerIsA } = await race(name, [rotate(name), w.rw2.token], [setup(name, 'bobby2'), w.bob.token]);
    expect(await tokenOf(name)).toBe(winnerIsA ? w.rw2.token : w.bob.token);
    expect(await tokenOf(name, 'AWSPREVIOUS')).toBe(w.rw.token);
  });

  it('setup + setup: one wins, the other exits 5', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const { winnerIsA } = await race(name, [setup(name, 'alice1'), w.rw2.token], [setup(name, 'bobby2'), w.bob.token]);
    expect(await tokenOf(name)).toBe(winnerIsA ? w.rw2.token : w.bob.token);
    expect(await tokenOf(name, 'AWSPREVIOUS')).toBe(w.rw.token);
  });

  it('rotate + rollback: one wins, the other exits 5', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.put(name, value(w.rw2.token));
    const { winnerIsA } = await race(name, [rotate(name, '--username', 'bobby2', '--yes'), w.bob.token], [rollback(name)]);
    expect(await tokenOf(name)).toBe(winnerIsA ? w.bob.token : w.rw.token);
    expect(await tokenOf(name, 'AWSPREVIOUS')).toBe(w.rw2.token);
  });

  // One read-back policy (flows/write.ts readBackAfterWrite): after this run's promotion, another run's
  // version read back as AWSCURRENT is exit 5 with both versions named, and no headline or hand-over.
  const concurrentAfterPromotion: [string, (name: string) => Promise<void>, (name: string) => [string[], string?], RegExp][] = [
    ['rotate, then a concurrent rollback', async (name) => void (await w.secrets.create(name, value(w.rw.token))), (name) => [rotate(name), w.rw2.token], /Rotated|revoke/i],
    ['setup, then a concurrent rollback', async (name) => void (await w.secrets.create(name, value(w.rw.token))), (name) => [setup(name, 'alice1'), w.rw2.token], /Done\.|log in with/],
    ['rollback, then a concurrent rollback', async (name) => {
      await w.secrets.create(name, value(w.rw.token));
      await w.secrets.put(name, value(w.rw2.token));
    }, (name) => [rollback(name)], /Rolled back .*:|Undo with/],
  ];
  for (const [what, arrange, args, headline] of concurrentAfterPromotion) {
    it(`${what} moving AWSCURRENT back before the read-back: exit 5, both versions named, no headline`, async () => {
      const name0 = uniqueName();
      await arrange(name0);
      const startedAt = (await labelled(name0)).find(([, st]) => st.includes('AWSCURRENT'))![0];
      // The read-back after promotion (GetSecretValue of AWSCURRENT, once this run moved it) is held.
      let promoted = false;
      const held = faults().fail({
        target: '*',
        match: (b: { VersionStage?: string; MoveToVersionId?: string; VersionId?: string }) => {
          if (b.VersionStage === 'AWSCURRENT' && b.MoveToVersionId) promoted = true;
          return promoted && b.VersionStage === 'AWSCURRENT' && !b.MoveToVersionId && !b.VersionId;
        },
        mode: 'hold',
      });
      const [argv, input] = args(name0);
      const running = run(argv, input, { AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url });
      await held;
      // Another run rolls back: AWSCURRENT returns to the version this run replaced.
      const ours = (await labelled(name0)).find(([, st]) => st.includes('AWSCURRENT'))![0];
      expect(ours).not.toBe(startedAt);
      await w.secrets.client.send(new UpdateSecretVersionStageCommand({ SecretId: name0, VersionStage: 'AWSCURRENT', MoveToVersionId: startedAt, RemoveFromVersionId: ours }));
      faults().release();
      const r = await running;
      faults().restore();
      w.assertNoCanary('output', r.stdout + r.stderr);
      expect(r.exitCode, r.stderr).toBe(5);
      expect(r.stderr).toContain(`Another run changed ${name0} at the same time: after this run made version ${ours} current, another run made version ${startedAt} current.`);
      expect(r.stderr).toContain(`State: AWSCURRENT is version ${startedAt}, not this run's version ${ours}.`);
      expect(r.stdout + r.stderr).not.toMatch(headline);
      expect(r.stderr).not.toMatch(/written after/);
    });
  }

  it('rotate against rotate --discard-pending of its live stage: the discarding run wins, the other says its stage was taken', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    // The first rotation is held at its promotion, with its value staged.
    const held = faults().fail({ target: 'UpdateSecretVersionStage', match: (b: { VersionStage?: string }) => b.VersionStage === 'AWSCURRENT', mode: 'hold' });
    const first = run(rotate(name), w.rw2.token, { AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url });
    await held;
    const discarding = await run(rotate(name, '--discard-pending', '--yes', '--username', 'bobby2'), w.bob.token);
    expect(discarding.exitCode, discarding.stderr).toBe(0);
    expect(discarding.stderr).toMatch(/possibly another rotation still running/);
    expect(discarding.stderr).toContain('Removed AWSPENDING');
    faults().release();
    const r = await first;
    faults().restore();
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/Another run changed .* at the same time: AWSCURRENT moved to version [\w-]+ before this run could promote its value/);
    expect(r.stderr).toMatch(/State: AWSCURRENT is version [\w-]+, set by another run/);
    expect(await tokenOf(name)).toBe(w.bob.token);
    expect(await tokenOf(name, 'AWSPREVIOUS')).toBe(w.rw.token);
    expect(await strayPending(name)).toBe(false);
  });

  it('rotate --resume whose pending value another --resume made current meanwhile: exit 5 with the truth, no "Rotated", no revoke advice, no record', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.stagePending(name, value(w.rw2.token));
    const pendingId = (await labelled(name)).find(([, st]) => st.includes('AWSPENDING'))![0];
    // This run is held at its read-back of the stage, after Docker Hub validated the pending token.
    const calls = w.hub.requests.length;
    const held = faults().fail({ target: 'DescribeSecret', match: () => w.hub.requests.length > calls, mode: 'hold' });
    const resume = ['rotate', '--non-interactive', '--secret-id', name, '--resume', '--yes', '--label', 'held-ci'];
    const running = run(resume, undefined, { AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url });
    await held;
    // Another run resumes the same stage and makes it current.
    const other = await run([...resume.slice(0, -1), 'other-ci']);
    expect(other.exitCode, other.stderr).toBe(0);
    faults().release();
    const r = await running;
    faults().restore();
    w.assertNoCanary('output', r.stdout + r.stderr);
    expect(r.exitCode, r.stdout + r.stderr).toBe(5);
    expect(r.stderr).toMatch(/Another run changed .* at the same time/);
    expect(r.stderr).toContain(`State: AWSCURRENT is version ${pendingId}, the value this run was to make current, made current by another run.`);
    expect(r.stdout + r.stderr).not.toMatch(/Rotated|revoke/i);
    expect(await tokenOf(name)).toBe(w.rw2.token);
    // The metadata is the other run's: this run recorded nothing.
    expect(JSON.parse((await run(['verify', '--secret-id', name, '--json'])).stdout).label).toBe('other-ci');
  });

  it("a live AWSPENDING of another run stops setup and rotate with exit 5, not as a stray stage", async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.stagePending(name, value(w.bob.token, 'bobby2'));
    const before = await w.secrets.stages(name);
    for (const args of [rotate(name), setup(name, 'alice1')]) {
      const r = await run(args, w.rw2.token);
      expect(r.exitCode).toBe(5);
      expect(r.stderr).toMatch(/rotation of .* is in progress: a new value was staged \d+ seconds ago/);
      expect(r.stderr).not.toMatch(/earlier rotation that did not finish/);
    }
    expect(await w.secrets.stages(name)).toEqual(before);
  });

  it('rotate --resume with nothing pending is a usage error', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const r = await run(['rotate', '--non-interactive', '--secret-id', name, '--resume', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Nothing is pending for .*, so there is nothing to resume/);
  });

  it('rollback to a revoked token exits 3 and changes no stage; --skip-validation rolls back with a warning', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.revoked.token));
    await w.secrets.put(name, value(w.rw.token));
    const before = await w.secrets.stages(name);
    const r = await w.run(rollback(name));
    expect(r.exitCode).toBe(3);
    // Docker Hub's refusal is its own line (the cause), in its own words, not re-worded into the headline.
    expect(r.stderr).toMatch(/✗ Docker Hub rejects the previous token \(AWSPREVIOUS, alice1\), and rolling back to it would break CI, so nothing was changed\.\n {2}Cause: Docker Hub rejected the credentials for alice1: /);
    expect(r.stderr).toContain('--skip-validation');
    expect(await w.secrets.stages(name)).toEqual(before);

    const forced = await w.run([...rollback(name), '--skip-validation']);
    expect(forced.exitCode).toBe(0);
    expect(forced.stderr).toMatch(/--skip-validation: the previous token is not checked/);
    expect(await tokenOf(name)).toBe(w.revoked.token);
  });

  it('rollback whose Docker Hub check cannot reach Docker Hub exits 5, not a silent skip', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.put(name, value(w.rw2.token));
    const before = await w.secrets.stages(name);
    const r = await w.run(rollback(name), { env: { DOCKERHUB_CREDENTIALS_REGISTRY: 'http://127.0.0.1:9', DOCKERHUB_CREDENTIALS_HUB_URL: 'http://127.0.0.1:9' } });
    expect(r.exitCode).toBe(5);
    expect(await w.secrets.stages(name)).toEqual(before);
  });

  it('a run killed during docker login leaves no piece of the token on disk, and the next run sweeps its folder', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const seenToken = w.hub.requests.length;
    w.hub.switches.delayMs = 1500;
    // Killed once docker itself is talking to the registry: its temporary config exists and login is under way.
    const dockerStarted = (async () => {
      while (!w.hub.requests.slice(seenToken).some((q) => /^Docker-Client\//.test(q.userAgent))) await new Promise((res) => setTimeout(res, 20));
    })();
    const r = await runCli(rotate(name), { sandbox: w.sandbox, env: w.env(), input: w.rw2.token, interrupt: { at: dockerStarted, signal: 'SIGKILL' } });
    expect(r.exitCode).not.toBe(0);
    // Let the orphaned docker finish its login against the slow stand-in: wait (bounded) until no process
    // runs with a DOCKER_CONFIG in the run folders, not a fixed 2 s that a loaded machine outlasts.
    const orphans = () =>
      readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`DOCKER_CONFIG=${w.sandbox.runFolders}`);
        } catch {
          return false;
        }
      });
    for (let i = 0; i < 1200 && orphans().length; i++) await new Promise((res) => setTimeout(res, 50));
    expect(orphans(), 'the orphaned docker login never ended').toEqual([]);
    w.hub.switches.delayMs = 0;
    const left = readdirSync(w.sandbox.runFolders).filter((n) => n.startsWith('login-'));
    expect(left.length, 'the killed run left its folder').toBe(1);
    for (const [path, content] of filesUnder(w.sandbox.root)) for (const c of w.canaries()) c.assertAbsent(path, content);
    const config = filesUnder(join(w.sandbox.runFolders, left[0]!)).find(([p]) => p.endsWith('config.json'));
    expect(config?.[1]).not.toMatch(/"auth"\s*:/);
    // Minutes later, the next run that logs in removes it.
    const old = (Date.now() - 10 * 60_000) / 1000;
    utimesSync(join(w.sandbox.runFolders, left[0]!), old, old);
    expect((await w.run(['verify', '--secret-id', name, '--live'])).exitCode).toBe(0);
    expect(readdirSync(w.sandbox.runFolders)).toEqual([]);
  });
});
