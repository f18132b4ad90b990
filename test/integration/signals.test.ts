// SIGINT, SIGTERM and SIGHUP (a closed terminal) at each phase of setup, rotate
// and rollback. A proxy in front of moto holds the call of the phase until the
// signal has arrived, so the signal lands exactly there. After each: no
// AWSPENDING of this run is left, no temporary folder remains (checked after
// every test by the world), and the final message says what the stages show.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useFaultProxy, useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

type Body = { VersionStage?: string; VersionId?: string };
type Outcome = 'unchanged' | 'written';

interface Phase {
  name: string;
  command: 'setup' | 'rotate' | 'rollback';
  /** The call to hold (through the proxy), or the text on stderr to signal at. */
  hold?: { target: string; match?: (b: Body) => boolean; skip?: number; write: boolean };
  at?: string;
  outcome: Outcome;
  says: RegExp;
}

const phases: Phase[] = [
  { name: 'preflight', command: 'rotate', hold: { target: 'DescribeSecret', write: false }, outcome: 'unchanged', says: /Cancelled; nothing was changed\./ },
  { name: 'docker login', command: 'rotate', at: 'docker login as alice1', outcome: 'unchanged', says: /Cancelled\.\n\s+State: AWSCURRENT unchanged \(version [\w-]+\); CI keeps reading the current token\./ },
  { name: 'staging', command: 'rotate', hold: { target: 'PutSecretValue', write: true }, outcome: 'unchanged', says: /State: AWSPENDING removed; AWSCURRENT unchanged \(version [\w-]+\); CI keeps reading the current token\./ },
  { name: 'read-back', command: 'rotate', hold: { target: 'GetSecretValue', match: (b) => Boolean(b.VersionId), write: false }, outcome: 'unchanged', says: /State: AWSPENDING removed; AWSCURRENT unchanged/ },
  { name: 'before promotion', command: 'rotate', hold: { target: 'DescribeSecret', skip: 1, write: false }, outcome: 'unchanged', says: /State: AWSPENDING removed; AWSCURRENT unchanged/ },
  { name: 'promotion', command: 'rotate', hold: { target: 'UpdateSecretVersionStage', match: (b) => b.VersionStage === 'AWSCURRENT', write: true }, outcome: 'written', says: /State: the new value was already stored as AWSCURRENT \(version [\w-]+\); to undo: npx dockerhub-credentials rollback/ },
  { name: 'setup read-back', command: 'setup', hold: { target: 'DescribeSecret', skip: 2, write: false }, outcome: 'written', says: /State: the new value is AWSCURRENT \(version [\w-]+\), confirmed by Secrets Manager; to restore the previous one/ },
  { name: 'rollback move', command: 'rollback', hold: { target: 'UpdateSecretVersionStage', write: true }, outcome: 'written', says: /State: the rollback was done: AWSCURRENT is version [\w-]+; to undo, run the same command again/ },
];

describeWith(['moto_server', 'docker'], 'signals at each phase leave the secret as the run says', () => {
  const w = useWorld();
  const faults = useFaultProxy(w);
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });
  const args = {
    setup: (name: string) => ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--yes'],
    rotate: (name: string) => ['rotate', '--non-interactive', '--token-stdin', '--secret-id', name],
    rollback: (name: string) => ['rollback', '--non-interactive', '--secret-id', name, '--yes'],
  };

  /**
   * A write in flight is finished first: let the held call through once the run has
   * taken the signal. A held read is never let through: the signal abandons it.
   */
  const releaseOnceTaken = async (write: boolean, stderr: () => string) => {
    if (!write) return;
    for (let i = 0; i < 400 && !stderr().includes('Finishing the write in progress'); i++) await new Promise((r) => setTimeout(r, 25));
    faults().release();
  };

  for (const phase of phases) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      it(`${signal} at ${phase.command} ${phase.name}`, async () => {
        const name = uniqueName();
        await w.secrets.create(name, value(w.rw.token));
        if (phase.command === 'rollback') await w.secrets.put(name, value(w.rw2.token));
        const before = await w.secrets.stages(name);
        const beforeToken = JSON.parse((await w.secrets.value(name))!).token;
        if (phase.at) w.hub.switches.delayMs = 1500;
        const held = phase.hold ? faults().fail({ ...phase.hold, mode: 'hold' }) : undefined;

        const r = await w.run(phase.command === 'rollback' ? args.rollback(name) : args[phase.command](name), {
          input: phase.command === 'rollback' ? undefined : w.rw2.token,
          env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url, AWS_MAX_ATTEMPTS: '1' },
          interrupt: {
            at: held ?? phase.at!,
            signal,
            then: (stderr) => phase.hold && releaseOnceTaken(phase.hold.write, stderr),
          },
        });
        faults().restore();

        expect(r.exitCode, r.stderr).toBe(130);
        expect(r.stderr).toMatch(phase.says);
        expect(r.stderr).not.toMatch(/refused|permission|Unexpected/i);
        const stages = await w.secrets.stages(name);
        const labelled = (st: Record<string, string[]>) => Object.fromEntries(Object.entries(st).filter(([, v]) => v.length));
        const strayPending = Object.values(stages).some((st) => st.includes('AWSPENDING') && !st.includes('AWSCURRENT'));
        expect(strayPending, 'an AWSPENDING of this run was left').toBe(false);
        const nowToken = JSON.parse((await w.secrets.value(name))!).token;
        if (phase.outcome === 'unchanged') {
          expect(labelled(stages)).toEqual(labelled(before));
          expect(nowToken).toBe(beforeToken);
        } else {
          expect(nowToken).toBe(phase.command === 'rollback' ? w.rw.token : w.rw2.token);
        }
      });
    }
  }

  it("SIGINT during verify --live's Docker Hub check: exit 130, and the headline says the check was interrupted, not that the secret is bad (stranger trial, session 3)", async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    w.hub.switches.delayMs = 1500;
    const r = await w.run(['verify', '--live', '--non-interactive', '--secret-id', name], { interrupt: { at: 'Docker Hub', signal: 'SIGINT' } });
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^! ${name}.*: the Docker Hub check was interrupted; nothing was changed$`));
    expect(r.stdout).not.toMatch(/^✗/m);
  });

  it('--json: a cancellation after the write says so in the error object', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const held = faults().fail({ target: 'UpdateSecretVersionStage', match: (b: Body) => b.VersionStage === 'AWSCURRENT', mode: 'hold' });
    const r = await w.run([...args.rotate(name), '--json'], {
      input: w.rw2.token,
      env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url },
      interrupt: { at: held, signal: 'SIGTERM', then: (stderr) => releaseOnceTaken(true, stderr) },
    });
    faults().restore();
    expect(r.exitCode).toBe(130);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, error: { code: 'cancelled', exitCode: 130 } });
    expect(out.error.state).toMatch(/already stored as AWSCURRENT/);
    expect(JSON.parse((await w.secrets.value(name))!).token).toBe(w.rw2.token);
  });
});
