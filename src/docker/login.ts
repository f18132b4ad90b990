import { accessSync, constants, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { CliError, ExitCode, cancelled, say, type ErrorCode, type Template } from '../errors.js';
import { redact } from '../ui/redact.js';
import { rejected, isLoginLockout } from '../domain/hub-refusals.js';
import type { Credentials } from '../domain/tokens.js';
import { runFolders } from '../private-dir.js';
import { findOnPath } from './path-lookup.js';

/** Temporary folders alive right now, removed even if the process is torn down mid-step. */
const liveFolders = new Set<string>();
process.once('exit', () => {
  for (const dir of liveFolders) rmSync(dir, { recursive: true, force: true });
});

/** A run's folder: `login-` and mkdtemp's six characters, in a private parent (src/private-dir.ts). */
const FOLDER_PREFIX = 'login-';
const FOLDER_SHAPE = /^login-[A-Za-z0-9]{6}$/;
/** The mark a run writes first into its folder; the sweep removes nothing without it. */
const MARKER = '.dockerhub-credentials-run';
const markerText = (pid: number) => `dockerhub-credentials docker login folder\npid ${pid}\n`;
/** A run's folder lives seconds; one this old belongs to a run that was killed. */
const ABANDONED_AFTER_MS = 5 * 60_000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the folders of runs that were killed (SIGKILL, a crash) before they
 * could clean up. They hold no secret (see isolatedDockerLogin), but nothing of
 * a run should outlive it. Only in `parent`, the tool's private folder (never a
 * shared one), and only what the tool made: a real folder (lstat, a link is
 * never followed) of the exact shape, owned by this user, older than a few
 * minutes, holding the tool's marker as a plain file, of a process that is gone.
 * A sweep never fails a run: every error leaves that entry alone.
 */
export function sweepAbandonedFolders(parent: string, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => FOLDER_SHAPE.test(n));
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    try {
      const path = join(parent, name);
      const st = lstatSync(path);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || now - st.mtimeMs < ABANDONED_AFTER_MS) continue;
      const marker = join(path, MARKER);
      const m = lstatSync(marker);
      if (!m.isFile() || m.size > 200 || (uid !== undefined && m.uid !== uid)) continue;
      const pid = /^dockerhub-credentials docker login folder\npid (\d+)\n$/.exec(readFileSync(marker, 'utf8'))?.[1];
      if (!pid || (Number(pid) !== process.pid && alive(Number(pid)))) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Not the tool's, gone meanwhile, or unreadable: left as it is.
    }
  }
}

/** PATH without its empty and relative entries. */
const absolutePath = (path: string | undefined) => (path ?? '').split(delimiter).filter((d) => d && isAbsolute(d)).join(delimiter);

/**
 * A fresh folder for one docker login, marked as the tool's, in the first
 * private parent whose file system lets the throwaway helper run (a noexec
 * XDG_RUNTIME_DIR, cache or TMPDIR is skipped). Refused with a sentence when
 * there is none.
 */
