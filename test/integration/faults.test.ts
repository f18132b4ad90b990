// The fault matrix (test/support/fault-matrix.ts) as the built CLI against moto
// behind the fault proxy: one case per command and per kind of fault, so the
// proxy, the SDK's retries and its timeouts stay exercised end to end. Every
// case of the matrix runs in process in test/in-process/faults.test.ts.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useFaultProxy, useWorld } from '../support/world.js';
import { faultMatrix, faultsFor, scenarios, type Fault } from '../support/fault-matrix.js';

/** [scenario, call, fault]: each command once, each fault once. */
const SAMPLE = new Set([
  'setup (first value)|PutSecretValue (first value)|hang',
  'setup (replacing a value)|UpdateSecretVersionStage AWSCURRENT|drop-after',
  'rotate|PutSecretValue AWSPENDING|cut',
  'rotate|DescribeSecret #3|throttle',
  'rollback|UpdateSecretVersionStage AWSCURRENT (the rollback move)|5xx',
]);

describeWith(['moto_server', 'docker'], 'faults at AWS calls, end to end: what is reported is what Secrets Manager holds', () => {
  const w = useWorld();
  const faults = useFaultProxy(w);
  // One attempt per call, so the fault hits the call itself; drop-after keeps the SDK's
  // retry, which is what turns a lost answer into a failed compare-and-swap on real AWS.
  const env = (fault: Fault) => ({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url,
    AWS_MAX_ATTEMPTS: fault === 'drop-after' ? '2' : '1',
    DOCKERHUB_CREDENTIALS_AWS_REQUEST_TIMEOUT: '1',
    DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '3',
  });
  faultMatrix(w, faults, env, (s, call, fault) => SAMPLE.has(`${s.command}|${call.name}|${fault}`));

  it('every sampled case is a case of the matrix', () => {
    const cases = scenarios(w).flatMap((s) => s.calls.flatMap((call) => faultsFor(call).map((fault) => `${s.command}|${call.name}|${fault}`)));
    expect([...SAMPLE].filter((k) => !cases.includes(k))).toEqual([]);
  });

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
