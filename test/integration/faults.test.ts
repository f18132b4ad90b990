// Faults at every Secrets Manager call of setup, rotate and rollback, injected by
// a proxy in front of moto: the answer lost after a write went through, the
// connection cut before it, an endpoint that never answers, throttling and a 5xx.
// Each case checks the stages before and after, and that the exit code, the
// sentence and the --json object say exactly what the stages show.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useFaultProxy, useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

type Fault = 'drop-after' | 'cut' | 'hang' | 'throttle' | '5xx';
type Body = { VersionStage?: string; VersionStages?: string[]; VersionId?: string };
/** Where the call sits in the command's story, which decides what a fault there must leave. */
type Phase = 'read-before-write' | 'stage' | 'read-before-promotion' | 'promotion' | 'unstage' | 'read-after-write';

interface Call {
  name: string;
  target: string;
  match?: (b: Body) => boolean;
  skip?: number;
  phase: Phase;
}

const describeCall = (n: number, phase: Phase): Call => ({ name: `DescribeSecret #${n}`, target: 'DescribeSecret', skip: n - 1, phase });
const getCurrent = (n: number, phase: Phase): Call => ({ name: `GetSecretValue AWSCURRENT #${n}`, target: 'GetSecretValue', match: (b) => b.VersionStage === 'AWSCURRENT', skip: n - 1, phase });
const getVersion: (phase: Phase) => Call = (phase) => ({ name: 'GetSecretValue by VersionId', target: 'GetSecretValue', match: (b) => Boolean(b.VersionId), phase });
const stageCall: Call = { name: 'PutSecretValue AWSPENDING', target: 'PutSecretValue', phase: 'stage' };
const promoteCall: Call = { name: 'UpdateSecretVersionStage AWSCURRENT', target: 'UpdateSecretVersionStage', match: (b) => b.VersionStage === 'AWSCURRENT', phase: 'promotion' };
const unstageCall: Call = { name: 'UpdateSecretVersionStage AWSPENDING', target: 'UpdateSecretVersionStage', match: (b) => b.VersionStage === 'AWSPENDING', phase: 'unstage' };

/** The calls of a staged write (setup replacing a value, rotate), in order. */
const stagedWriteCalls: Call[] = [
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
const firstValueCalls: Call[] = [
  describeCall(1, 'read-before-write'),
  { name: 'PutSecretValue (first value)', target: 'PutSecretValue', phase: 'stage' },
  describeCall(2, 'read-after-write'),
  getCurrent(1, 'read-after-write'),
];
const rollbackCalls: Call[] = [
  describeCall(1, 'read-before-write'),
  getCurrent(1, 'read-before-write'),
  getVersion('read-before-write'),
  { ...promoteCall, name: 'UpdateSecretVersionStage AWSCURRENT (the rollback move)' },
  describeCall(2, 'read-after-write'),
  getCurrent(2, 'read-after-write'),
];

const isWrite = (p: Phase) => p === 'stage' || p === 'promotion' || p === 'unstage';
const faultsFor = (c: Call): Fault[] => (isWrite(c.phase) ? ['drop-after', 'cut', 'hang', 'throttle', '5xx'] : ['cut', 'hang', 'throttle', '5xx']);

/** What a fault at this phase must leave: the write done (new value current) or not (stages as before). */
function expected(phase: Phase, fault: Fault, staged: boolean): { exit: number; written: boolean; says: RegExp } {
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

describeWith(['moto_server', 'docker'], 'faults at every AWS call: what is reported is what Secrets Manager holds', () => {
  const w = useWorld();
  const faults = useFaultProxy(w);
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });
  // One attempt per call, so the fault hits the call itself; drop-after keeps the SDK's
  // retry, which is what turns a lost answer into a failed compare-and-swap on real AWS.
  const env = (fault: Fault) => ({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url,
    AWS_MAX_ATTEMPTS: fault === 'drop-after' ? '2' : '1',
    DOCKERHUB_CREDENTIALS_AWS_REQUEST_TIMEOUT: '1',
    DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '3',
  });

  const scenarios = [
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

  for (const s of scenarios) {
    for (const call of s.calls) {
      for (const fault of faultsFor(call)) {
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

  it('a timeout too large to bound a run (3000000 s, past what a timer holds) is exit 2 before anything is sent', async () => {
    const r = await w.run(['verify', '--secret-id', 'ci/any', '--json'], { env: { DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '3000000' } });
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toContain('DOCKERHUB_CREDENTIALS_AWS_TIMEOUT must be a number of seconds greater than 0 and at most 600');
  });

  it('an endpoint that accepts connections and never answers ends with exit 5 naming it', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const endpoint = `http://127.0.0.1:${(silent.address() as import('node:net').AddressInfo).port}`;
    try {
      const r = await w.run(['verify', '--secret-id', 'ci/any', '--json'], {
        env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint, DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '3' },
      });
      expect(r.exitCode).toBe(5);
      const out = JSON.parse(r.stdout);
      expect(out.error.message).toContain(endpoint);
      expect(out.error.message).toMatch(/did not answer|timed out/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
