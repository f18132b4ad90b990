import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CliError, ExitCode, isCliError, usageError } from './errors.js';
import { looksSecret, printable } from './ui/redact.js';
import { parseConsumers, type Consumer } from './domain/consumers.js';
import { DEFAULT_HUB_URL, DEFAULT_REGISTRY } from './domain/docker-hub.js';

export const CONFIG_FILE_NAME = '.dockerhub-credentials.json';

/** Keys a repository may commit in `.dockerhub-credentials.json`. */
const FILE_KEYS = ['secretId', 'profile', 'region', 'repository', 'registry', 'hubUrl'] as const;
type FileKey = (typeof FILE_KEYS)[number];
/** Keys whose value is a list of strings rather than a string. */
const FILE_LIST_KEYS = ['consumers'] as const;
export type FileConfig = Partial<Record<FileKey, string>> & { consumers?: string[]; path?: string };

/** What the command line said; undefined means "not given". */
export interface FlagValues {
  secretId?: string;
  profile?: string;
  region?: string;
  repository?: string;
  registry?: string;
  hubUrl?: string;
  username?: string;
  json?: boolean;
  color?: boolean;
  nonInteractive?: boolean;
  yes?: boolean;
  debug?: boolean;
  consumers?: string;
}

export interface Settings {
  secretId?: string;
  profile?: string;
  region?: string;
  repository?: string;
  registry: string;
  hubUrl: string;
  username?: string;
  json: boolean;
  color: boolean;
  interactive: boolean;
  /** Why a run at a terminal is unattended anyway, when the user may not expect it. */
  noPromptBecause?: string;
  yes: boolean;
  debug: boolean;
  configPath?: string;
  /** Every value supplied from outside, winning or not, with where it came from: all are validated before anything runs. */
  given: Given[];
  /** Where the value in use came from; absent for defaults and prompt answers. */
  origin: Partial<Record<Field, Given>>;
  /** Who reads the secret (--consumers, DOCKERHUB_CREDENTIALS_CONSUMERS, "consumers"); empty when none was declared. */
  consumers: Consumer[];
  /** The keys of the config file whose values are in use (not overridden by a flag or variable). */
  fromFile: string[];
}

/** The one line that says which file supplied which values, or nothing when none is in use. */
export function configFileNote(settings: Settings): string | undefined {
  if (!settings.configPath || settings.fromFile.length === 0) return undefined;
  return `Using ${settings.fromFile.join(', ')} from ${settings.configPath}`;
}

/** The settings a user supplies as text. */
export type Field = 'secretId' | 'profile' | 'region' | 'repository' | 'registry' | 'hubUrl' | 'username';

/** One supplied value and where it came from, named as the user would find it ("--username", "DOCKERHUB_USERNAME", or the file). */
export interface Given {
  field: Field;
  value: string;
  from: 'flag' | 'env' | 'file';
  name: string;
}

const FLAG_NAMES: Record<Field, string> = {
  secretId: '--secret-id',
  profile: '--profile',
  region: '--region',
  repository: '--repository',
  registry: '--registry',
  hubUrl: '--hub-url',
  username: '--username',
};

/** Environment variables per field, in order of precedence. */
const ENV_NAMES: Record<Field, string[]> = {
  secretId: ['DOCKERHUB_CREDENTIALS_SECRET_ID'],
  profile: ['AWS_PROFILE'],
  region: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
  repository: ['DOCKERHUB_CREDENTIALS_REPOSITORY'],
  registry: ['DOCKERHUB_CREDENTIALS_REGISTRY'],
  hubUrl: ['DOCKERHUB_CREDENTIALS_HUB_URL'],
  username: ['DOCKERHUB_USERNAME'],
};

/**
 * Whether a config file, or the folder it is in, could have been written by
 * someone else: owned by another user (root excepted), or writable by its group
 * or by everyone (a sticky /tmp included). The rule of git's safe.directory, and
 * stricter on modes. Not checked on Windows, where modes say nothing.
 */
function distrust(st: Stats, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined;
  if (st.uid !== uid && st.uid !== 0) return `belongs to another user (uid ${st.uid})`;
  if (st.mode & 0o002) return 'can be written by every user';
  if (st.mode & 0o020 && !isPrivateGroup(st.gid)) return 'can be written by its group';
  return undefined;
}

/**
 * Whether `gid` is this user's private group (the user-private-group scheme of
 * Fedora, RHEL and Debian with umask 002, where every folder is group-writable):
 * this user's primary group, no other account's primary group, and with no
 * other members listed. Anything unreadable counts as shared.
 */
function isPrivateGroup(gid: number): boolean {
  if (process.getgid?.() !== gid) return false;
  try {
    const me = userInfo().username;
    const members = readFileSync('/etc/group', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[2] === String(gid))?.[3];
    if (members === undefined || members.split(',').some((m) => m !== '' && m !== me)) return false;
    const sharing = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')).filter((f) => f[3] === String(gid) && f[0] !== me);
    return sharing.length === 0;
  } catch {
    return false;
  }
}

const myUid = (): number | undefined => process.getuid?.();

