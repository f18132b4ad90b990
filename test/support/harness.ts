// Shared test bench: tool checks that skip with a reason (and fail under CI=true),
// a sandboxed HOME/TMPDIR per run, the built CLI run as a child process, and the canary.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePat } from './hub-standin.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const CLI = join(ROOT, 'bin/dockerhub-credentials.cjs');

const probes: Record<string, string[]> = {
  moto_server: ['moto_server', '--help'],
  docker: ['docker', '--version'],
  terraform: ['terraform', 'version'],
  tmux: ['tmux', '-V'],
  aws: ['aws', '--version'],
  python3: ['python3', '--version'],
};

export function missingTools(tools: string[]): string[] {
  return tools.filter((t) => {
    const [cmd, ...args] = probes[t] ?? [t, '--version'];
    return spawnSync(cmd!, args, { stdio: 'ignore' }).error !== undefined;
  });
}

/**
 * A describe block that needs external tools. Without them it is skipped with
 * the reason in its title (shown in the summary); under CI=true it fails instead,
 * so CI can never pass by skipping.
 */
export function describeWith(tools: string[], title: string, body: () => void): void {
  const missing = missingTools(tools);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const reason = `needs ${missing.join(', ')}, not installed`;
  if (process.env.CI === 'true') {
    describe(title, () => {
      it(`has its tools (${reason})`, () => {
        throw new Error(`${title}: ${reason}. Under CI=true this fails instead of skipping.`);
      });
    });
  } else {
    console.warn(`SKIPPED: ${title}: ${reason}`);
    describe.skip(`${title} [skipped: ${reason}]`, body);
  }
}

/** A planted token whose random part must never appear in any output. */
export class Canary {
  readonly token: string;
  constructor(prefix = 'dckr_pat_') {
    this.token = makePat(prefix);
  }
  /** Every 6-character piece of the token that includes at least one character of its random part. */
  pieces(): string[] {
    const out: string[] = [];
    const firstRandom = this.token.indexOf('_', 5) + 1;
    for (let i = Math.max(0, firstRandom - 5); i + 6 <= this.token.length; i++) out.push(this.token.slice(i, i + 6));
    return out;
  }
  leaksIn(text: string): string | undefined {
    return this.pieces().find((p) => text.includes(p));
  }
  assertAbsent(label: string, text: string): void {
    const piece = this.leaksIn(text);
    expect(piece, `canary piece found in ${label}`).toBeUndefined();
  }
}

/** Files under a folder, recursively, as [path, content]. */
export function filesUnder(dir: string): [string, string][] {
  const out: [string, string][] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push([p, readFileSync(p, 'latin1')]);
  }
  return out;
}

export const EXISTING_DOCKER_CONFIG = JSON.stringify(
  {
    auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('someoneelse:their-own-password-1234').toString('base64') } },
    currentContext: 'default',
  },
  null,
  '\t',
);

/** A private HOME (with an existing Docker Hub login) and TMPDIR for one run of the CLI. */
export class Sandbox {
  readonly root = mkdtempSync(join(tmpdir(), 'dhc-test-'));
  readonly home = join(this.root, 'home');
  readonly tmp = join(this.root, 'tmp');
  readonly cwd = join(this.root, 'work');
  readonly dockerConfig = join(this.home, '.docker/config.json');
  /** The private parent of the tool's docker login folders, for this HOME (src/private-dir.ts). */
  readonly runFolders = join(this.home, '.cache/dockerhub-credentials/tmp');

  private planted = EXISTING_DOCKER_CONFIG;

  constructor() {
    mkdirSync(join(this.home, '.docker'), { recursive: true });
    mkdirSync(this.tmp);
    mkdirSync(this.cwd);
    writeFileSync(this.dockerConfig, this.planted);
  }

  /** Replaces the user's docker config (for example to name a credential helper). */
  plantDockerConfig(content: string): void {
    this.planted = content;
    writeFileSync(this.dockerConfig, content);
  }

  /** The user's own docker config, byte for byte as it was planted. */
  assertDockerConfigUntouched(): void {
    expect(readFileSync(this.dockerConfig, 'utf8')).toBe(this.planted);
    expect(readdirSync(join(this.home, '.docker'))).toEqual(['config.json']);
  }

  /** No temporary folder is left behind, and no file anywhere in the sandbox holds the canary. */
  assertClean(canary: Canary): void {
    // The tool writes nothing into the shared TMPDIR (not even Node's compile cache); its run folders
    // live in its private folder under HOME (src/private-dir.ts), and none is left there.
    expect(readdirSync(this.tmp), 'files left in TMPDIR').toEqual([]);
    if (existsSync(this.runFolders)) expect(readdirSync(this.runFolders), 'run folders left behind').toEqual([]);
    for (const [path, content] of filesUnder(this.root)) canary.assertAbsent(path, content);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Uint8Array;
  sandbox: Sandbox;
  /** Resolve once stderr contains this text, and send SIGINT. */
  interruptWhen?: string | RegExp;
  /** Send `signal` (default SIGINT) once stderr shows `at`, or once the promise `at` resolves; then run `then`. */
  interrupt?: { at: string | RegExp | Promise<unknown>; signal?: NodeJS.Signals; then?: (stderr: () => string, kill: (signal: NodeJS.Signals) => void) => unknown };
  canary?: Canary;
}

/** Runs the built CLI as a child process, as a user would, with a minimal environment. */
export async function runCli(args: string[], o: RunOptions): Promise<RunResult> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: o.sandbox.home,
    TMPDIR: o.sandbox.tmp,
    LANG: 'C.UTF-8',
    ...o.env,
  };
  const child = execa(process.execPath, [CLI, ...args], {
    env: env as Record<string, string>,
    extendEnv: false,
    cwd: o.sandbox.cwd,
    input: o.input,
    stdin: o.input === undefined ? 'ignore' : undefined,
    reject: false,
    timeout: 120_000,
  });
  const interrupt = o.interrupt ?? (o.interruptWhen ? { at: o.interruptWhen } : undefined);
  if (interrupt) {
    let seen = '';
    let sent = false;
    const send = () => {
      if (sent || child.exitCode !== null) return;
      sent = true;
      child.kill(interrupt.signal ?? 'SIGINT');
      void interrupt.then?.(() => seen, (signal) => child.kill(signal));
    };
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      const at = interrupt.at;
      if (typeof at === 'string' ? seen.includes(at) : at instanceof RegExp ? at.test(seen) : false) send();
    });
    if (interrupt.at instanceof Promise) void interrupt.at.then(send);
  }
  const r = await child;
  const result = { exitCode: r.exitCode ?? (r.signal ? 128 : 1), stdout: String(r.stdout), stderr: String(r.stderr) };
  if (o.canary) {
    o.canary.assertAbsent('stdout', result.stdout);
    o.canary.assertAbsent('stderr', result.stderr);
  }
  return result;
}

/** The package's version, as the built CLI prints it (the bundler injects it from package.json). */
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
