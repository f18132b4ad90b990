// The fleet figure (issue 23): `status` over 1,000 secrets in 4 regions against moto,
// against the naive loop (list the names, then one DescribeSecret per secret).
// Used by bench/run.mjs; `node bench/fleet.mjs` prints this one row alone.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startMoto } from '../test/support/moto.mjs';

const root = new URL('..', import.meta.url).pathname;
const REGIONS = ['eu-west-2', 'us-east-1', 'ap-southeast-2', 'sa-east-1'];
const PER_REGION = 250;

const call = (url, region, target, body) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${target}`, authorization: `AWS4-HMAC-SHA256 Credential=bench/20260101/${region}/secretsmanager/aws4_request` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  }).then(async (r) => ({ status: r.status, text: await r.text() }));

/** moto answers some concurrent creates with HTTP 500: each one is retried, a bounded number of times. */
async function create(url, region, body) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await call(url, region, 'CreateSecret', body);
    if (r.status === 200) return;
  }
  throw new Error(`moto did not create ${body.Name} in ${region}`);
}

// The naive loop a script would run: one DescribeSecret per secret, after listing the names.
// Against moto it takes about a second per DescribeSecret with 1,000 secrets held, so it runs
// on a sample (SAMPLE per region) and its time is scaled to the whole fleet; the row says so.
const SAMPLE = Number(process.env.BENCH_FLEET_SAMPLE ?? 10);
const NAIVE = `
const sdk = await import(${JSON.stringify(join(root, 'node_modules/@aws-sdk/client-secrets-manager/dist-cjs/index.js'))});
let n = 0;
let describeMs = 0;
for (const region of process.argv.slice(1)) {
  // Bounded, as the tool's own calls are: moto sometimes leaves a request unanswered.
  const c = new sdk.SecretsManagerClient({ region, maxAttempts: 5, requestHandler: { requestTimeout: 5000, connectionTimeout: 2000 } });
  let NextToken;
  const names = [];
  do {
    const page = await c.send(new sdk.ListSecretsCommand({ MaxResults: 100, NextToken, Filters: [{ Key: 'tag-key', Values: ['dockerhub-credentials'] }] }));
    names.push(...page.SecretList.map((s) => s.Name));
    NextToken = page.NextToken;
  } while (NextToken);
  if (names.length !== ${PER_REGION}) throw new Error('listed ' + names.length);
  const t = performance.now();
  for (const name of names.slice(0, ${SAMPLE})) {
    await c.send(new sdk.DescribeSecretCommand({ SecretId: name }));
    n++;
  }
  describeMs += performance.now() - t;
}
console.log(JSON.stringify({ n, describeMs }));
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function timed(cmd, args, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, timeout: 900_000, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.slice(0, 2).join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
  return { ms, stdout: String(r.stdout) };
}

/** Seeds moto, times both, and returns [figure, value, reference, ratio, goal]. */
export async function fleetFigure(node = process.execPath, runs = Number(process.env.BENCH_FLEET_RUNS ?? 3)) {
  const moto = await startMoto();
  try {
    for (const region of REGIONS) {
      // One at a time: moto fails (HTTP 500) and can stall on concurrent creates.
      for (let i = 0; i < PER_REGION; i++) {
        await create(moto.url, region, { Name: `fleet/app-${i}`, SecretString: '{"username":"benchuser","token":"x"}', Tags: [{ Key: 'dockerhub-credentials:consumers', Value: 'ecs' }] });
      }
    }
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      NO_COLOR: '1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const status = [node, [join(root, 'bin/dockerhub-credentials.cjs'), 'status', '--regions', REGIONS.join(','), '--json'], env];
    const naive = [node, ['--input-type=module', '-e', NAIVE, ...REGIONS], env];
    if (process.env.BENCH_VERBOSE) console.error('fleet: seeded');
    const first = JSON.parse(timed(...status).stdout);
    if (first.count !== REGIONS.length * PER_REGION) throw new Error(`status listed ${first.count} secrets`);
    const a = [];
    const b = [];
    const scale = PER_REGION / SAMPLE;
    for (let i = 0; i < runs; i++) {
      a.push(timed(...status).ms);
      if (process.env.BENCH_VERBOSE) console.error(`fleet: status ${a.at(-1)} ms`);
      // Listing the names is timed in full; the DescribeSecret part is scaled from the sample.
      const r = timed(...naive);
      const { describeMs } = JSON.parse(r.stdout);
      b.push(r.ms - describeMs + describeMs * scale);
      if (process.env.BENCH_VERBOSE) console.error(`fleet: status ${a.at(-1)} ms, naive ${b.at(-1)} ms`);
    }
    const ratio = median(a) / median(b);
    return [`status, ${REGIONS.length * PER_REGION} secrets in ${REGIONS.length} regions (moto)`, `${median(a).toFixed(0)} ms`, `naive loop (DescribeSecret each, scaled from ${SAMPLE * REGIONS.length}): ${median(b).toFixed(0)} ms`, ratio, `a few seconds ${median(a) <= 5000 ? '(met)' : '(NOT met)'}`];
  } finally {
    await moto.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [figure, value, reference, ratio, goal] = await fleetFigure();
  console.log(`${figure}: ${value}; ${reference}; ratio ${ratio.toFixed(2)}×; goal: ${goal}`);
}