/** A config file that cannot be trusted: one sentence naming it and why, and the fix (exit 2). */
const refused = (path: string, why: string, fix: string): CliError =>
  new CliError('unsafe-config-file', `Refused the config file ${path}: ${why}, so someone else could have written it.`, fix, ExitCode.Usage);

/** A config file that is a symbolic link: refused, even to a good file (no link is followed). */
const linkRefused = (path: string): CliError =>
  new CliError('unsafe-config-file', `Refused the config file ${path}: it is a symbolic link, and no link is followed (its target could be anywhere).`, 'Replace the link with a copy of the file it points to.', ExitCode.Usage);

const elsewhereFix = (dir: string) =>
  `Work in a folder outside ${dir}, or put your own ${CONFIG_FILE_NAME} in the folder you work in (the nearest one is used, and the search stops there).`;

function lstatOrNone(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    // Missing, or in a folder that cannot be searched: nothing to read there.
    return undefined;
  }
}

/**
 * The IPv4 address an IPv4-mapped IPv6 host stands for (`[::ffff:7f00:1]` and
 * `[::ffff:127.0.0.1]` are 127.0.0.1), else the host name as given, lowercase.
 */
export function unmappedHost(hostname: string): string {
  const host = hostname.toLowerCase();
  if (!host.startsWith('[')) return host;
  let compressed = host;
  try {
    // The URL parser writes every form (dotted, hex, zeros spelt out) as [::ffff:hhhh:hhhh].
    compressed = new URL(`http://${host}/`).hostname;
  } catch {
    return host;
  }
  const m = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(compressed);
  if (!m) return compressed;
  const [hi, lo] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** This machine: localhost, 127.0.0.0/8 (also IPv4-mapped) and [::1]. Not 0.0.0.0, which only some systems route here. */
export function isLoopbackHost(hostname: string): boolean {
  const host = unmappedHost(hostname);
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The rule for every URL the token travels to, given or announced: https://, or http:// only to this machine. */
export const tokenMayTravelTo = (url: URL): boolean => url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));

/**
 * Finds the nearest config file from `cwd` upward, the way git finds `.git`, but
 * trusts only what the user (or root) owns and nobody else can write. The search
 * stops at a folder others can write to; a file there, another user's file, a
 * file others can write, and a symbolic link are refused (exit 2), never skipped:
 * a skipped file would silently change which secret or region a run uses.
 */
