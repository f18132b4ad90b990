'use strict';
// What the action's two steps share: GitHub's files (GITHUB_OUTPUT, GITHUB_STATE), the
// inputs (INPUT_<NAME> variables), and which dockerhub-credentials to run. Plain CommonJS
// with no dependencies: the runner's own Node runs it straight from the action's checkout.
const { appendFileSync, readFileSync, statSync } = require('node:fs');
const { delimiter, join } = require('node:path');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');

/** An input as GitHub passes it: INPUT_ and the name in capitals (hyphens kept). */
const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

/** Appends name=value to one of GitHub's files, in its multi-line form (a value cannot end the record early). */
function appendTo(variable, name, value) {
  const file = process.env[variable];
  if (!file) return;
  const marker = `ghadelimiter_${randomBytes(8).toString('hex')}`;
  appendFileSync(file, `${name}<<${marker}\n${value}\n${marker}\n`);
}
const setOutput = (name, value) => appendTo('GITHUB_OUTPUT', name, value);
/** The post step reads it back as STATE_<name>. Never a secret: only names and choices. */
const saveState = (name, value) => appendTo('GITHUB_STATE', name, value);

const onPath = (name) => {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || !dir.startsWith('/')) continue;
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
};

/** Each child's bound, in seconds: the timeout input (default 300), saved for the post step. */
function timeoutSeconds() {
  const raw = input('timeout') || process.env.STATE_timeout || '300';
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 300;
}

/**
 * Runs one child, bounded: SIGTERM to its process group at the timeout (the CLI ends cleanly on
 * it; npx's own node child goes too), SIGKILL 5 s later if anything is still there. Resolves
 * { status, stdout, timedOut, error }.
 */
function spawnBounded(file, args, { seconds = timeoutSeconds(), stderr = 'inherit' } = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, { stdio: ['ignore', 'pipe', stderr], env: { ...process.env, NO_COLOR: '1' }, detached: true });
    } catch (error) {
      resolve({ status: 1, stdout: '', timedOut: false, error });
      return;
    }
    let stdout = '';
    let timedOut = false;
    let kill;
    const signal = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      signal('SIGTERM');
      kill = setTimeout(() => signal('SIGKILL'), 5000);
    }, seconds * 1000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
    });
    const done = (status, error) => {
      clearTimeout(timer);
      clearTimeout(kill);
      resolve({ status, stdout, timedOut, error });
    };
    child.on('error', (error) => done(1, error));
    child.on('close', (code) => done(code ?? 1));
  });
}

/** The sentence for a child that hit its bound, and the fix. */
const timedOutSentence = (what, seconds) => `${what} did not finish within ${seconds} s and was stopped; check the network to AWS (and to the npm registry when npx fetches the package), or raise the action's timeout input (seconds).`;

/** The version this action is: package.json's, beside action.yml. */
const pinnedVersion = () => JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;

/**
 * The command to run: a dockerhub-credentials already on PATH (the single executable, or a
 * global npm install) when its --version is this action's own version; else the npm package of
 * this action's version through npx. A binary of another version (or one that cannot say its
 * version) is not run: with npx on PATH the pinned package runs instead, with a notice; without
 * npx, { error } says what to install. Resolves { command } or { error }.
 */
async function cli() {
  const version = pinnedVersion();
  const npx = onPath('npx');
  const pinned = [npx ?? 'npx', '--yes', `dockerhub-credentials@${version}`];
  const found = onPath('dockerhub-credentials');
  if (!found) return { command: pinned };
  const seconds = Math.min(60, timeoutSeconds());
  const r = await spawnBounded(found, ['--version'], { seconds, stderr: 'ignore' });
  const said = /^\s*v?(\S+)/.exec(r.stdout)?.[1];
  if (r.status === 0 && said === version) return { command: [found] };
  const what = r.timedOut ? `did not answer --version within ${seconds} s` : r.status !== 0 || !said ? `could not say its version (--version exited ${r.status})` : `is version ${said}`;
  if (npx) {
    process.stdout.write(`::notice::${found} ${what}, not this action's ${version}: running npx dockerhub-credentials@${version} instead.\n`);
    return { command: pinned };
  }
  return { error: `${found} ${what}, and this action is ${version} (there is no npx on PATH to run ${version} instead): install the ${version} single executable as ${found}, or use the action at the version on PATH.` };
}

/**
 * Runs the CLI with --json: its progress lines go to the job's log (stderr), the one JSON
 * object it prints is returned. The token never passes through here: the CLI hands it to
 * docker's stdin.
 */
async function run(command, args) {
  const [file, ...pre] = command;
  const seconds = timeoutSeconds();
  const r = await spawnBounded(file, [...pre, ...args, '--json', '--non-interactive'], { seconds });
  let result;
  try {
    result = JSON.parse(r.stdout);
  } catch {
    result = undefined;
  }
  return { status: r.status, result, error: r.error, timedOut: r.timedOut ? timedOutSentence(`dockerhub-credentials ${args[0]}`, seconds) : undefined };
}

/** A failure as GitHub shows it: an error annotation, then the exit. */
function fail(message) {
  process.stdout.write(`::error::${message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
  process.exitCode = 1;
}

module.exports = { input, setOutput, saveState, cli, run, fail, timeoutSeconds };
