import { chmodSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

// The folders this tool keeps for itself on a machine that other accounts share:
// Node's compile cache (read by the launchers before anything else runs) and the
// parent of the short-lived docker login folders. Each is a real folder, never a
// link, owned by this user and writable by no one else, inside a chain of folders
// that only this user or root can change. A folder that fails a check is never
// used: nothing of this tool lands where another user could plant or read it.
// Also built as dist/private-dir.cjs, for the CommonJS launchers.

/** A checked private folder, or the sentence that says why there is none. */
export type PrivateFolder = { ok: true; path: string } | { ok: false; reason: string };

const uid = (): number | undefined => process.getuid?.();
const failed = (reason: string): PrivateFolder => ({ ok: false, reason });
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/**
 * Why `path` (followed through links: a base such as ~/.cache may be one) or a
 * folder above it could be changed by another user: each must belong to this
 * user or root and, unless sticky (/tmp), be writable by no one else. As
 * OpenSSH's StrictModes and git's safe.directory check.
 */
function chainProblem(path: string, me: number): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    return `${path} cannot be read (${(e as NodeJS.ErrnoException).code})`;
  }
  for (let p = real; ; p = dirname(p)) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return `${p} cannot be read`;
    if (st.uid !== me && st.uid !== 0) return `${p} belongs to another user (uid ${st.uid})`;
    if (st.mode & 0o022 && !(st.mode & 0o1000)) return `${p} can be written by other users (mode ${octal(st.mode)})`;
    if (p === dirname(p)) return undefined;
  }
}

/**
 * `path` as this user's own folder: created 0700 when missing; a real folder
 * (lstat: a link is refused, never followed), owned by this user; a mode that
 * lets others in is narrowed to 0700 (the folder is ours, so that is safe).
 */
function ownFolder(path: string, me: number): PrivateFolder {
  try {
    let st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) {
      try {
        mkdirSync(path, { mode: 0o700 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return failed(`${path} cannot be created (${(e as NodeJS.ErrnoException).code})`);
      }
      st = lstatSync(path);
    }
    if (st.isSymbolicLink()) return failed(`${path} is a symbolic link, not a folder of its own`);
    if (!st.isDirectory()) return failed(`${path} is not a folder`);
    if (st.uid !== me) return failed(`${path} belongs to another user (uid ${st.uid})`);
    if (st.mode & 0o077) {
      chmodSync(path, 0o700);
      if (lstatSync(path).mode & 0o077) return failed(`${path} cannot be made private (mode ${octal(st.mode)})`);
    }
    return { ok: true, path };
  } catch (e) {
    return failed(`${path} cannot be checked (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** A base folder the user names or the system gives: absolute, this user's own, writable by no one else, in a safe chain. */
function baseProblem(path: string, me: number, { create }: { create: boolean }): string | undefined {
  if (!isAbsolute(path)) return `${path} is not an absolute path`;
  if (create && !statSync(path, { throwIfNoEntry: false })) {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return `${path} cannot be created (${(e as NodeJS.ErrnoException).code})`;
    }
  }
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return `${path} is not a folder`;
  if (st.uid !== me) return `${path} belongs to another user (uid ${st.uid})`;
  if (st.mode & 0o022) return `${path} can be written by other users (mode ${octal(st.mode)})`;
  return chainProblem(path, me);
}

/** The folders below a checked base, each checked as this user's own. */
function below(base: string, names: string[], me: number): PrivateFolder {
  let at: PrivateFolder = { ok: true, path: base };
  for (const name of names) {
    at = ownFolder(join(at.path, name), me);
    if (!at.ok) return at;
  }
  return at;
}

const APP = 'dockerhub-credentials';

/** The XDG cache base: $XDG_CACHE_HOME when absolute (the spec ignores a relative one), else ~/.cache. */
function cacheBase(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache');
}

/** `<cache>/dockerhub-credentials/<names…>`, or why not. */
export function cacheFolder(env: NodeJS.ProcessEnv, ...names: string[]): PrivateFolder {
  const me = uid();
  if (me === undefined) return failed('this platform has no user ids to check folders against');
  try {
    const base = cacheBase(env);
    const problem = baseProblem(base, me, { create: true });
    if (problem) return failed(problem);
    return below(base, [APP, ...names], me);
  } catch (e) {
    // No HOME and no passwd entry (os.homedir throws), or a check that failed oddly: no folder, said why.
    return failed(`the cache folder cannot be checked (${(e as Error).message})`);
  }
}

/**
 * Where the short-lived folders of a run may go, best first, each checked only
 * when asked for: $XDG_RUNTIME_DIR/dockerhub-credentials (a private, per-login
 * tmpfs), <cache>/dockerhub-credentials/tmp, then
 * $TMPDIR/dockerhub-credentials.<uid> (a name that no sweep of an older release,
 * which matched `dockerhub-credentials-*`, would take for its own).
 */
export function* runFolders(env: NodeJS.ProcessEnv): Generator<PrivateFolder> {
  const me = uid();
  if (me === undefined) {
    yield failed('this platform has no user ids to check folders against');
    return;
  }
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime) {
    const problem = baseProblem(runtime, me, { create: false });
    yield problem ? failed(`XDG_RUNTIME_DIR: ${problem}`) : below(runtime, [APP], me);
  }
  yield cacheFolder(env, 'tmp');
  const tmp = (env.TMPDIR || env.TMP || env.TEMP || '/tmp').replace(/(.)\/+$/, '$1');
  const problem = isAbsolute(tmp) ? chainProblem(tmp, me) : `${tmp} is not an absolute path`;
  yield problem ? failed(problem) : ownFolder(join(tmp, `${APP}.${me}`), me);
}

/**
 * The launchers' compile cache (Node 22.1+), only in this user's private cache
 * folder. Without a folder to name, Node would use os.tmpdir()/node-compile-cache,
 * a path anyone can predict and pre-create with forged entries that then run as
 * this user. NODE_COMPILE_CACHE is the user's own choice, and Node has enabled it
 * before any code of the tool runs; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
export function enablePrivateCompileCache(env: NodeJS.ProcessEnv, debug: boolean): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('node:module') as { enableCompileCache?: (dir: string) => { status: number; message?: string; directory?: string } };
  const say = (line: string) => debug && process.stderr.write(`debug: compile cache: ${line}\n`);
  if (!mod.enableCompileCache) return void say('off (this Node has none)');
  if (env.NODE_DISABLE_COMPILE_CACHE) return void say('off (NODE_DISABLE_COMPILE_CACHE)');
  if (env.NODE_COMPILE_CACHE) return void say(`${env.NODE_COMPILE_CACHE} (NODE_COMPILE_CACHE, enabled by Node itself)`);
  const dir = cacheFolder(env, 'compile-cache');
  if (!dir.ok) return void say(`off, because ${dir.reason}`);
  try {
    const r = mod.enableCompileCache(dir.path);
    say(r.directory ? r.directory : `off (${r.message ?? `status ${r.status}`})`);
  } catch (e) {
    // A cache is an optimisation: the run goes on without one.
    say(`off (${(e as Error).message})`);
  }
}
