import { accessSync, constants, copyFileSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError, ExitCode, failure, usageError, type ErrorCode } from '../errors.js';
import { exitOf } from '../catalogue.js';
import { registerSecret } from '../ui/redact.js';
import { HUB_HOSTS, hostOf } from '../domain/docker-hub.js';
import { NOT_FOUND } from './helper-protocol.js';
import { VERSION } from '../version.js';
import { executablesOnPath } from './path-lookup.js';

/** docker runs `docker-credential-<name>`: this package installs `docker-credential-dockerhub-credentials`. */
export const HELPER_NAME = 'dockerhub-credentials';
export const HELPER_COMMAND = `docker-credential-${HELPER_NAME}`;
/** Pinned: an unpinned name in a CI job runs whatever is published under it next. */
export const INSTALL_LINE = `npm i -g dockerhub-credentials@${VERSION}`;

/** The user's docker config as read for a write: what it holds, and the file a write goes to. */
export interface DockerConfigFile {
  /** $DOCKER_CONFIG/config.json (or ~/.docker/config.json). */
  path: string;
  /** The file written: `path` itself, or the file a symbolic link at `path` points to (a dotfiles setup). */
  target: string;
  exists: boolean;
  config: Record<string, unknown>;
  mode: number;
  /** The owner of the file written (`target`). */
  uid?: number;
}

/**
 * Reads the docker config for a change. A config.json that is a symbolic link is
 * written through (to the file it points to, renamed into place next to it), so a
 * dotfiles link stays a link; one that points nowhere is refused with a sentence.
 */
export function readDockerConfigForWrite(path: string): DockerConfigFile {
  const link = lstatSync(path, { throwIfNoEntry: false });
  if (!link) return { path, target: path, exists: false, config: {}, mode: 0o600 };
  let target = path;
  if (link.isSymbolicLink()) {
    try {
      target = realpathSync(path);
    } catch {
      throw usageError(`${path} is a symbolic link to a file that does not exist, so it was left as it is.`, `Create the file it points to (or remove the link), then run this again.`);
    }
  }
  const st = statSync(target);
  if (!st.isFile()) throw usageError(`${path} is not a regular file, so it was left as it is.`, `Move it away, then run this again.`);
  const text = readFileSync(target, 'utf8');
  let config: Record<string, unknown>;
  try {
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('not an object');
    config = parsed as Record<string, unknown>;
  } catch {
    throw usageError(`The docker config ${path} is not a JSON object, so it was left as it is.`, `Fix ${path} (docker cannot read it either), then run this again.`);
  }
  return { path, target, exists: true, config, mode: st.mode & 0o777, uid: st.uid };
}

const authsOf = (config: Record<string, unknown>) =>
  typeof config.auths === 'object' && config.auths !== null ? (config.auths as Record<string, Record<string, unknown> | undefined>) : {};

/**
 * The `auths` keys that hold the login for `key`. For Docker Hub, every key whose host
 * is Docker Hub's: `https://index.docker.io/v1/`, docker's web-login entries
 * `…/v1/access-token` and `…/v1/refresh-token` (REFERENCE 2, "Auto-generated PATs"),
 * and `index.docker.io`, `docker.io`, `registry-1.docker.io`. Else the keys naming
 * that host (with or without a scheme or path).
 */
export const loginKeys = (config: Record<string, unknown>, key: string): string[] => {
  const host = hostOf(key);
  const hub = HUB_HOSTS.includes(host);
  return Object.keys(authsOf(config)).filter((k) => (hub ? HUB_HOSTS.includes(hostOf(k)) : hostOf(k) === host));
};

/** Whether `auths` holds a login docker stored for `key` (base64 user:secret, or a token) under any of its keys. */
export const storedLogin = (config: Record<string, unknown>, key: string): boolean =>
  loginKeys(config, key).some((k) => {
    const entry = authsOf(config)[k];
    return Boolean(entry && (entry.auth || entry.identitytoken || entry.password || entry.registrytoken));
  });

