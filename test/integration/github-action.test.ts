// The GitHub Action (action.yml): its main and post steps run as scripts with the environment
// GitHub gives them (INPUT_* variables, the GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STATE files,
// RUNNER_TEMP; the post step gets STATE_* from GITHUB_STATE), against moto, the Docker Hub
// stand-in and the real docker CLI. After each step: the docker config, and no token in any
// of those files.
import { afterEach, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, describeWith, filesUnder } from '../support/harness.js';
import { which } from '../support/binaries.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { BUILD_TIMEOUT_MS, binary, ensureBinaries } from '../support/binaries.js';

/** GitHub's multi-line form, name<<DELIMITER / value / DELIMITER, as the runner reads it back. */
function readGithubFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

describeWith(['moto_server', 'docker'], 'the GitHub Action: main step logs in, post step logs out (moto, stand-in, real docker CLI)', () => {
  const w = useWorld();
  const host = () => new URL(w.hub.url).host;
  const b64 = (token: string) => Buffer.from(`alice1:${token}`).toString('base64');

  /** A runner: its docker config, RUNNER_TEMP and GitHub's files, and dockerhub-credentials on PATH. */
  // The command's folder lies outside the sandbox, whose every file is searched for the token:
  // a 145 MB executable holds any six characters somewhere.
  const outside: string[] = [];
  afterEach(() => {
    for (const d of outside.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const runner = (cli = CLI) => {
    const root = join(w.sandbox.root, 'runner');
    const temp = join(root, 'temp');
    const docker = join(root, 'docker');
    const bin = mkdtempSync(join(tmpdir(), 'dhc-action-bin-'));
    outside.push(bin);
    for (const d of [temp, docker]) mkdirSync(d, { recursive: true });
    const before = JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('me:ghp_other').toString('base64') } }, currentContext: 'default' }, null, '\t');
    writeFileSync(join(docker, 'config.json'), before);
    symlinkSync(cli, join(bin, 'dockerhub-credentials'));
    const files = { GITHUB_ENV: join(temp, '_runner_file_commands/set_env'), GITHUB_OUTPUT: join(temp, '_runner_file_commands/set_output'), GITHUB_STATE: join(temp, '_runner_file_commands/save_state') };
    mkdirSync(join(temp, '_runner_file_commands'));
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env = { ...w.env(), HOME: w.sandbox.home, TMPDIR: w.sandbox.tmp, DOCKER_CONFIG: docker, RUNNER_TEMP: temp, GITHUB_ACTIONS: 'true', PATH: `${bin}:${process.env.PATH}`, ...files };
    const config = () => readFileSync(join(docker, 'config.json'), 'utf8');
    /** No token in GitHub's files, RUNNER_TEMP, or `text`. */
    const noToken = (text: string) => {
      w.assertNoCanary('step output', text);
      for (const [path, content] of filesUnder(temp)) w.assertNoCanary(path, content);
    };
    return { root, bin, temp, docker, files, env, before, config, noToken };
  };
  const step = (script: 'main' | 'post', env: Record<string, string | undefined>) =>
    execa(process.execPath, [join(ROOT, 'action', `${script}.cjs`)], { env: env as Record<string, string>, extendEnv: false, reject: false, cwd: w.sandbox.cwd, timeout: 120_000 });
  const secret = async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    return name;
  };
  const inputs = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));

  it('action.yml: the inputs, node24, and a post step that runs after a failed job too', () => {
    const yml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    for (const name of ['secret-id', 'region', 'registry', 'stage', 'logout', 'mask-username']) expect(yml).toMatch(new RegExp(`^  ${name}:$`, 'm'));
    expect(yml).toMatch(/^  logout:\n(?: {4}.*\n)*? {4}default: 'true'$/m);
    expect(yml).toMatch(/^  using: node24$/m);
    expect(yml).toMatch(/^  main: action\/main\.cjs$/m);
    expect(yml).toMatch(/^  post: action\/post\.cjs$/m);
    expect(yml).toMatch(/^  post-if: always\(\)$/m);
  });

  it('main logs in, post logs out: the config as it was after the job, and no token in GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE or RUNNER_TEMP', async () => {
    const r = runner();
    const name = await secret();
    const main = await step('main', { ...r.env, ...inputs({ 'secret-id': name, registry: w.hub.url, region: 'eu-west-2', stage: 'AWSCURRENT', logout: 'true', 'mask-username': 'false' }) });
    expect(main.exitCode, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toContain(`Logged in to ${host()} as alice1`);
    // The username is not masked unless asked.
    expect(main.stdout).not.toContain('::add-mask::');
    expect(JSON.parse(r.config()).auths[host()].auth).toBe(b64(w.rw.token));
    expect(readGithubFile(r.files.GITHUB_OUTPUT)).toEqual({ username: 'alice1', server: host() });
    expect(readFileSync(r.files.GITHUB_ENV, 'utf8')).toBe('');
    const state = readGithubFile(r.files.GITHUB_STATE);
    expect(state).toMatchObject({ logout: 'true', registry: w.hub.url });
    r.noToken(main.stdout + main.stderr);

    // The runner gives the post step its state as STATE_<name>.
    const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
    const post = await step('post', { ...r.env, ...stateEnv });
    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toContain(`removed auths["${host()}"]`);
    expect(r.config()).toBe(r.before);
    r.noToken(post.stdout + post.stderr);
    for (const [path, content] of filesUnder(r.docker)) expect(content, path).not.toContain(b64(w.rw.token));
  });

  it('mask-username: true masks the username; logout: false leaves the login for the post step', async () => {
    const r = runner();
    const name = await secret();
    const main = await step('main', { ...r.env, ...inputs({ 'secret-id': name, registry: w.hub.url, logout: 'false', 'mask-username': 'true' }) });
    expect(main.exitCode, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toContain('::add-mask::alice1\n');
    const state = readGithubFile(r.files.GITHUB_STATE);
    expect(state.logout).toBe('false');
    const post = await step('post', { ...r.env, ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])) });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('the login stays');
    expect(JSON.parse(r.config()).auths[host()]).toBeDefined();
    r.noToken(main.stdout + post.stdout);
    // Clean up as a later job would.
    expect((await w.run(['logout'], { env: { DOCKER_CONFIG: r.docker } })).exitCode).toBe(0);
    expect(r.config()).toBe(r.before);
  });

  it('a failed login: an error annotation, exit 1, no state, and the post step has nothing to undo', async () => {
    const r = runner();
    const main = await step('main', { ...r.env, ...inputs({ 'secret-id': 'no/such/secret', registry: w.hub.url, logout: 'true' }) });
    expect(main.exitCode).toBe(1);
    expect(main.stdout).toMatch(/^::error::.*no\/such\/secret/m);
    expect(readFileSync(r.files.GITHUB_STATE, 'utf8')).toBe('');
    const post = await step('post', r.env);
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('Nothing was logged in');
    expect(r.config()).toBe(r.before);
    const missing = await step('main', { ...r.env, ...inputs({ 'secret-id': '' }) });
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('::error::The secret-id input is required');
  });

  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  /** Puts a shell stand-in in place of the runner's dockerhub-credentials. */
  const standIn = (r: ReturnType<typeof runner>, body: string) => {
    const file = join(r.bin, 'dockerhub-credentials');
    unlinkSync(file);
    writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };
  /** npx as the action calls it (--yes dockerhub-credentials@VERSION ...): logs its arguments, runs this checkout's CLI. */
  const npxStandIn = (r: ReturnType<typeof runner>) => {
    const log = join(r.bin, 'npx.log');
    writeFileSync(join(r.bin, 'npx'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nshift 2\nexec '${process.execPath}' '${CLI}' "$@"\n`, { mode: 0o755 });
    return log;
  };
  const stateEnv = (r: ReturnType<typeof runner>) => Object.fromEntries(Object.entries(readGithubFile(r.files.GITHUB_STATE)).map(([k, v]) => [`STATE_${k}`, v]));
  const gone = (pid: number) => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  };

  it('a dockerhub-credentials of another version on PATH is not run: with npx, the pinned package runs instead, with a notice', async () => {
    const r = runner();
    const old = standIn(r, `echo "0.0.9 (single executable; Node v26.0.0, linux-x64)"; echo ran >> '${r.bin}/old.log'`);
    const log = npxStandIn(r);
    const name = await secret();
    const main = await step('main', { ...r.env, ...inputs({ 'secret-id': name, registry: w.hub.url }) });
    expect(main.exitCode, main.stdout + main.stderr).toBe(0);
    expect(main.stdout).toContain(`::notice::${old} is version 0.0.9, not this action's ${version}: running npx dockerhub-credentials@${version} instead.`);
    expect(readFileSync(log, 'utf8')).toContain(`--yes dockerhub-credentials@${version} login --secret-id ${name} --registry ${w.hub.url}`);
    // Asked its version once, never run for the login.
    expect(readFileSync(join(r.bin, 'old.log'), 'utf8')).toBe('ran\n');
    expect(JSON.parse(readGithubFile(r.files.GITHUB_STATE).command!)).toEqual([join(r.bin, 'npx'), '--yes', `dockerhub-credentials@${version}`]);
    const post = await step('post', { ...r.env, ...stateEnv(r) });
    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
    expect(r.config()).toBe(r.before);
    r.noToken(main.stdout + main.stderr + post.stdout + post.stderr);
  });

  it('a dockerhub-credentials of another version, and no npx on PATH: one sentence with the fix, exit 1, docker untouched', async () => {
    const r = runner();
    const old = standIn(r, 'echo 0.0.9');
    const main = await step('main', { ...r.env, PATH: r.bin, ...inputs({ 'secret-id': 'ci/dockerhub', registry: w.hub.url }) });
    expect(main.exitCode).toBe(1);
    expect(main.stdout).toContain(`::error::${old} is version 0.0.9, and this action is ${version} (there is no npx on PATH to run ${version} instead): install the ${version} single executable as ${old}, or use the action at the version on PATH.`);
    expect(readFileSync(r.files.GITHUB_STATE, 'utf8')).toBe('');
    expect(r.config()).toBe(r.before);
  });

  it('every child is bounded by the timeout input: a login that hangs (ignoring SIGTERM) is stopped, with a sentence; so is a --version that hangs', async () => {
    const r = runner();
    const pids = join(r.bin, 'pids');
    // Answers --version as this version, then hangs on login, deaf to SIGTERM (SIGKILL follows).
    standIn(r, `if [ "$1" = --version ]; then echo ${version}; exit 0; fi\necho $$ >> '${pids}'\ntrap '' TERM\n'${which('sleep')}' 600`);
    const main = await step('main', { ...r.env, ...inputs({ 'secret-id': 'ci/dockerhub', registry: w.hub.url, timeout: '2' }) });
    expect(main.exitCode).toBe(1);
    expect(main.stdout).toContain('::error::dockerhub-credentials login did not finish within 2 s and was stopped; check the network to AWS (and to the npm registry when npx fetches the package), or raise the action\'s timeout input (seconds).');
    for (const pid of readFileSync(pids, 'utf8').trim().split('\n').map(Number)) expect(gone(pid), `pid ${pid}`).toBe(true);
    expect(readFileSync(r.files.GITHUB_STATE, 'utf8')).toBe('');

    // The post step is bounded too (its timeout from the state the main step saved).
    const post = await step('post', { ...r.env, STATE_logout: 'true', STATE_registry: w.hub.url, STATE_command: JSON.stringify([join(r.bin, 'dockerhub-credentials')]), STATE_timeout: '2' });
    expect(post.exitCode).toBe(1);
    expect(post.stdout).toContain('::error::dockerhub-credentials logout did not finish within 2 s and was stopped;');

    // A --version that never answers: not run, and (no npx on PATH) the sentence says why.
    const hung = standIn(r, `echo $$ >> '${pids}'\nexec '${which('sleep')}' 600`);
    const silent = await step('main', { ...r.env, PATH: r.bin, ...inputs({ 'secret-id': 'ci/dockerhub', registry: w.hub.url, timeout: '2' }) });
    expect(silent.exitCode).toBe(1);
    expect(silent.stdout).toContain(`::error::${hung} did not answer --version within 2 s, and this action is ${version}`);
    for (const pid of readFileSync(pids, 'utf8').trim().split('\n').map(Number)) expect(gone(pid), `pid ${pid}`).toBe(true);
    expect(r.config()).toBe(r.before);
  });

  it(
    'with the single executable as dockerhub-credentials on PATH, the steps run it (no npx, no package install)',
    async () => {
      await ensureBinaries(['linux-x64']);
      const r = runner(binary('dockerhub-credentials', 'linux-x64'));
      const name = await secret();
      const main = await step('main', { ...r.env, ...inputs({ 'secret-id': name, registry: w.hub.url }) });
      expect(main.exitCode, main.stdout + main.stderr).toBe(0);
      const state = readGithubFile(r.files.GITHUB_STATE);
      expect(JSON.parse(state.command!)).toEqual([join(r.bin, 'dockerhub-credentials')]);
      const post = await step('post', { ...r.env, ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])) });
      expect(post.exitCode, post.stdout + post.stderr).toBe(0);
      expect(r.config()).toBe(r.before);
      r.noToken(main.stdout + main.stderr + post.stdout + post.stderr);
    },
    BUILD_TIMEOUT_MS,
  );
});
