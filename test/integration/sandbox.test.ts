// `npm run sandbox`: started as a person would, its printed lines pasted into a
// real shell, the README's tour run there with the printed tokens, then Ctrl-C.
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Canary, ROOT, describeWith } from '../support/harness.js';
import { Terminal } from '../support/pty.js';

const SANDBOX = join(ROOT, 'scripts/sandbox.mjs');
/** The sandbox's last lines: its folder, which Ctrl-C removes. */
const FOLDER = /Ctrl-C stops the sandbox and removes its folder:\n {2}(\S+)\n/;

/** A token the sandbox printed: the CLI must never print any piece of it. */
class PrintedToken extends Canary {
  constructor(token: string) {
    super();
    Object.defineProperty(this, 'token', { value: token });
  }
}

interface Printed {
  /** The lines to paste into a shell (cd, unset, export). */
  shellLines: string[];
  env: Record<string, string>;
  tokens: Record<string, { username: string; token: PrintedToken }>;
  folder: string;
  stdout: string;
}

function parse(stdout: string): Printed {
  const lines = stdout.split('\n');
  const shellLines = lines.filter((l) => /^(cd|unset|export) /.test(l));
  const env: Record<string, string> = {};
  for (const l of shellLines) {
    const m = /^export (\w+)=(.*)$/.exec(l);
    if (m) env[m[1]!] = m[2]!;
  }
  const tokens: Printed['tokens'] = {};
  for (const l of lines) {
    const m = /^ {2}(\S+) +(dckr_(?:pat|oat)_\S+) {2}(\S.*)$/.exec(l);
    if (m) tokens[m[3]!] = { username: m[1]!, token: new PrintedToken(m[2]!) };
  }
  const folder = FOLDER.exec(stdout)?.[1] ?? '';
  return { shellLines, env, tokens, folder, stdout };
}

/** Resolves with stdout once `text` matches it; fails if the process ends first. */
function waitFor(child: ResultPromise, text: RegExp): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (text.test(out)) resolve(out);
    });
    void child.then((r) => reject(new Error(`the sandbox ended (exit ${r.exitCode}) before printing ${text}:\n${r.all}`)));
  });
}

const portClosed = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

let dir: string;
let home: string;
let tmp: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dhc-sandbox-test-'));
  home = join(dir, 'home');
  tmp = join(dir, 'tmp');
  mkdirSync(home);
  mkdirSync(tmp);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of the shell the sandbox's lines are pasted into, before pasting. */
type Base = { PATH: string; HOME: string; TMPDIR: string; LANG: string };

/**
 * Starts the sandbox as a person would, runs `body` with what it printed, then
 * presses Ctrl-C and checks that it exits 0, its ports are closed and its
 * folder, and every temporary folder of the runs in between, is gone.
 */
async function withSandbox(body: (printed: Printed, base: Base) => Promise<void>) {
  const base: Base = { PATH: process.env.PATH!, HOME: home, TMPDIR: tmp, LANG: 'C.UTF-8' };
  const sandbox = execa(process.execPath, [SANDBOX], { env: base, extendEnv: false, reject: false, all: true, stdin: 'ignore', timeout: 180_000 });
  let printed: Printed | undefined;
  try {
    printed = parse(await waitFor(sandbox, FOLDER));
    expect(sandbox.exitCode).toBeNull();
    await body(printed, base);
  } finally {
    sandbox.kill('SIGINT');
  }
  const end = await sandbox;
  const { env, folder } = printed!;
  expect(end.exitCode, end.all).toBe(0);
  expect(end.all).toContain(`Sandbox stopped (SIGINT) and ${folder} removed.`);
  expect(await portClosed(env.AWS_ENDPOINT_URL_SECRETS_MANAGER!)).toBe(true);
  expect(await portClosed(env.DOCKERHUB_CREDENTIALS_REGISTRY!)).toBe(true);
  // Its own folder (env.sh, the PATH shim, DOCKER_CONFIG) and every run's temporary folder are gone.
  expect(readdirSync(tmp)).toEqual([]);
}