const withoutLogin = (config: Record<string, unknown>, key: string): Record<string, unknown> => {
  const keys = loginKeys(config, key);
  if (!keys.length) return config;
  const auths = { ...authsOf(config) };
  for (const k of keys) delete auths[k];
  return { ...config, auths };
};

/**
 * The backups next to config.json (`config.json.*.bak`, this tool's naming, written by
 * this release or byte for byte by an earlier one) that still hold the login for `key`.
 * Only named, never removed: nothing marks them as the tool's rather than the user's.
 */
export function backupsHoldingLogin(file: DockerConfigFile, key: string): string[] {
  const folder = dirname(file.path);
  const prefix = `${basename(file.path)}.`;
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.startsWith(prefix) && n.endsWith('.bak'));
  } catch {
    return [];
  }
  const holding: string[] = [];
  for (const name of names.sort()) {
    const path = join(folder, name);
    try {
      const st = lstatSync(path);
      if (!st.isFile() || st.size > 1_000_000) continue;
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && storedLogin(parsed as Record<string, unknown>, key)) holding.push(path);
    } catch {
      // Not JSON, or gone meanwhile: not docker's config.
    }
  }
  return holding;
}

export const helperEntryOf = (config: Record<string, unknown>, key: string): unknown =>
  (config.credHelpers as Record<string, unknown> | undefined)?.[key];

/** Writes `text` to `target` by renaming a new file next to it into place: a crash never leaves half a config. */
function replaceFile(target: string, text: string, mode: number): void {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text, { mode, flag: 'wx' });
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // not created
    }
    throw e;
  }
}

/**
 * Writes `credHelpers[key] = "dockerhub-credentials"` into the caller's docker
 * config, and with `removeLogin` drops the login docker stored for `key` in `auths`
 * (the token in base64, which docker no longer reads once the helper is named).
 * A timestamped backup first, which never holds that login: it would be one more
 * copy of the token that `docker logout` never removes. Every other key untouched.
 * For Docker Hub, docker consults the key `https://index.docker.io/v1/` only (checked
 * with the real docker CLI in test/integration/consumers.test.ts; REFERENCE 2).
 */
export function writeCredHelperEntry(
  file: DockerConfigFile,
  key: string,
  o: { removeLogin: boolean },
  now = new Date(),
): { changed: boolean; backup?: string; loginLeft: boolean; removedLogin: boolean } {
  const hadLogin = storedLogin(file.config, key);
  const addHelper = helperEntryOf(file.config, key) !== HELPER_NAME;
  const removeLogin = o.removeLogin && loginKeys(file.config, key).length > 0;
  // An unchanged config gets no write and no new backup (each would be one more copy of every other login).
  if (!addHelper && !removeLogin) return { changed: false, loginLeft: hadLogin, removedLogin: false };
  let next: Record<string, unknown> = removeLogin ? withoutLogin(file.config, key) : { ...file.config };
  const helpers = typeof next.credHelpers === 'object' && next.credHelpers !== null ? (next.credHelpers as Record<string, unknown>) : {};
  next = { ...next, credHelpers: { ...helpers, [key]: HELPER_NAME } };
  const { backup } = rewriteDockerConfig(file, key, next, { now });
  return { changed: true, backup, loginLeft: hadLogin && !removeLogin, removedLogin: removeLogin && hadLogin };
}

/**
 * A docker config's text as its file had it: the same indentation (a tab, or the
 * spaces of its first indented line) and the same final newline, so a change and
 * its undoing (login --helper, then logout --helper) give back the file byte for byte.
 */
