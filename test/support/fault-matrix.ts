// The fault matrix: a fault at every Secrets Manager call of setup, rotate and
// rollback (the answer lost after a write went through, the connection cut before
// it, an endpoint that never answers, throttling and a 5xx). Each case checks the
// stages before and after, and that the exit code, the sentence and the --json
// object say exactly what the stages show. Run in process against the in-memory
// Secrets Manager (test/in-process/faults.test.ts, every case) and as the built
// CLI against moto behind the fault proxy (test/integration/faults.test.ts, a sample).
import { expect, it } from 'vitest';
import { uniqueName } from './aws.js';
import type { RunResult } from './harness.js';
import type { SecretsAdmin, World } from './world.js';

export type Fault = 'drop-after' | 'cut' | 'hang' | 'throttle' | '5xx';
export type Body = { VersionStage?: string; VersionStages?: string[]; VersionId?: string };
/** Where the call sits in the command's story, which decides what a fault there must leave. */
export type Phase = 'read-before-write' | 'stage' | 'read-before-promotion' | 'promotion' | 'unstage' | 'read-after-write';

export interface Call {
  name: string;
  target: string;
  match?: (b: Body) => boolean;
  skip?: number;
  phase: Phase;
}

export const describeCall = (n: number, phase: Phase): Call => ({ name: `DescribeSecret #${n}`, target: 'DescribeSecret', skip: n - 1, phase });
export const getCurrent = (n: number, phase: Phase): Call => ({ name: `GetSecretValue AWSCURRENT #${n}`, target: 'GetSecretValue', match: (b) => b.VersionStage === 'AWSCURRENT', skip: n - 1, phase });
export const getVersion: (phase: Phase) => Call = (phase) => ({ name: 'GetSecretValue by VersionId', target: 'GetSecretValue', match: (b) => Boolean(b.VersionId), phase });
export const stageCall: Call = { name: 'PutSecretValue AWSPENDING', target: 'PutSecretValue', phase: 'stage' };
export const promoteCall: Call = { name: 'UpdateSecretVersionStage AWSCURRENT', target: 'UpdateSecretVersionStage', match: (b) => b.VersionStage === 'AWSCURRENT', phase: 'promotion' };
export const unstageCall: Call = { name: 'UpdateSecretVersionStage AWSPENDING', target: 'UpdateSecretVersionStage', match: (b) => b.VersionStage === 'AWSPENDING', phase: 'unstage' };

/** The calls of a staged write (setup replacing a value, rotate), in order. */
export const stagedWriteCalls: Call[] = [
  describeCall(1, 'read-before-write'),
  getCurrent(1, 'read-before-write'),
  stageCall,
  describeCall(2, 'read-before-promotion'),
  getVersion('read-before-promotion'),
  promoteCall,
  unstageCall,
  describeCall(3, 'read-after-write'),
  getCurrent(2, 'read-after-write'),
];
/** The calls of setup storing the first value of a secret (a plain put). */
export const firstValueCalls: Call[] = [
  describeCall(1, 'read-before-write'),
  { name: 'PutSecretValue (first value)', target: 'PutSecretValue', phase: 'stage' },
  describeCall(2, 'read-after-write'),
  getCurrent(1, 'read-after-write'),
];
export const rollbackCalls: Call[] = [
  describeCall(1, 'read-before-write'),
  getCurrent(1, 'read-before-write'),
  getVersion('read-before-write'),
  { ...promoteCall, name: 'UpdateSecretVersionStage AWSCURRENT (the rollback move)' },
  describeCall(2, 'read-after-write'),
  getCurrent(2, 'read-after-write'),
];

export const isWrite = (p: Phase) => p === 'stage' || p === 'promotion' || p === 'unstage';
export const faultsFor = (c: Call): Fault[] => (isWrite(c.phase) ? ['drop-after', 'cut', 'hang', 'throttle', '5xx'] : ['cut', 'hang', 'throttle', '5xx']);

/** What a fault at this phase must leave: the write done (new value current) or not (stages as before). */
export function expected(phase: Phase, fault: Fault, staged: boolean): { exit: number; written: boolean; says: RegExp } {
  if (fault === 'drop-after') return { exit: 0, written: true, says: /./ };
  switch (phase) {
    case 'read-before-write':
      return { exit: 5, written: false, says: /./ };
    case 'stage':
      return { exit: 5, written: false, says: /AWSCURRENT unchanged \(version [\w-]+\)|the secret still has no value/ };
    case 'read-before-promotion':
    case 'promotion':
      return { exit: 5, written: false, says: staged ? /AWSPENDING removed; AWSCURRENT unchanged \(version [\w-]+\)/ : /AWSCURRENT unchanged \(version [\w-]+\)/ };
    case 'unstage':
      return { exit: 0, written: true, says: /./ };
    case 'read-after-write':
      return { exit: 5, written: true, says: /AWSCURRENT (is |\()version [\w-]+\)?( again)?, confirmed by Secrets Manager/ };
  }
}

