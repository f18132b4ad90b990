// `npm run demo`: the whole product on a local sandbox, for a newcomer without
// AWS or Docker Hub. Starts moto (Secrets Manager) and the Docker Hub stand-in,
// creates an empty secret, runs the real `setup` wizard, then `verify`.
// `npm run demo -- --terraform` creates the secret with terraform/examples/ci-agent
// instead (terraform apply against moto), and destroys it at the end.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REGION as region, SECRET_ID as secretId, USERNAME as username, createEmptySecret, demoTokens, requireMoto, serviceEnv, startServices } from './local-services.mjs';
import { findProviderMirror, motoProviderOverride } from '../test/support/terraform-mirror.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'bin/dockerhub-credentials.cjs');

requireMoto('The demo');

const useTerraform = process.argv.includes('--terraform');
const mirror = findProviderMirror();
if (useTerraform && (spawnSync('terraform', ['version'], { stdio: 'ignore' }).error || !mirror)) {
  console.error('✗ --terraform needs terraform and the offline AWS provider mirror (set TF_PLUGIN_MIRROR to the folder holding registry.terraform.io).');
  process.exit(2);
}

// One read & write PAT of demouser is all the guided run needs.
const demo = demoTokens()[0];
const token = demo.token;
// Not `dockerhub-credentials-…`: no sweep of the tool's temporary folders (any release) may take it for one.
const sandbox = mkdtempSync(join(tmpdir(), 'dhc-demo-'));
mkdirSync(join(sandbox, 'home/.docker'), { recursive: true });

const services = await startServices([demo.account]);
const { moto, hub } = services;
const env = {
  PATH: process.env.PATH,
  HOME: join(sandbox, 'home'),
  TERM: process.env.TERM ?? 'xterm-256color',
  ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
  ...serviceEnv(services),
  ...(process.env.NO_COLOR ? { NO_COLOR: process.env.NO_COLOR } : {}),
};

const run = (args, input) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'] });
    if (input !== undefined) child.stdin.end(input);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });

/**
 * Terraform, summarised: one line per resource and the totals, read from its
 * machine-readable output (`-json`), plus any warning or error it reports;
 * what else it printed is shown only when it fails. No colour codes
 * when the output is not a terminal.
 */
const terraform = async (dir, args, { json = true } = {}) => {
  const child = spawn('terraform', [`-chdir=${dir}`, ...args, ...(json ? ['-json'] : []), ...(process.stderr.isTTY ? [] : ['-no-color'])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' },
  });
  const raw = [];
  child.stderr.on('data', (d) => raw.push(String(d)));
  for await (const line of createInterface({ input: child.stdout })) {
    let m;
    try {
      m = json ? JSON.parse(line) : undefined;
    } catch {}
    if (!m) {
      raw.push(`${line}\n`);
      continue;
    }
    // A data source read (hook.action "read") is not a resource of the example.
    if (m.type === 'apply_complete' && m.hook?.action !== 'read') console.error(`  ✓ ${m['@message'].replace(/ after \d+s/, '')}`);
    else if (m.type === 'apply_errored') console.error(`  ✗ ${m['@message'].replace(/ after \d+s/, '')}`);
    else if (m.type === 'change_summary') console.error(`  ${m['@message']}`);
    else if (m.type === 'diagnostic') {
      const { severity, summary, detail, address } = m.diagnostic ?? {};
      const where = address ? `${address}: ` : '';
      console.error(severity === 'error' ? `  ✗ terraform: ${where}${summary}${detail ? `: ${detail}` : ''}` : `  ! terraform: ${where}${summary}`);
    }
  }
  const code = await new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('close', (c) => resolve(c ?? 1))));
  if (code !== 0) {
    process.stderr.write(raw.join(''));
    throw new Error(`terraform ${args[0]} failed (exit ${code})`);
  }
};

let code = 1;
try {
  const tfDir = join(sandbox, 'terraform/examples/ci-agent');
  const tfVars = ['-input=false', '-auto-approve', '-var', `secret_name=${secretId}`, '-var', `region=${region}`];
  if (useTerraform) {
    // The example root module, applied against moto from a scratch copy.
    cpSync(join(root, 'terraform'), join(sandbox, 'terraform'), { recursive: true, filter: (src) => !/\.terraform|tfstate/.test(src) });
    writeFileSync(join(tfDir, 'moto_override.tf'), motoProviderOverride(moto.url, region));
    console.error('\nterraform init and apply of terraform/examples/ci-agent against moto:');
    await terraform(tfDir, ['init', '-input=false', `-plugin-dir=${mirror}`], { json: false });
    console.error('  ✓ terraform init: the AWS provider from the offline mirror');
    await terraform(tfDir, ['apply', ...tfVars]);
    console.error('\nThe check CI runs, before setup (expect exit 4 and "run setup"):\n');
    await run(['verify']);
  } else {
    // What Terraform would create: the secret, with no value yet.
    await createEmptySecret(moto.url);
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
    console.error('\nterraform destroy:');
    await terraform(tfDir, ['destroy', ...tfVars]);
  }
} catch (e) {
  console.error(`✗ ${e.message}`);
  code = 1;
} finally {
  await hub.stop();
  await moto.stop();
  rmSync(sandbox, { recursive: true, force: true });
  console.error(`\nSandbox stopped and removed (exit ${code}).`);
}
process.exit(code);
