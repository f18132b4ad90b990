// `npm run demo`: the whole product on a local sandbox, for a newcomer without
// AWS or Docker Hub. Starts moto (Secrets Manager) and the Docker Hub stand-in,
// creates an empty secret, runs the real `setup` wizard, then `verify`.
// `npm run demo -- --terraform` creates the secret with terraform/examples/ci-agent
// instead (terraform apply against moto), and destroys it at the end.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto } from '../test/support/moto.mjs';
import { makePat, startHubStandin } from '../test/support/hub-standin.mjs';
import { findProviderMirror, motoProviderOverride } from '../test/support/terraform-mirror.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'bin/dockerhub-credentials.cjs');

if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error) {
  console.error('✗ The demo needs moto_server (the AWS emulator). Install it with: pip install "moto[server]"');
  process.exit(2);
}

const useTerraform = process.argv.includes('--terraform');
const mirror = findProviderMirror();
if (useTerraform && (spawnSync('terraform', ['version'], { stdio: 'ignore' }).error || !mirror)) {
  console.error('✗ --terraform needs terraform and the offline AWS provider mirror (set TF_PLUGIN_MIRROR to the folder holding registry.terraform.io).');
  process.exit(2);
}

const username = 'demouser';
const token = makePat();
const secretId = 'demo/dockerhub';
const region = 'eu-west-2';
const sandbox = mkdtempSync(join(tmpdir(), 'dockerhub-credentials-demo-'));
mkdirSync(join(sandbox, 'home/.docker'), { recursive: true });

const moto = await startMoto();
const hub = await startHubStandin({ accounts: [{ username, secret: token, kind: 'pat', level: 'write', state: 'ok' }] });
const env = {
  PATH: process.env.PATH,
  HOME: join(sandbox, 'home'),
  TERM: process.env.TERM ?? 'xterm-256color',
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_REGION: region,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url,
  DOCKERHUB_CREDENTIALS_SECRET_ID: secretId,
  DOCKERHUB_CREDENTIALS_REGISTRY: hub.url,
  DOCKERHUB_CREDENTIALS_HUB_URL: hub.url,
  ...(process.env.NO_COLOR ? { NO_COLOR: process.env.NO_COLOR } : {}),
};

const run = (args, input) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'] });
    if (input !== undefined) child.stdin.end(input);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });

let code = 1;
try {
  let tfDir;
  const terraform = (...args) => {
    const r = spawnSync('terraform', [`-chdir=${tfDir}`, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' } });
    if (r.status !== 0) throw new Error(`terraform ${args[0]} failed`);
  };
  if (useTerraform) {
    // The example root module, applied against moto from a scratch copy.
    cpSync(join(root, 'terraform'), join(sandbox, 'terraform'), { recursive: true, filter: (src) => !/\.terraform|tfstate/.test(src) });
    tfDir = join(sandbox, 'terraform/examples/ci-agent');
    writeFileSync(join(tfDir, 'moto_override.tf'), motoProviderOverride(moto.url, region));
    console.error('\nterraform init and apply of terraform/examples/ci-agent against moto:\n');
    terraform('init', '-input=false', `-plugin-dir=${mirror}`);
    terraform('apply', '-auto-approve', '-input=false', '-var', `secret_name=${secretId}`, '-var', `region=${region}`);
    console.error('\nThe check CI runs, before setup (expect exit 4 and "run setup"):\n');
    await run(['verify']);
  } else {
    // What Terraform would create: the secret, with no value yet.
    await fetch(moto.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.CreateSecret', authorization: `AWS4-HMAC-SHA256 Credential=demo/20260101/${region}/secretsmanager/aws4_request` },
      body: JSON.stringify({ Name: secretId, Description: 'Docker Hub token for CI (demo)' }),
    });
  }
  const interactive = process.stdin.isTTY && process.stderr.isTTY;
  console.error(`
Sandbox ready: AWS Secrets Manager (moto) at ${moto.url}, Docker Hub stand-in at ${hub.url}.
The secret ${secretId} exists, ${useTerraform ? 'created by Terraform above' : 'as Terraform would leave it'}, but holds no value.
${interactive ? `
When the wizard asks, answer:
  Docker ID:     ${username}
  Access token:  ${token}   (a demo token; paste it)
  Repository:    ${username}/app   (or leave empty)
` : `No terminal: running setup unattended with the demo token on stdin.`}`);
  code = interactive
    ? await run(['setup'])
    : await run(['setup', '--non-interactive', '--token-stdin', '--username', username, '--repository', `${username}/app`], token);
  if (code === 0) {
    console.error('\nNow the check that CI and onboarding runbooks run:\n');
    code = await run(['verify']);
  }
  if (useTerraform) {
    console.error('\nterraform destroy:\n');
    terraform('destroy', '-auto-approve', '-input=false', '-var', `secret_name=${secretId}`, '-var', `region=${region}`);
  }
} finally {
  await hub.stop();
  await moto.stop();
  rmSync(sandbox, { recursive: true, force: true });
  console.error(`\nSandbox stopped and removed (exit ${code}).`);
}
process.exit(code);