/** What injects the faults: the fault proxy in front of moto, or the in-memory Secrets Manager. */
export interface FaultInjector {
  fail(rule: { target: string; match?: (b: Body) => boolean; skip?: number; mode: Fault }): unknown;
  restore(): void;
  readonly state: { hits: number };
}

export interface MatrixWorld {
  secrets: SecretsAdmin;
  rw: World['rw'];
  rw2: World['rw2'];
  run(args: string[], o?: { env?: Record<string, string | undefined>; input?: string }): Promise<RunResult>;
}

export interface Scenario {
  command: string;
  calls: Call[];
  arrange(name: string): Promise<void>;
  args(name: string): string[];
  input(): string | undefined;
  before(): string | undefined;
  after(): string;
}

export function scenarios(w: MatrixWorld): Scenario[] {
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });
  return [
    {
      command: 'setup (first value)',
      calls: firstValueCalls,
      arrange: async (name: string) => void (await w.secrets.create(name)),
      args: (name: string) => ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name],
      input: () => w.rw.token,
      before: () => undefined,
      after: () => w.rw.token,
    },
    {
      command: 'setup (replacing a value)',
      calls: stagedWriteCalls,
      arrange: async (name: string) => void (await w.secrets.create(name, value(w.rw.token))),
      args: (name: string) => ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--yes'],
      input: () => w.rw2.token,
      before: (): string | undefined => w.rw.token,
      after: () => w.rw2.token,
    },
    {
      command: 'rotate',
      calls: stagedWriteCalls,
      arrange: async (name: string) => void (await w.secrets.create(name, value(w.rw.token))),
      args: (name: string) => ['rotate', '--non-interactive', '--token-stdin', '--secret-id', name],
      input: () => w.rw2.token,
      before: () => w.rw.token,
      after: () => w.rw2.token,
    },
    {
      command: 'rollback',
      calls: rollbackCalls,
      arrange: async (name: string) => {
        await w.secrets.create(name, value(w.rw.token));
        await w.secrets.put(name, value(w.rw2.token));
      },
      args: (name: string) => ['rollback', '--non-interactive', '--secret-id', name, '--yes'],
      input: () => undefined,
      before: () => w.rw2.token,
      after: () => w.rw.token,
    },
  ];
}


/**
 * Registers one test per (scenario, call, fault) that `pick` keeps. `env(fault)` is the
 * environment of the run: the endpoint, and the attempts and timeouts that let the fault hit the call itself.
 */
export function faultMatrix(
  w: MatrixWorld,
  faults: () => FaultInjector,
  env: (fault: Fault) => Record<string, string>,
  pick: (s: Scenario, call: Call, fault: Fault) => boolean = () => true,
): void {
  for (const s of scenarios(w)) {
    for (const call of s.calls) {
      for (const fault of faultsFor(call)) {
        if (!pick(s, call, fault)) continue;
        it(`${s.command}: ${fault} at ${call.name}`, async () => {
          const name = uniqueName();
          await s.arrange(name);
          const before = await w.secrets.stages(name);
          const want = expected(call.phase, fault, s.command !== 'rollback');
          // Human output for writes, --json for reads: both are checked across the table.
          const json = !isWrite(call.phase) || fault === 'hang';
          faults().fail({ target: call.target, match: call.match, skip: call.skip, mode: fault });
          const r = await w.run([...s.args(name), ...(json ? ['--json'] : [])], { input: s.input(), env: env(fault) });
          faults().restore();
          expect(faults().state.hits, 'the fault was injected').toBe(1);

          expect(r.exitCode, r.stderr).toBe(want.exit);
          const stored = await w.secrets.value(name).catch(() => undefined);
          const current = stored === undefined ? undefined : JSON.parse(stored).token;
          expect(current).toBe(want.written ? s.after() : s.before());
          // Versions without a label are invisible to every reader (AWS calls them deprecated); labels must be as before.
          const labelled = (st: Record<string, string[]>) => Object.fromEntries(Object.entries(st).filter(([, v]) => v.length));
          const stagesAfter = await w.secrets.stages(name);
          if (!want.written) expect(labelled(stagesAfter)).toEqual(labelled(before));
          const pendingOnOther = Object.entries(stagesAfter).some(([, st]) => st.includes('AWSPENDING') && !st.includes('AWSCURRENT'));
          expect(pendingOnOther, 'no stray AWSPENDING is left').toBe(false);

          if (json) {
            const out = JSON.parse(r.stdout);
            expect(out.ok).toBe(want.exit === 0);
            if (want.exit !== 0) {
              expect(out.error.exitCode).toBe(want.exit);
              expect(`${out.error.message} ${out.error.state ?? ''}`).toMatch(want.says);
              expect(JSON.stringify(out)).not.toMatch(/nothing was changed/i);
            }
          } else {
            expect(r.stderr).toMatch(want.says);
            if (want.exit !== 0) expect(r.stderr).toMatch(/^✗ /m);
          }
          if (!want.written && call.phase !== 'read-before-write') expect(r.stdout + r.stderr).not.toMatch(/Cancelled|refused|permission/i);
          if (call.phase === 'unstage' && fault !== 'drop-after') expect(r.stderr).toContain('AWSPENDING could not be removed');
        });
      }
    }
  }

}