function makeRunFolder(env: NodeJS.ProcessEnv, log?: (line: string) => void): string {
  const problems: string[] = [];
  for (const parent of runFolders(env)) {
    if (!parent.ok) {
      problems.push(parent.reason);
      continue;
    }
    sweepAbandonedFolders(parent.path);
    let dir: string | undefined;
    let step = 'cannot hold a folder';
    try {
      dir = mkdtempSync(join(parent.path, FOLDER_PREFIX));
      liveFolders.add(dir);
      writeFileSync(join(dir, MARKER), markerText(process.pid), { mode: 0o600 });
      const helper = join(dir, `docker-credential-${NULL_HELPER}`);
      writeFileSync(helper, NULL_HELPER_SCRIPT, { mode: 0o700 });
      step = 'does not let programs run (a file system mounted noexec?)';
      // access(2) with X_OK fails on a file system mounted noexec.
      accessSync(helper, constants.X_OK);
      log?.(`docker login folder: ${dir}`);
      return dir;
    } catch (e) {
      problems.push(`${parent.path} ${step} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
        liveFolders.delete(dir);
      }
    }
  }
  throw new CliError(
    'no-private-folder',
    `There is no private folder where docker login can run with its throwaway credential helper: ${problems.join('; ')}.`,
    'Point XDG_RUNTIME_DIR or XDG_CACHE_HOME at a folder of your own that no other user can write to, on a file system that allows running programs (not mounted noexec), then run the command again.',
    ExitCode.Usage,
  );
}

/** Runs `fn` in a fresh private run folder (makeRunFolder), removed afterwards whatever happens. */
export async function inRunFolder<T>(env: NodeJS.ProcessEnv, log: ((line: string) => void) | undefined, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = makeRunFolder(env, log);
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    liveFolders.delete(dir);
  }
}

export type DockerLoginResult = { ran: true } | { ran: false; reason: string };

/** The environment docker runs with: nothing of ours leaks in, and it can reach no user config. */
function dockerEnv(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep = ['LANG', 'LC_ALL', 'TMPDIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];
  // The throwaway credential helper first on PATH, so docker finds it before any other.
  const out: NodeJS.ProcessEnv = { DOCKER_CONFIG: dir, HOME: dir, DOCKER_CLI_HINTS: 'false', PATH: [dir, absolutePath(env.PATH)].filter(Boolean).join(delimiter) };
  for (const k of keep) if (env[k] !== undefined) out[k] = env[k];
  return out;
}

/** The throwaway helper's name: docker runs `docker-credential-<name>`. */
const NULL_HELPER = 'dockerhub-credentials-discard';

/**
 * A credential helper that keeps nothing: `store` reads and discards what docker
 * sends, `get` answers as an empty keychain does, `erase` succeeds. With it as
 * `credsStore`, docker never writes `auth` (base64 user:token) into config.json,
 * so even a run killed between login and logout leaves no piece of the token on
 * disk (REFERENCE section 2: docker's credential-helper protocol).
 */
const NULL_HELPER_SCRIPT = `#!/bin/sh
case "$1" in
  store) cat >/dev/null; exit 0 ;;
  get) cat >/dev/null; echo "credentials not found in native keychain"; exit 1 ;;
  erase) cat >/dev/null; exit 0 ;;
  list) echo "{}"; exit 0 ;;
  *) echo "unknown action: $1"; exit 1 ;;