export function formatLike(config: Record<string, unknown>, original: string | undefined): string {
  if (original?.trim() === '') original = undefined;
  const indent = original === undefined ? '\t' : (/\n([ \t]+)"/.exec(original)?.[1] ?? (original.trim().includes('\n') ? '\t' : ''));
  const text = indent ? JSON.stringify(config, null, indent) : JSON.stringify(config);
  const newline = original === undefined || original.endsWith('\n');
  return newline ? `${text}\n` : text;
}

/**
 * Replaces the caller's docker config with `next` (every key as it was but the change),
 * after a timestamped backup that never holds the login for `key`: it would be one more
 * copy of the token that `docker logout` never removes. The file keeps its own layout
 * (formatLike). A link to another user's file, or a folder that cannot be written, is
 * refused before anything is written.
 */
export function rewriteDockerConfig(
  file: DockerConfigFile,
  key: string,
  next: Record<string, unknown>,
  o: { now?: Date; skipRedundantBackup?: boolean } = {},
): { backup?: string } {
  const now = o.now ?? new Date();
  let backup: string | undefined;
  let original: string | undefined;
  if (file.exists) {
    // A link to a file the caller does not own: writing through it would replace someone else's file.
    const uid = process.getuid?.();
    if (file.target !== file.path && uid !== undefined && file.uid !== undefined && file.uid !== uid) {
      throw usageError(
        `${file.path} is a symbolic link to ${file.target}, which belongs to another user (uid ${file.uid}), so it was left as it is.`,
        `Point ${file.path} at a file you own, or remove the link (rm ${file.path}) so that a file of your own is written, then run this again.`,
      );
    }
    // The file is replaced by a rename in its own folder (the link's target's, through a link): one
    // that cannot be written is refused before the backup, which would otherwise be left behind.
    for (const folder of new Set([dirname(file.target), dirname(file.path)])) {
      try {
        accessSync(folder, constants.W_OK);
      } catch {
        throw usageError(
          `${folder} cannot be written${file.target === file.path ? '' : ` (${file.path} is a link to a file in it)`}, so ${file.path} was left as it is.`,
          file.target === file.path ? `Make ${folder} writable for you, then run this again.` : `Make ${folder} writable for you, or replace the link with a file of your own, then run this again.`,
        );
      }
    }
    original = readFileSync(file.target, 'utf8');
    backup = `${file.path}.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
    // Byte for byte, unless that would copy the login: then the same config without it, which
    // logout skips when it is the very text written (one file less per CI job on an agent).
    const withoutTheLogin = loginKeys(file.config, key).length ? formatLike(withoutLogin(file.config, key), original) : undefined;
    if (o.skipRedundantBackup && withoutTheLogin === formatLike(next, original)) backup = undefined;
    else if (withoutTheLogin !== undefined) writeFileSync(backup, withoutTheLogin, { mode: 0o600, flag: 'wx' });
    else copyFileSync(file.target, backup, constants.COPYFILE_EXCL);
  } else {
    // docker creates its folder 0700.
    mkdirSync(dirname(file.path), { recursive: true, mode: 0o700 });
  }
  try {
    replaceFile(file.target, formatLike(next, original), file.mode);
  } catch (e) {
    // The backup this run just wrote goes with the change that did not happen.
    if (backup) rmSync(backup, { force: true });
    throw usageError(
      `${file.target} could not be replaced (${(e as NodeJS.ErrnoException).code ?? String(e)}), so ${file.path} was left as it is.`,
      `Check that you can write ${dirname(file.target)}, then run this again.`,
    );
  }
  return { backup };
}

export interface HelperLocation {
  /** Where PATH finds it. */
  path: string;
  /** The file that runs, links resolved. */
  real: string;
}

/**
 * Finds a command as docker does (Go's exec.LookPath): the first executable file
 * in PATH. A match in an empty or relative entry is an error for Go (ErrDot), so
 * such an entry ends the search as not found: docker would not run it either.
 * A match in a temporary folder (npx's `_npx` cache, the system's temporary folder)
 * is passed over and reported: docker, run later without npx's PATH, would not
 * find it, but may find a lasting install further along.
 */
export function lookPathAsDocker(
  command: string,
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
  tmp = env.TMPDIR || tmpdir(),
  dockerConfig?: string,
): { found?: HelperLocation; relative?: string; temporary?: string } {
  let temporary: string | undefined;
  for (const match of executablesOnPath(command, env.PATH, 'docker', cwd)) {
    if (match.relative) return { relative: match.path, temporary };
    const found = { path: match.path, real: realpathSync(match.path) };
    const inTemporary = temporaryLocation(found, tmp, dockerConfig);
    if (inTemporary) {
      temporary ??= inTemporary;
      continue;
    }
    return { found, temporary };
  }
  return { temporary };
}

const inside = (path: string, folder: string) => {
  const r = relative(folder, path);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
};

/** The folder right below `tmp` that holds `path` (a run's or a sandbox's own temporary folder). */
const topBelow = (path: string, tmp: string) => join(tmp, relative(tmp, path).split(sep)[0]!);

/**
 * The path, when a helper lives in npx's cache (`_npx`) or the temporary folder:
 * gone once that run ends or is cleaned. Except when the docker config it is
 * written into lives in that same temporary folder (a sandbox's throwaway
 * DOCKER_CONFIG): the entry then goes with the helper, and can never outlive it.
 */
export function temporaryLocation(found: HelperLocation, tmp = tmpdir(), dockerConfig?: string): string | undefined {
  const temporaries = [tmp];
  try {
    temporaries.push(realpathSync(tmp));
  } catch {
    // only the name
  }
  for (const p of [found.path, found.real]) {
    if (p.split(sep).includes('_npx')) return p;
    const t = temporaries.find((t) => inside(p, t));
    if (t && !(dockerConfig && inside(resolve(dockerConfig), topBelow(p, t)))) return p;
  }
  return undefined;
}

export type HelperAnswer =
  | { ok: true; username: string; helperPath: string }
  | { ok: false; problem: string; code: Extract<ErrorCode, 'helper-missing' | 'helper-temporary' | 'helper-not-served' | 'helper-failed'>; helperPath?: string; said?: string };

/**
 * Asks the installed helper once, exactly as docker will: found on PATH as docker
 * finds it, with this environment, the server name docker sends on stdin. Proves
 * it is installed for good and can read the secret from here.
 */
export async function checkHelperAnswers(key: string, env: NodeJS.ProcessEnv, signal: AbortSignal, dockerConfig?: string): Promise<HelperAnswer> {
  const cwd = process.cwd();
  const { found, relative: dotted, temporary } = lookPathAsDocker(HELPER_COMMAND, env, cwd, env.TMPDIR || tmpdir(), dockerConfig);
  if (dotted) {
    return { ok: false, code: 'helper-missing', problem: `${HELPER_COMMAND} is found through a relative PATH entry (${dotted}), which docker refuses to run.` };
  }
  if (!found && temporary) {
    return {
      ok: false,
      code: 'helper-temporary',
      helperPath: temporary,
      problem: `${HELPER_COMMAND} is found only in a temporary folder (${temporary}, npx's or the system's), which is gone once that run ends, so docker would find no helper.`,
    };
  }
  if (!found) return { ok: false, code: 'helper-missing', problem: `${HELPER_COMMAND} is not on PATH, so docker could not run it.` };
  const { execa } = await import('execa');
  const r = await execa(found.path, ['get'], { input: key, env, extendEnv: false, cwd, reject: false, timeout: 30_000, cancelSignal: signal });
  const said = String(r.stdout).trim().split('\n')[0] ?? '';
  if ((r as { code?: string }).code === 'ENOENT') return { ok: false, code: 'helper-missing', problem: `${HELPER_COMMAND} (${found.path}) could not be run.` };
  if (r.exitCode !== 0) {
    if (said === NOT_FOUND) return { ok: false, code: 'helper-not-served', helperPath: found.path, said, problem: `${HELPER_COMMAND} does not answer for ${key} here (${NOT_FOUND}).` };
    return { ok: false, code: 'helper-failed', helperPath: found.path, said, problem: `${HELPER_COMMAND} get answered "${said.replace(/^dockerhub-credentials: /, '').replace(/[.\s]+$/, '')}".` };
  }
  try {
    const parsed = JSON.parse(String(r.stdout)) as { Username?: string; Secret?: string };
    registerSecret(parsed.Secret);
    if (typeof parsed.Username === 'string' && parsed.Secret) return { ok: true, username: parsed.Username, helperPath: found.path };
  } catch {
    // fall through
  }
  return { ok: false, code: 'helper-failed', helperPath: found.path, problem: `${HELPER_COMMAND} get answered something that is not a credential.` };
}

/**
 * The name of the credential store that still holds a login for `key`, if any:
 * docker keeps a login in `credsStore` (pass, secretservice, desktop) rather than
 * in `auths` when one is configured. Asked read-only, as docker would (`get`).
 */
export async function loginInCredsStore(config: Record<string, unknown>, key: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string | undefined> {
  const store = config.credsStore;
  if (typeof store !== 'string' || !/^[\w.-]+$/.test(store) || store === HELPER_NAME) return undefined;
  // Found as docker finds it (never through an empty or relative PATH entry; no temporary folder is passed over,
  // since a store there would still hold the login); a store docker cannot run holds nothing for docker.
  const { found } = lookPathAsDocker(`docker-credential-${store}`, env, process.cwd(), '/nonexistent');
  if (!found) return undefined;
  const { execa } = await import('execa');
  const r = await execa(found.path, ['get'], { input: key, env, extendEnv: false, reject: false, timeout: 10_000, cancelSignal: signal });
  if (r.exitCode !== 0) return undefined;
  try {
    const parsed = JSON.parse(String(r.stdout)) as { Secret?: unknown };
    if (typeof parsed.Secret === 'string' && parsed.Secret) {
      registerSecret(parsed.Secret);
      return store;
    }
  } catch {
    // not a credential
  }
  return undefined;
}

/**
 * The fix for a helper that does not answer: install it for good, or give docker's
 * environment the variables the helper reads (flags never reach it).
 */
export function helperFix(answer: Extract<HelperAnswer, { ok: false }>, o: { secretId: string; registry?: string; region?: string; env: NodeJS.ProcessEnv }): string {
  if (answer.code === 'helper-missing' || answer.code === 'helper-temporary') {
    return `Install it for good where docker runs (${INSTALL_LINE}), so that ${HELPER_COMMAND} is on docker's PATH, then run this again.`;
  }
  const vars: string[] = [];
  if (!o.env.DOCKERHUB_CREDENTIALS_SECRET_ID) vars.push(`DOCKERHUB_CREDENTIALS_SECRET_ID=${o.secretId}`);
  if (o.registry && o.env.DOCKERHUB_CREDENTIALS_REGISTRY !== o.registry) vars.push(`DOCKERHUB_CREDENTIALS_REGISTRY=${o.registry}`);
  if (o.region && !o.env.AWS_REGION && !o.env.AWS_DEFAULT_REGION) vars.push(`AWS_REGION=${o.region}`);
  if (vars.length) return `docker runs the helper with its own environment, not this command's flags: set ${vars.join(' and ')} where docker runs, then run this again.`;
  return 'Fix what the helper said, where docker runs (its environment, AWS credentials and permissions), then run this again.';
}

/** The catalogue's exit for the helper's answer: the environment's fault (a usage problem), or AWS's (helper-failed). */
export const helperExitCode = (answer: Extract<HelperAnswer, { ok: false }>): ExitCode => exitOf(answer.code);

export const helperError = (answer: Extract<HelperAnswer, { ok: false }>, sentence: string, fix: string): CliError =>
  failure(answer.code, sentence, fix);