export function findConfigFile(cwd: string): string | undefined {
  const uid = myUid();
  let dir: string;
  try {
    dir = realpathSync(cwd);
  } catch {
    dir = resolve(cwd);
  }
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    const folder = lstatOrNone(dir);
    const folderProblem = folder && distrust(folder, uid);
    const file = lstatOrNone(candidate);
    if (file) {
      // A sticky folder (like /tmp) is shared on purpose: never advise making it private.
      const mine = folder !== undefined && folder.uid === uid && !(folder.mode & 0o1000);
      if (folderProblem) throw refused(candidate, `the folder ${dir} ${folderProblem}`, mine ? `Run: chmod go-w ${dir}` : elsewhereFix(dir));
      if (file.isSymbolicLink()) {
        throw linkRefused(candidate);
      }
      const fileProblem = distrust(file, uid);
      if (fileProblem) throw refused(candidate, `it ${fileProblem}`, file.uid === uid ? `Run: chmod go-w ${candidate}` : elsewhereFix(dir));
      return candidate;
    }
    // Nothing above a folder others can write to is looked at.
    if (folderProblem) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The file's text, opened without following a link and checked again on the open file (it could have been swapped). */
function readConfigText(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw usageError(`The config file ${path} is malformed: it is not a regular file.`, `Remove ${path}, or make it a JSON file.`);
    const problem = distrust(st, myUid());
    if (problem) throw refused(path, `it ${problem}`, elsewhereFix(dirname(path)));
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export function loadConfigFile(path: string): FileConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readConfigText(path));
  } catch (e) {
    if (isCliError(e)) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(path);
    // JSON.parse quotes the text around the error: never a secret-like piece of it.
    const detail = e instanceof SyntaxError && !looksSecret(e.message) ? ` (${printable(e.message)})` : '';
    const why = e instanceof SyntaxError ? `it is not valid JSON${detail}` : 'it cannot be read';
    throw usageError(`The config file ${path} is malformed: ${why}.`, `Fix or delete ${path}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`The config file ${path} is malformed: it must hold a JSON object.`, `Fix or delete ${path}.`);
  }
  const config: FileConfig = { path };
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'consumers') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw usageError(`The config file ${path} is malformed: "consumers" must be a list of strings, for example ["ecs"].`, `Fix ${path}.`);
      }
      config.consumers = value as string[];
      continue;
    }
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      const allowed = [...FILE_KEYS, ...FILE_LIST_KEYS];
      const [near] = looksSecret(key) ? [] : closeMatches(key, allowed, 1);
      throw usageError(
        `The config file ${path} is malformed: ${looksSecret(key) ? 'a key looks like an access token (not shown)' : `unknown key "${printable(key)}"`}.`,
        `${near ? `Did you mean "${near}"? ` : ''}Allowed keys: ${allowed.join(', ')}.`,
      );
    }
    if (typeof value !== 'string' || value.trim() === '') {
      throw usageError(`The config file ${path} is malformed: "${key}" must be a non-empty string.`, `Fix ${path}.`);
    }
    config[key as FileKey] = value.trim();
  }
  return config;
}

/** Edit distance with transpositions (optimal string alignment), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0]![j] = j;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[x.length]![y.length]!;
}

/**
 * The candidates close to a mistyped word, nearest first, at most `max`: a few
 * edits away (about a third of its length), or containing it (`dockerhub` for
 * `ci/dockerhub`). For "did you mean" in config keys and secret names.
 */
export function closeMatches(word: string, candidates: readonly string[], max: number): string[] {
  const w = word.toLowerCase();
  const scored = candidates
    .filter((c) => c !== word)
    .map((c) => ({ c, d: distance(word, c), contains: w.length >= 4 && c.toLowerCase().includes(w) }))
    .filter(({ d, contains }) => contains || d <= Math.max(2, Math.floor(word.length / 3)));
  return scored.sort((a, b) => a.d - b.d).slice(0, max).map(({ c }) => c);
}

export interface Environment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
  /** No config file is looked for (the credential helper: docker's environment only). */
  noFile?: boolean;
}

/** Precedence: flags, then environment, then the config file, then built-in defaults. */
export function resolveSettings(flags: FlagValues, where: Environment): Settings {
  const { env } = where;
  const configPath = where.noFile ? undefined : findConfigFile(where.cwd);
  const file: FileConfig = configPath ? loadConfigFile(configPath) : {};
  const given: Given[] = [];
  const origin: Partial<Record<Field, Given>> = {};
  const pick = (field: Field): string | undefined => {
    const candidates: Given[] = [];
    const add = (value: string | undefined, from: Given['from'], name: string) => {
      if (value !== undefined && value.trim() !== '') candidates.push({ field, value: value.trim(), from, name });
    };
    add(flags[field], 'flag', FLAG_NAMES[field]);
    for (const name of ENV_NAMES[field]) add(env[name], 'env', name);
    if (field !== 'username') add(file[field], 'file', `"${field}" in ${configPath}`);
    given.push(...candidates);
    if (candidates[0]) origin[field] = candidates[0];
    return candidates[0]?.value;
  };
  // NO_COLOR (no-color.org), and a terminal that declares it cannot show colour (TERM=dumb:
  // Emacs' shell, some CI log viewers) — found in the stranger's trial.
  const noColorEnv = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
  const values = {
    secretId: pick('secretId'),
    profile: pick('profile'),
    region: pick('region'),
    repository: pick('repository'),
    registry: pick('registry') ?? DEFAULT_REGISTRY,
    hubUrl: pick('hubUrl') ?? DEFAULT_HUB_URL,
    username: pick('username'),
  };
  const consumersFrom = flags.consumers !== undefined || env.DOCKERHUB_CREDENTIALS_CONSUMERS?.trim() ? 'other' : file.consumers ? 'file' : 'none';
  const fromFile = [...Object.values(origin).filter((g) => g.from === 'file').map((g) => g.field as string), ...(consumersFrom === 'file' ? ['consumers'] : [])];
  return {
    ...values,
    json: flags.json ?? false,
    color: flags.color !== false && !noColorEnv,
    interactive: !flags.nonInteractive && where.stdinIsTTY && where.stderrIsTTY,
    // At a terminal with only stderr redirected (`rotate 2>err.log`), the run is unattended with no
    // word of why, and the keys typed next go to the shell (the stranger pasted a token into bash).
    noPromptBecause: !flags.nonInteractive && where.stdinIsTTY && !where.stderrIsTTY ? 'stderr is not a terminal, and questions are asked on stderr' : undefined,
    yes: flags.yes ?? false,
    debug: flags.debug ?? false,
    configPath,
    given,
    origin,
    consumers:
      parseConsumers(flags.consumers, '--consumers') ??
      parseConsumers(env.DOCKERHUB_CREDENTIALS_CONSUMERS?.trim() || undefined, 'DOCKERHUB_CREDENTIALS_CONSUMERS') ??
      parseConsumers(file.consumers, configPath ?? CONFIG_FILE_NAME) ??
      [],
    fromFile,
  };
}

/**
 * The settings where docker runs, from docker's environment only: a
 * .dockerhub-credentials.json in whatever checkout docker runs in (a pull
 * request's, say) must not choose the secret, the AWS profile or region, or the
 * registry the token goes to. Used by the helper, and by login --helper to
 * say which secret the helper will read.
 */
export function helperSettings(io: { env: NodeJS.ProcessEnv; cwd: string }): Settings & { servedRegistry: string } {
  const settings = resolveSettings({}, { env: io.env, cwd: io.cwd, stdinIsTTY: false, stderrIsTTY: false, noFile: true });
  return { ...settings, servedRegistry: settings.registry };
}
