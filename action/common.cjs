'use strict';
// What the action's two steps share: GitHub's files (GITHUB_OUTPUT, GITHUB_STATE), the
// inputs (INPUT_<NAME> variables), and which dockerhub-credentials to run. Plain CommonJS
// with no dependencies: the runner's own Node runs it straight from the action's checkout.
const { appendFileSync, readFileSync, statSync } = require('node:fs');
const { delimiter, join } = require('node:path');
const { spawnSync } = require('node:child_process');
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

/**
 * The command to run: a dockerhub-credentials already on PATH (the single executable,
 * or a global npm install), else the npm package of this action's own version through npx.
 */
function cli() {
  const found = onPath('dockerhub-credentials');
  if (found) return [found];
  const version = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;
  return [onPath('npx') ?? 'npx', '--yes', `dockerhub-credentials@${version}`];
}

/**
 * Runs the CLI with --json: its progress lines go to the job's log (stderr), the one JSON
 * object it prints is returned. The token never passes through here: the CLI hands it to
 * docker's stdin.
 */
function run(command, args) {
  const [file, ...pre] = command;
  const r = spawnSync(file, [...pre, ...args, '--json', '--non-interactive'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  let result;
  try {
    result = JSON.parse(r.stdout);
  } catch {
    result = undefined;
  }
  return { status: r.status ?? 1, result, error: r.error };
}

/** A failure as GitHub shows it: an error annotation, then the exit. */
function fail(message) {
  process.stdout.write(`::error::${message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
  process.exitCode = 1;
}

module.exports = { input, setOutput, saveState, cli, run, fail };