describeWith(['moto_server'], 'npm run sandbox', () => {
  it('prints the lines and tokens a shell needs; the tour works there; Ctrl-C stops it and removes everything', async () => {
    await withSandbox(tour);
  }, 240_000);
});

describeWith(['moto_server', 'tmux'], "npm run sandbox: the README's tour at a terminal (tmux, 80 columns)", () => {
  it('setup recovers from a Docker ID typo; rotate with the revoked token stops with AWSCURRENT unchanged', async () => {
    await withSandbox(async ({ env, tokens }, base) => {
      // The printed exports, as the shell that pasted them holds them.
      const shellEnv: Record<string, string> = { ...base };
      for (const [k, v] of Object.entries(env)) shellEnv[k] = v.replace(/^"(.*)"$/, '$1').replace('$PATH', base.PATH);
      const token = (label: string) => tokens[label]!.token.token;
      // One terminal (tmux server) per run: a server just killed may not take a new session yet.
      const t = new Terminal();
      const t2 = new Terminal();
      try {
        await t.start(['setup'], shellEnv, ROOT, { cols: 80, rows: 50 });
        await t.waitFor('Which AWS services will read this secret');
        await t.key('Enter'); // none: CI jobs only
        await t.waitFor('Docker ID (or organization name');
        await t.type('demousr');
        await t.waitFor('Access token (input hidden)');
        await t.paste(token('read & write'));
        await t.waitFor('Repository CI pushes to');
        await t.type('demouser/app');
        let screen = await t.waitFor('What now?');
        expect(screen).toContain('Docker Hub rejected the credentials for demousr');
        await t.key('Enter'); // Type the Docker ID again
        await t.waitFor(/What now\? Type the Docker ID again[\s\S]*Docker ID \(or organization name/);
        await t.type('demouser');
        await t.acceptLifecycleDefaults();
        let end = await t.exit();
        expect(end.screen).toContain('Registry grants push to demouser/app');
        expect(end.screen).toContain('Stored as a new AWSCURRENT version');
        expect(end.screen).toContain('Done.');
        expect(end.code).toBe(0);
        for (const p of Object.values(tokens)) p.token.assertAbsent('setup screen', end.screen);
        await t.close();

        await t2.start(['rotate'], shellEnv, ROOT, { cols: 80, rows: 50 });
        await t2.waitFor('Docker ID (or organization name');
        await t2.key('Enter'); // keeps demouser
        await t2.waitFor('New access token (input hidden)');
        await t2.paste(token('revoked'));
        await t2.waitFor('Repository CI pushes to');
        await t2.key('Enter');
        screen = await t2.waitFor('What now?');
        expect(screen).toContain('Docker Hub rejected the credentials for demouser');
        await t2.key('Down');
        await t2.key('Down');
        await t2.key('Enter'); // Stop
        end = await t2.exit();
        expect(end.screen).toMatch(/State: AWSCURRENT unchanged \(version [0-9a-f-]+\); CI\s+keeps reading the current\s+token\./);
        expect(end.code).toBe(3);
        expect(end.sane).toBe(true);
        for (const p of Object.values(tokens)) p.token.assertAbsent('rotate screen', end.screen);
      } finally {
        await t.close();
        await t2.close();
      }
    });
  }, 240_000);
});

describeWith(['moto_server', 'docker'], 'npm run sandbox: its folder outlives a sweep, and login --helper works there', () => {
  it("minutes into the tour, a run's sweep leaves the sandbox's bin/ and env.sh; login --helper uses the sandbox's own helper", async () => {
    await withSandbox(async ({ shellLines, tokens, folder }, base) => {
      const shell = async (command: string, input?: string) => {
        const r = await execa('sh', ['-c', `${shellLines.join('\n')}\n${command}`], { env: base, extendEnv: false, cwd: dir, input, stdin: input === undefined ? 'ignore' : undefined, reject: false, timeout: 120_000 });
        const out = `${r.stdout}\n${r.stderr}`;
        for (const t of Object.values(tokens)) t.token.assertAbsent(command, out);
        return { code: r.exitCode, out };
      };
      // A name no sweep of the tool's folders (`dockerhub-credentials-…`, any release) matches.
      expect(basename(folder)).toMatch(/^dhc-sandbox-/);
      // Ten minutes into the tour: the sandbox's folder is older than a sweep's five minutes.
      const old = (Date.now() - 10 * 60_000) / 1000;
      for (const p of [folder, join(folder, 'bin'), join(folder, 'env.sh'), join(folder, 'docker')]) utimesSync(p, old, old);
      let r = await shell('dockerhub-credentials setup --non-interactive --token-stdin --username demouser --repository demouser/app', tokens['read & write']!.token.token);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/docker login as demouser succeeded/);
      for (const f of ['env.sh', 'bin/dockerhub-credentials', 'bin/docker-credential-dockerhub-credentials', 'docker']) expect(existsSync(join(folder, f)), f).toBe(true);

      r = await shell('dockerhub-credentials login --helper');
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('credentials from demo/dockerhub through docker-credential-dockerhub-credentials');
      expect(r.out).not.toContain('npm install');
      r = await shell('docker-credential-dockerhub-credentials list');
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('demouser');
    });
  }, 240_000);
});

