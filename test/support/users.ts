// Two real users on one machine, for what another local user must not be able to do
// (issue 22: a victim and an attacker sharing a world-writable folder). Needs root, to
// switch uid with setpriv; CI runs as root. The uids are numeric, without a passwd
// entry: each gets a HOME the test creates.
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ROOT, type RunResult } from './harness.js';

const SETPRIV = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();

/** A describe block that needs root and setpriv: skipped with the reason, failed under CI=true. */
export function describeAsUsers(title: string, body: () => void): void {
  const reason = process.getuid?.() !== 0 ? 'needs root, to run as other users' : !SETPRIV ? 'needs setpriv (util-linux), not installed' : undefined;
  if (!reason) {
    describe(title, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(title, () => it(`can run as other users (${reason})`, () => {
      throw new Error(`${title}: ${reason}. Under CI=true this fails instead of skipping.`);
    }));
    return;
  }
  console.warn(`SKIPPED: ${title}: ${reason}`);
  describe.skip(`${title} [skipped: ${reason}]`, body);
}

/** A machine with a world-writable sticky folder (like /tmp), the package installed where every user can read it, and users to come. */
export class SharedMachine {
  readonly root = mkdtempSync(join(tmpdir(), 'dhc-users-'));
  /** Like /tmp: drwxrwxrwt, owned by root. */
  readonly shared = join(this.root, 'shared');
  /** The built package (bin/ and dist/), readable by every user wherever the checkout is. */
  readonly pkg = join(this.root, 'pkg');

  constructor() {
    chmodSync(this.root, 0o755);
    mkdirSync(this.shared);
    chmodSync(this.shared, 0o1777);
    for (const part of ['bin', 'dist']) cpSync(join(ROOT, part), join(this.pkg, part), { recursive: true });
    // Readable by every user whatever the umask the checkout was built with.
    spawnSync('chmod', ['-R', 'a+rX', this.pkg]);
  }

  /** A user with its own HOME (0700) and TMPDIR inside it. */
  user(uid: number): User {
    const home = join(this.root, `home-${uid}`);
    mkdirSync(join(home, 'tmp'), { recursive: true, mode: 0o700 });
    chmodSync(home, 0o700);
    chownSync(home, uid, uid);
    chownSync(join(home, 'tmp'), uid, uid);
    return new User(uid, home, this.pkg);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export class User {
  constructor(
    readonly uid: number,
    readonly home: string,
    private readonly pkg: string,
  ) {}

  /** Runs `command` as this user (uid and gid, no supplementary groups), with only `env` and this user's HOME and TMPDIR. */
  async run(command: string, args: string[], o: { cwd: string; env?: Record<string, string | undefined>; input?: string }): Promise<RunResult> {
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', ...o.env, HOME: this.home, TMPDIR: join(this.home, 'tmp') };
    const r = await execa(SETPRIV, [`--reuid=${this.uid}`, `--regid=${this.uid}`, '--clear-groups', '--', command, ...args], {
      cwd: o.cwd,
      env: env as Record<string, string>,
      extendEnv: false,
      input: o.input,
      stdin: o.input === undefined ? 'ignore' : undefined,
      reject: false,
      timeout: 120_000,
    });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** A shell line as this user, for the files a user makes (so they carry that user's owner and umask). */
  sh(line: string, cwd: string): Promise<RunResult> {
    return this.run('/bin/sh', ['-c', line], { cwd });
  }

  /** The installed CLI, as this user. */
  cli(args: string[], o: { cwd: string; env?: Record<string, string | undefined>; input?: string }): Promise<RunResult> {
    return this.run(process.execPath, [join(this.pkg, 'bin/dockerhub-credentials.cjs'), ...args], o);
  }

  /** The installed credential helper, as docker runs it: the action as argument, the server on stdin. */
  helper(action: string, server: string, o: { cwd: string; env?: Record<string, string | undefined> }): Promise<RunResult> {
    return this.run(process.execPath, [join(this.pkg, 'bin/docker-credential-dockerhub-credentials.cjs'), action], { ...o, input: server });
  }
}
