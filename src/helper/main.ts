import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
import { DEFAULT_REGISTRY, HUB_AUTH_KEY, HUB_HOSTS, dockerServerFor, hostOf } from '../domain/docker-hub.js';
import { helperSettings, type Settings } from '../config.js';
import { HELPER_LOG_VARIABLE, NOT_FOUND, helperLogProblem } from '../docker/helper-protocol.js';
import { isCliError, type ErrorCode } from '../errors.js';
import { CURRENT } from '../domain/secret.js';
import { AwsSecretStore, awsTimeouts, timerMs } from '../aws/store.js';
import { checkCredentialValue } from '../domain/value.js';
import { bounded, printable, redact } from '../ui/redact.js';
import { VERSION, versionLine } from '../version.js';
import { helperFailure } from '../ui/render.js';

// docker-credential-dockerhub-credentials: docker's credential-helper protocol
// (REFERENCE sections 2 and 6), backed by Secrets Manager. docker runs it on every
// pull and push, so it loads only the config reader and the Secrets Manager client:
// no commander, inquirer or execa. Modelled on amazon-ecr-credential-helper:
// `get` reads the secret fresh every time, nothing is written to disk, and servers
// it does not serve get "credentials not found in native keychain".
//
// docker 28 discards a helper's error and goes on anonymously (REFERENCE 2,
// "Credential helpers"), so a failure must be quick (its own time budget) and
// findable afterwards (the optional log file, and `verify --helper`).

/** The helper's own time for one AWS read, all retries included, unless this variable says otherwise. */
export const HELPER_TIMEOUT_VARIABLE = 'DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT';
const HELPER_TIMEOUT_SECONDS = 5;
/** docker sends a server name (get) or a small JSON object (store, erase): a few KB at most. */
export const STDIN_LIMIT = 8192;

/** Whether this helper answers for `server`: Docker Hub's names, or the configured registry. */
export function serves(server: string, registry: string): boolean {
  const host = hostOf(server);
  if (HUB_HOSTS.includes(host)) return true;
  const configured = dockerServerFor(registry);
  return configured !== undefined && host === configured.toLowerCase();
}

interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A failure with a stable outcome name for the log; `message` is what docker is told. */
class HelperFailure extends Error {
  constructor(
    readonly outcome: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads stdin up to `limit` bytes; leaving the loop early stops reading (the stream is destroyed). */
async function readBounded(stream: NodeJS.ReadableStream, limit = STDIN_LIMIT): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > limit) throw new HelperFailure('input-too-long', `the input is longer than ${limit} bytes; docker sends a server name`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The longest budget: docker waits for the helper on every pull and push. */
export const HELPER_TIMEOUT_MAX_SECONDS = 600;

/**
 * The helper's time budget in milliseconds (DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT seconds,
 * default 5, at most 600: a larger value is used as 600, and `note` says so for the log).
 */
export function helperBudget(env: NodeJS.ProcessEnv): { ms: number; note?: string } {
  const raw = env[HELPER_TIMEOUT_VARIABLE];
  const seconds = raw === undefined || raw === '' ? HELPER_TIMEOUT_SECONDS : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new HelperFailure('usage', `${HELPER_TIMEOUT_VARIABLE} must be a number of seconds greater than 0 (it is ${printable(String(raw).slice(0, 40))})`);
  }
  if (seconds > HELPER_TIMEOUT_MAX_SECONDS) {
    return { ms: HELPER_TIMEOUT_MAX_SECONDS * 1000, note: `${HELPER_TIMEOUT_VARIABLE}=${printable(String(raw).slice(0, 40))} is more than ${HELPER_TIMEOUT_MAX_SECONDS} seconds; ${HELPER_TIMEOUT_MAX_SECONDS} used` };
  }
  return { ms: Math.round(seconds * 1000) };
}

interface LogEntry {
  action: string;
  server?: string;
  secretId?: string;
  /** A row of the catalogue (src/catalogue.ts), `ok`, or `error` for an unexpected failure. */
  outcome: ErrorCode | 'ok' | 'error';
  reason?: string;
  /** A setting that was not used as given (a budget above the most). */
  note?: string;
  username?: string;
  started: number;
}

const quote = (value: string, max = 300) => `"${printable(value.slice(0, max)).replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * One line per call, appended; silent on any problem, because docker would discard
 * what the helper says anyway (`verify --helper` gives the reason). Never a secret:
 * the line holds names, an outcome and the time taken, and passes through redact.
 */
function writeLog(env: NodeJS.ProcessEnv, e: LogEntry): void {
  const file = env[HELPER_LOG_VARIABLE];
  if (!file || helperLogProblem(env) !== undefined) return;
  const parts = [
    new Date().toISOString(),
    e.action,
    `server=${e.server === undefined ? '-' : quote(e.server)}`,
    `secret=${e.secretId === undefined ? '-' : quote(e.secretId)}`,
    `outcome=${e.outcome}`,
    `duration=${Date.now() - e.started}ms`,
    ...(e.username ? [`username=${quote(e.username)}`] : []),
    ...(e.reason ? [`reason=${quote(e.reason, 1000)}`] : []),
    ...(e.note ? [`note=${quote(e.note)}`] : []),
  ];
  let fd: number | undefined;
  try {
    // O_NOFOLLOW: a link put there after the check is refused, not followed.
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || st.mode & 0o077) return;
    writeSync(fd, redact(parts.join(' ')) + '\n');
  } catch {
    // Logging never changes what docker gets.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const setupLine = (secretId: string) => `npx dockerhub-credentials setup --secret-id ${secretId}`;

/**
 * Reads AWSCURRENT within the helper's budget: a deadline over the whole read (credentials
 * included), outcome `budget`. The SDK's own timeouts (DOCKERHUB_CREDENTIALS_AWS_*_TIMEOUT,
 * 3 s to connect at most here) still apply inside it, outcome `aws-timeout`.
 */
async function readCredential(settings: Settings, env: NodeJS.ProcessEnv, budgetMs: number): Promise<{ username: string; token: string }> {
  const secretId = settings.secretId;
  if (!secretId) {
    throw new HelperFailure('no-secret-id', 'no secret id: set DOCKERHUB_CREDENTIALS_SECRET_ID where docker runs (the helper reads no config file)');
  }
  const sdk = awsTimeouts(env);
  const timeouts = { ...sdk, connectMs: Math.min(sdk.connectMs, 3000) };
  const read = async () => {
    const store = await AwsSecretStore.open({ secretId, profile: settings.profile, region: settings.region, timeouts });
    try {
      return await store.get({ stage: CURRENT });
    } catch (e) {
      // A secret that exists but has no AWSCURRENT version yet reads as "not found": say which it is.
      if (isCliError(e) && e.code === 'secret-not-found' && (await store.describe().then(() => true, () => false))) {
        throw new HelperFailure('no-value', `the secret ${secretId} exists but has no value yet; run setup: ${setupLine(secretId)}`);
      }
      throw e;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HelperFailure('budget', `AWS did not answer within ${budgetMs / 1000} seconds (the helper's budget; ${HELPER_TIMEOUT_VARIABLE}=SECONDS allows longer, up to ${HELPER_TIMEOUT_MAX_SECONDS})`)),
      timerMs(budgetMs),
    );
  });
  try {
    const version = await Promise.race([read(), deadline]);
    const check = checkCredentialValue(version.secretString);
    if (check.problems.length) {
      throw new HelperFailure('invalid-value', `${secretId} is not a valid credential: ${check.problems.join(' ')} Store one with: ${setupLine(secretId)}`);
    }
    return { username: check.username!, token: check.token! };
  } finally {
    clearTimeout(timer);
  }
}