/** What the sandbox printed, checked, then the README's tour typed into a shell that pasted its lines. */
async function tour(printed: Printed, base: Base) {
  const { env, tokens, folder } = printed;

  // Everything the brief names, pointing at the local services, and the local build first on PATH.
  expect(printed.shellLines[0]).toBe(`cd ${ROOT.replace(/\/$/, '')}`);
  expect(printed.shellLines.slice(1, 3)).toEqual(['unset AWS_PROFILE AWS_SESSION_TOKEN', 'unset DOCKERHUB_TOKEN DOCKERHUB_USERNAME DOCKERHUB_CREDENTIALS_REPOSITORY']);
  expect(env).toMatchObject({ AWS_ACCESS_KEY_ID: 'demo', AWS_SECRET_ACCESS_KEY: 'demo', AWS_REGION: 'eu-west-2', DOCKERHUB_CREDENTIALS_SECRET_ID: 'demo/dockerhub' });
  expect(env.AWS_ENDPOINT_URL_SECRETS_MANAGER).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(env.DOCKERHUB_CREDENTIALS_REGISTRY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(env.DOCKERHUB_CREDENTIALS_HUB_URL).toBe(env.DOCKERHUB_CREDENTIALS_REGISTRY);
  expect(env.DOCKER_CONFIG).toBe(join(folder, 'docker'));
  expect(env).toMatchObject({ no_proxy: '127.0.0.1', NO_PROXY: '127.0.0.1' });
  expect(env.PATH).toBe(`"${join(folder, 'bin')}:$PATH"`);
  expect(folder.startsWith(tmp)).toBe(true);
  expect(Object.keys(tokens)).toEqual([
    'read & write',
    'read & write, to rotate to',
    'read-only (lacks push)',
    'revoked',
    'expired',
    "another account's",
    'organization token (OAT)',
  ]);
  expect(tokens['organization token (OAT)']!.username).toBe('demoorg');
  expect(tokens['organization token (OAT)']!.token.token).toMatch(/^dckr_oat_/);
  // Readable in an 80-column terminal, but for the lines that name the folder.
  expect(printed.stdout.split('\n').filter((l) => l.length > 80 && !l.includes(folder))).toEqual([]);

  /** A command typed into a shell that pasted the printed lines (so `dockerhub-credentials` is the shim on PATH). */
  const shell = async (command: string, input?: string) => {
    const r = await execa('sh', ['-c', `${printed.shellLines.join('\n')}\n${command}`], {
      // What a person's shell may hold: a profile, a token, a proxy (nothing listens on port 9).
      env: { ...base, AWS_PROFILE: 'would-win-over-the-keys', DOCKERHUB_TOKEN: 'not-the-sandbox-token', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' },
      extendEnv: false,
      cwd: dir,
      input,
      stdin: input === undefined ? 'ignore' : undefined,
      reject: false,
      timeout: 120_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    for (const t of Object.values(tokens)) t.token.assertAbsent(command, out);
    return { code: r.exitCode, stdout: String(r.stdout), out };
  };
  const token = (label: string) => tokens[label]!.token.token;

  // The secret exists and holds nothing yet, as Terraform leaves it.
  let r = await shell('dockerhub-credentials verify');
  expect(r.code, r.out).toBe(4);
  expect(r.out).toContain('exists but has no value yet');

  r = await shell('dockerhub-credentials setup --non-interactive --token-stdin --username demouser --repository demouser/app', token('read & write'));
  expect(r.code, r.out).toBe(0);
  expect(r.out).toContain('Registry grants push to demouser/app');

  // The tool's own hints say `npx dockerhub-credentials`: in the checkout that runs this build.
  r = await shell('npx --no -- dockerhub-credentials verify --json');
  expect(r.code, r.out).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, username: 'demouser', tokenLength: 36 });

  r = await shell('dockerhub-credentials rotate --non-interactive --token-stdin --label demo-ci --expires-in 90d', token('read & write, to rotate to'));
  expect(r.code, r.out).toBe(0);
  expect(r.out).toContain('Rotated.');

  r = await shell('dockerhub-credentials history --json');
  expect(r.code, r.out).toBe(0);
  const history = JSON.parse(r.stdout) as { versions: { stages: string[]; label: string | null }[] };
  expect(history.versions.map((v) => [v.stages, v.label])).toEqual([
    [['AWSCURRENT'], 'demo-ci'],
    [['AWSPREVIOUS'], null],
  ]);

  r = await shell('dockerhub-credentials rollback --yes --json');
  expect(r.code, r.out).toBe(0);
  r = await shell('dockerhub-credentials history --json');
  expect((JSON.parse(r.stdout) as typeof history).versions.map((v) => [v.stages, v.label])).toEqual([
    [['AWSPREVIOUS'], 'demo-ci'],
    [['AWSCURRENT'], null],
  ]);

  // The revoked, read-only and expired tokens are refused by the stand-in, and nothing is written.
  r = await shell('dockerhub-credentials rotate --non-interactive --token-stdin', token('revoked'));
  expect(r.code, r.out).toBe(3);
  expect(r.out).toContain('AWSCURRENT unchanged');
  r = await shell('dockerhub-credentials rotate --non-interactive --token-stdin --repository demouser/app', token('read-only (lacks push)'));
  expect(r.code, r.out).toBe(3);
  expect(r.out).toContain('does not include push');
  r = await shell('dockerhub-credentials rotate --non-interactive --token-stdin', token('expired'));
  expect(r.code, r.out).toBe(3);
  expect(r.out).toMatch(/expired/);

  // The organization's token, under the organization's name.
  r = await shell('dockerhub-credentials rotate --non-interactive --token-stdin --username demoorg --repository demoorg/app --yes', token('organization token (OAT)'));
  expect(r.code, r.out).toBe(0);
  r = await shell('dockerhub-credentials verify --json');
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, username: 'demoorg' });
}

it('without moto_server, says so in one sentence with the install hint and exits 2', async () => {
  const r = await execa(process.execPath, [SANDBOX], { env: { PATH: tmp, HOME: home, TMPDIR: tmp }, extendEnv: false, reject: false, stdin: 'ignore' });
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe('✗ The sandbox needs moto_server (the AWS emulator). Install it with: pip install "moto[server]"');
  expect(readdirSync(tmp)).toEqual([]);
});