esac
`;

/**
 * `docker login --password-stdin` in a private, temporary DOCKER_CONFIG, then
 * `docker logout`, then the folder is deleted. The config names a throwaway
 * credential helper as its `credsStore`: docker then stores nothing in the
 * file, and never falls through to the platform helper that is keyed by server
 * and shared with the user's own login (REFERENCE section 2).
 */
/** What a docker run answered; `code` is ENOENT when the binary could not be started. */
export interface DockerRun {
  exitCode?: number;
  stdout: string;
  stderr: string;
  isCanceled?: boolean;
  code?: string;
}

/** Runs the docker CLI (the seam in Context): execa by default. Bounded in time, cut by `signal`. */
export type DockerRunner = (docker: string, args: string[], o: { input?: string; env: NodeJS.ProcessEnv; signal: AbortSignal; killSignal?: NodeJS.Signals }) => Promise<DockerRun>;

export const execDocker: DockerRunner = async (docker, args, o) => {
  const { execa } = await import('execa');
  const r = await execa(docker, args, {
    input: o.input,
    env: o.env,
    extendEnv: false,
    reject: false,
    timeout: 60_000,
    cancelSignal: o.signal,
    killSignal: o.killSignal ?? 'SIGTERM',
    stripFinalNewline: true,
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), isCanceled: r.isCanceled, code: (r as { code?: string }).code };
};

export async function isolatedDockerLogin(
  creds: Credentials,
  server: string | undefined,
  opts: { signal: AbortSignal; env: NodeJS.ProcessEnv; log?: (line: string) => void; run?: DockerRunner },
): Promise<DockerLoginResult> {
  const docker = findOnPath('docker', opts.env.PATH);
  opts.log?.(`docker: ${docker ?? 'not found on PATH (empty and relative entries are skipped)'}`);
  if (!docker) return { ran: false, reason: 'the docker CLI is not installed' };
  const runner = opts.run ?? execDocker;
  const dir = makeRunFolder(opts.env, opts.log);
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ credsStore: NULL_HELPER }), { mode: 0o600 });
    const env = dockerEnv(dir, opts.env);
    // docker ignores SIGTERM mid-request; the folder is deleted right after anyway.
    const run = (args: string[], input?: string) => runner(docker, args, { input, env, signal: opts.signal, killSignal: 'SIGKILL' });
    const target = server ? [server] : [];
    const login = await run(['login', '--username', creds.username, '--password-stdin', ...target], creds.token);
    if (opts.signal.aborted || login.isCanceled) throw cancelled();
    const missing = login.code === 'ENOENT';
    if (missing) return { ran: false, reason: 'the docker CLI is not installed' };
    const output = redact(`${login.stdout}\n${login.stderr}`);
    opts.log?.(`docker login exit ${login.exitCode}: ${output.trim().split('\n').pop()}`);
    if (login.exitCode !== 0) throw dockerLoginFailure(creds.username, output, server);
    const logout = await run(['logout', ...target]);
    opts.log?.(`docker logout exit ${logout.exitCode}`);
    return { ran: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    liveFolders.delete(dir);
  }
}

/** What a recognizer of docker login's output reads, and what the sentences are filled with. */
interface DockerLoginFacts {
  username: string;
  /** docker's stdout and stderr, redacted. */
  output: string;
  /** The line docker ended with. */
  last: string;
  server: string | undefined;
}

const DOCKER_LOGIN_SENTENCES = {
  'rate-limited': {
    message: () => 'Docker Hub is rate-limiting logins (HTTP 429), so docker login could not finish.',
    hint: () => 'Wait a few minutes, then run the command again.',
  },
  tls: {
    message: ({ server, last }) => `docker login could not verify the TLS certificate of ${server ?? 'Docker Hub'}: ${last}`,
    hint: () => 'A proxy that inspects TLS needs its CA certificate trusted by docker (and NODE_EXTRA_CA_CERTS for this tool); nothing here is about the token.',
  },
  network: {
    message: ({ server, last }) => `docker login could not reach ${server ?? 'Docker Hub'}, or it did not answer: ${last}`,
    hint: () => 'Check your network connection and proxy, then try again.',
  },
  'docker-login-failed': {
    message: ({ last }) => `docker login failed for a reason that is not about the token: ${last}`,
    hint: ({ username, server }) => `Run docker login --username ${username} --password-stdin${server ? ` ${server}` : ''} yourself to see the whole answer, or run again with --debug.`,
  },
} satisfies { readonly [C in ErrorCode]?: Template<DockerLoginFacts> };

const tooMany = (f: DockerLoginFacts) => /toomanyrequests|too many (failed login attempts|requests)|\bHTTP 429\b|status: 429\b/i.test(f.output);

/**
 * What docker login's output means, in order; the last row matches anything. Any 429 is
 * transient, a lockout included (REFERENCE 2, "Login lockout"); Docker Hub's own words
 * about the credentials are its refusals (`rejected`, the row its words pick);
 * validate.ts adds what only the token can tell (PAT or OAT, owner).
 */
const DOCKER_LOGIN_RECOGNIZERS: readonly (readonly [keyof typeof DOCKER_LOGIN_SENTENCES | 'hub-refusal', (f: DockerLoginFacts) => boolean])[] = [
  ['hub-refusal', (f) => tooMany(f) && isLoginLockout(f.output)],
  ['rate-limited', tooMany],
  // TLS first: "x509: certificate has expired" is about a certificate, not the token.
  ['tls', (f) => /x509:|certificate|TLS handshake/i.test(f.output)],
  // Only Docker Hub's own answers about the credentials blame them (REFERENCE 2).
  ['hub-refusal', (f) => /unauthorized|incorrect username or password|(personal|org) access token is expired|\b401\b/i.test(f.output)],
  ['network', (f) => /connection refused|no such host|timeout|deadline exceeded|dial tcp|i\/o timeout|\b50[234]\b|service unavailable|bad gateway/i.test(f.output)],
  // Anything else is docker's own trouble (its configuration, a credential helper, the machine): never the token's.
  ['docker-login-failed', () => true],
];

/** docker login failed with this output: the catalogue's row it picks, filled in. */
export function dockerLoginFailure(username: string, output: string, server: string | undefined): CliError {
  const facts: DockerLoginFacts = { username, output, server, last: output.trim().split('\n').filter(Boolean).pop() ?? 'no output' };
  const [code] = DOCKER_LOGIN_RECOGNIZERS.find(([, matches]) => matches(facts))!;
  return code === 'hub-refusal' ? rejected(username, output) : say(DOCKER_LOGIN_SENTENCES, code, facts);
}