const USAGE = `docker-credential-dockerhub-credentials ${VERSION}: docker's credential helper for Docker Hub, backed by AWS Secrets Manager.

docker runs it as docker-credential-dockerhub-credentials ACTION:
  get       reads a server name on stdin; prints {"ServerURL","Username","Secret"}
  list      prints the servers it serves, with the username
  store     read-only: change the token with npx dockerhub-credentials rotate
  erase     read-only
  version   prints the version

Where docker runs, it reads its environment only (never a config file):
  DOCKERHUB_CREDENTIALS_SECRET_ID       the secret
  AWS_PROFILE, AWS_REGION               and the standard AWS credential chain
  DOCKERHUB_CREDENTIALS_REGISTRY        a registry other than Docker Hub to serve
  ${HELPER_TIMEOUT_VARIABLE}  seconds for one AWS read (default ${HELPER_TIMEOUT_SECONDS}, at most ${HELPER_TIMEOUT_MAX_SECONDS})
  ${HELPER_LOG_VARIABLE}      a file that gets one line per call (never a secret)

docker discards a helper's error and pulls anonymously: check what docker would
get with npx dockerhub-credentials verify --helper.
`;

/** One helper call; returns the exit code. Errors go to stdout with exit 1, as the protocol says. */
export async function helperMain(argv: string[], io: Io): Promise<number> {
  // docker shows these lines to the user: escaped, like every line of the CLI's Output.
  const say = (line: string) => io.stdout.write(printable(bounded(redact(line), 2000)) + '\n');
  const action = argv[0];
  const entry: LogEntry = { action: action ?? '(none)', outcome: 'ok', started: Date.now() };
  let code = 0;
  try {
    switch (action) {
      case 'get': {
        const server = (await readBounded(io.stdin)).trim();
        entry.server = server;
        const settings = helperSettings(io);
        entry.secretId = settings.secretId;
        if (!server || !serves(server, settings.servedRegistry)) {
          entry.outcome = 'not-served';
          entry.reason = `answers only for Docker Hub${settings.servedRegistry === DEFAULT_REGISTRY ? '' : ` and ${dockerServerFor(settings.servedRegistry)}`} (a registry counts only from DOCKERHUB_CREDENTIALS_REGISTRY)`;
          say(NOT_FOUND);
          return (code = 1);
        }
        const budget = helperBudget(io.env);
        entry.note = budget.note;
        const { username, token } = await readCredential(settings, io.env, budget.ms);
        entry.username = username;
        // The one place the token leaves: to docker, on this pipe.
        io.stdout.write(JSON.stringify({ ServerURL: server, Username: username, Secret: token }) + '\n');
        return (code = 0);
      }
      case 'list': {
        const settings = helperSettings(io);
        entry.secretId = settings.secretId;
        const budget = helperBudget(io.env);
        entry.note = budget.note;
        const { username } = await readCredential(settings, io.env, budget.ms);
        const listed: Record<string, string> = { [HUB_AUTH_KEY]: username };
        const configured = dockerServerFor(settings.servedRegistry);
        if (configured) listed[configured] = username;
        say(JSON.stringify(listed));
        return (code = 0);
      }
      case 'store':
      case 'erase':
        // What docker sends here holds a secret: it is read (bounded) and dropped, never looked at.
        await readBounded(io.stdin).catch(() => undefined);
        entry.outcome = 'read-only';
        say('dockerhub-credentials: this credential helper is read-only: the token lives in AWS Secrets Manager (change it with npx dockerhub-credentials rotate)');
        return (code = 1);
      case 'version':
      case '--version':
      case '-v':
        say(`docker-credential-dockerhub-credentials ${versionLine()}`);
        return (code = 0);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return (code = 0);
      default:
        entry.outcome = 'unknown-action';
        say(`dockerhub-credentials: unknown action ${printable(String(action ?? '(none)').slice(0, 40))}; docker calls this helper with get, list, store or erase (see --help)`);
        return (code = 1);
    }
  } catch (e) {
    const { line, reason } = helperFailure(e);
    entry.outcome = e instanceof HelperFailure ? e.outcome : isCliError(e) ? e.code : 'error';
    entry.reason = reason;
    say(line);
    if (entry.outcome === 'budget' || entry.outcome === 'aws-timeout') {
      // The budget is spent: a request still open (a credential lookup, a socket that
      // never answered) must not keep docker waiting for this process to end.
      setTimeout(() => process.exit(1), 200).unref();
    }
    return (code = 1);
  } finally {
    if (code !== 0 && entry.outcome === 'ok') entry.outcome = 'error';
    if (action !== 'version' && action !== 'help' && !action?.startsWith('-')) writeLog(io.env, entry);
  }
}
