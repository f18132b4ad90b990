import { basename } from 'node:path';
import { CliError, ExitCode, isCliError } from '../errors.js';
import type { CodeIn } from '../catalogue.js';
import { DEFAULT_HUB_URL, DEFAULT_REGISTRY, HUB_HOSTS_WITH_API } from '../domain/docker-hub.js';
import { tokenMayTravelTo, type Given, type Settings } from '../config.js';
import { isDockerId, tokenKind, usernameFix, validateRepository, validateUsername } from '../domain/tokens.js';
import type { Prompter } from '../ui/prompter.js';
import type { SuppliedToken } from '../context.js';
import { looksSecret, printable, registerSecret } from '../ui/redact.js';
import { expiresIn, parseExpiryDate, validateLabel } from '../domain/lifecycle.js';
import { checkSignInInputs, type SuppliedPassword } from './signin-inputs.js';

// Everything a user supplies is checked here, before the first network call, the
// AWS client or any child process: a bad run stops with one message that lists
// every missing or invalid answer, never quoting what looks like a secret.

/**
 * Reads DOCKERHUB_TOKEN and removes it from the environment: the first thing a
 * run does, before the config file, the AWS client or a credential_process, so
 * no child process ever inherits it.
 */
export function takeEnvToken(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.DOCKERHUB_TOKEN;
  delete env.DOCKERHUB_TOKEN;
  if (value !== undefined) registerSecret(value.trim());
  return value;
}

/** One expected failure of an input: a row of the catalogue, filled in with names. */
interface Problem {
  code: CodeIn<'input'>;
  message: string;
  fix: string;
}

const EXPOSED = 'If a real token was typed on a command line or committed to a file, treat it as exposed and rotate it.';

/** The catalogue of input failures (README "Errors"): the code, and how a row reads. */
const RULES = {
  secretLike: (name: string): Problem => ({
    code: 'secret-in-wrong-field',
    message: `${name} holds what looks like an access token, but the token goes in only through the prompt, stdin (--token-stdin) or DOCKERHUB_TOKEN.`,
    fix: `Put the right value in ${name}. ${EXPOSED}`,
  }),
  badUsername: (name: string, value: string): Problem => ({
    code: 'invalid-username',
    message: `${name} ${quote(value)} is not a Docker ID or organization name.`,
    fix: usernameFix(value) ?? 'A Docker ID is 4 to 30 lowercase letters and digits; with an organization access token, use the organization name.',
  }),
  badRepository: (name: string, value: string): Problem => ({
    code: 'invalid-repository',
    message: `${name} ${quote(value)} is not a repository name.`,
    fix: 'A repository is namespace/name in lowercase, for example myorg/myapp.',
  }),
  badRegion: (name: string, value: string): Problem => ({
    code: 'invalid-region',
    message: `${name} ${quote(value)} is not an AWS region name.`,
    fix: 'Use a region code such as eu-west-2 or us-east-1.',
  }),
  badSecretId: (name: string, value: string): Problem => ({
    code: 'invalid-secret-id',
    message: `${name} ${quote(value)} is not a Secrets Manager secret name or ARN.`,
    fix: 'A secret name uses letters, digits and / _ + = . @ - (for example ci/dockerhub); an ARN starts arn:aws:secretsmanager:.',
  }),
  badProfile: (name: string, value: string): Problem => ({
    code: 'invalid-profile',
    message: `${name} ${quote(value)} is not an AWS profile name.`,
    fix: 'Use a profile name from ~/.aws/config, for example --profile ci-admin.',
  }),
  orgWithoutOat: (name: string, value: string): Problem => ({
    code: 'invalid-username',
    message: `${name} ${quote(value)} is not a Docker ID (4 to 30 lowercase letters and digits), and an organization name works only with an organization access token.`,
    fix: 'Use your Docker ID with a personal access token, or an organization access token (dckr_oat_...) with the organization name.',
  }),
  notUrl: (name: string, value: string, example: string): Problem => ({
    code: 'invalid-url',
    message: `${name} ${quote(value)} is not a URL.`,
    fix: `Give a full URL, for example ${example}.`,
  }),
  notHttps: (name: string, value: string, example: string): Problem => ({
    code: 'insecure-url',
    message: `${name} ${quote(value)} is not an https:// URL, and the token travels only over https:// (http:// only to this machine).`,
    fix: `Give an https:// URL, for example ${example}.`,
  }),
  urlWithCredentials: (name: string): Problem => ({
    code: 'invalid-url',
    message: `${name} has a user name or password in the URL (not shown); credentials never go in a URL.`,
    fix: `Give the URL without credentials. ${EXPOSED}`,
  }),
  insecureUrl: (name: string, host: string, scheme: string): Problem => ({
    code: 'insecure-url',
    message: `${name} sends the token to ${host} over ${scheme}//, but the token travels only over https:// (http:// only to this machine).`,
    fix: `Use https://${host}.`,
  }),
  unconfirmedHost: (path: string, key: string, host: string, flag: string, envName: string, url: string): Problem => ({
    code: 'unconfirmed-host',
    message: `The config file ${path} names ${host} as "${key}", and the token goes to a host other than Docker Hub's only when you confirm it.`,
    fix: `Confirm it with ${flag} ${url} (or ${envName}), or remove "${key}" from ${path}.`,
  }),
  missing: (message: string, fix: string): Problem => ({ code: 'missing-input', message, fix }),
  stdinAtTerminal: (): Problem => ({
    code: 'token-stdin-terminal',
    message: '--token-stdin needs the token piped in, not typed at a terminal where it would be echoed.',
    fix: 'Leave out --token-stdin to get a masked prompt, or pipe the token: printf %s "$TOKEN" | dockerhub-credentials ...',
  }),
  badToken: (source: string, why: string): Problem => ({
    code: 'invalid-token-input',
    message: `The token from ${source} ${why}, so it was not used.`,
    fix: source === 'stdin' ? 'Pipe only the token: printf %s "$TOKEN" | dockerhub-credentials ...' : 'Set DOCKERHUB_TOKEN to the token alone.',
  }),
};

/** An invalid value that is not secret-like, quoted with its control characters escaped and its length bounded. */
function quote(value: string): string {
  const chars = Array.from(value);
  const shown = chars.length > 60 ? `${chars.slice(0, 57).join('')}...` : value;
  return `"${printable(shown)}"`;
}

const REGION = /^[a-z]{2,5}(-[a-z]+){1,3}-\d{1,2}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function checkUrl(g: Given, example: string): Problem | undefined {
  let url: URL;
  try {
    url = new URL(g.value);
  } catch {
    return RULES.notUrl(g.name, g.value, example);
  }
  if (url.username || url.password) return RULES.urlWithCredentials(g.name);
  if (tokenMayTravelTo(url)) return undefined;
  if (url.protocol !== 'http:') return RULES.notHttps(g.name, g.value, example);
  return RULES.insecureUrl(g.name, url.host, url.protocol);
}

/** What is wrong with one supplied value, or nothing. Secret-like comes first, so such a value is never quoted. */
function checkGiven(g: Given): Problem | undefined {
  if (looksSecret(g.value)) {
    registerSecret(g.value);
    return RULES.secretLike(g.name);
  }
  switch (g.field) {
    case 'username':
      return validateUsername(g.value) === true ? undefined : RULES.badUsername(g.name, g.value);
    case 'repository':
      return validateRepository(g.value) === true ? undefined : RULES.badRepository(g.name, g.value);
    case 'region':
      return REGION.test(g.value) ? undefined : RULES.badRegion(g.name, g.value);
    case 'secretId':
      return SECRET_NAME.test(g.value) || SECRET_ARN.test(g.value) ? undefined : RULES.badSecretId(g.name, g.value);
    case 'profile':
      return HAS_CONTROL.test(g.value) ? RULES.badProfile(g.name, g.value) : undefined;
    case 'registry':
      return checkUrl(g, DEFAULT_REGISTRY);
    case 'hubUrl':
      return checkUrl(g, DEFAULT_HUB_URL);
  }
}

/** A prompt answer checked by the same rules as a flag: true, or the message to show (never quoting the answer). */
export function checkAnswer(field: Given['field'], value: string): true | string {
  const problem = checkGiven({ field, value: value.trim(), from: 'flag', name: 'That answer' });
  return problem ? `${problem.message} ${problem.fix.replace(/ If a real token.*$/, '')}` : true;
}

const MAX_STDIN = 64 * 1024;

export async function readTokenFromStdin(stdin: NodeJS.ReadableStream, problems: Problem[]): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_STDIN) {
      problems.push(RULES.badToken('stdin', 'is far too long to be a token'));
      return undefined;
    }
    chunks.push(buf);
  }
  const bytes = Buffer.concat(chunks);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    problems.push(RULES.badToken('stdin', 'is not valid UTF-8 text'));
    return undefined;
  } finally {
    registerSecret(bytes.toString('utf8').trim());
  }
  return text;
}

/** A token as read: trimmed, one word, not a `user:token` pair. */
function checkToken(raw: string | undefined, source: 'stdin' | 'env', problems: Problem[]): SuppliedToken | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  registerSecret(value);
  const where = source === 'stdin' ? 'stdin' : 'DOCKERHUB_TOKEN';
  if (value === '') {
    problems.push(
      source === 'stdin'
        ? RULES.missing('--token-stdin was given, but stdin was empty.', 'Pipe the token: printf %s "$TOKEN" | dockerhub-credentials ...')
        : RULES.missing('DOCKERHUB_TOKEN is set but empty.', 'Set it to the token, or unset it to be prompted.'),
    );
    return undefined;
  }
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    problems.push(RULES.badToken(where, 'contains spaces or control characters (a token is one word)'));
    return undefined;
  }
  if (/^[a-z0-9][a-z0-9._-]*:dckr_/i.test(value)) {
    problems.push(RULES.badToken(where, 'is a username:token pair'));
    return undefined;
  }
  return { value, source };
}

/** Options that are not settings (--label, --expires-at, ...): the same secret-like rule, then their own format. */
function checkOtherOptions(opts: Record<string, unknown>): Problem[] {
  const settingsFields = new Set(['secretId', 'profile', 'region', 'repository', 'registry', 'hubUrl', 'username']);
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(opts)) {
    if (typeof value !== 'string' || settingsFields.has(key)) continue;
    const name = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (looksSecret(value)) {
      registerSecret(value);
      problems.push(RULES.secretLike(name));
      continue;
    }
    const format = OPTION_FORMATS[key];
    try {
      const ok = format?.(value.trim(), name);
      if (typeof ok === 'string') problems.push({ code: 'invalid-option', message: `${name} ${quote(value)} is not usable: ${ok}`, fix: `See the command's --help for ${name}.` });
    } catch (e) {
      if (!isCliError(e)) throw e;
      problems.push({ code: 'invalid-option', message: printable(e.message), fix: e.hint ?? `See the command's --help for ${name}.` });
    }
  }
  if (typeof opts.expiresAt === 'string' && typeof opts.expiresIn === 'string') {
    problems.push({ code: 'invalid-option', message: '--expires-at and --expires-in both say when the token expires.', fix: 'Give one of them.' });
  }
  return problems;
}

/** The formats of options that are not settings; each returns a reason, or throws the command's own usage error. */
const OPTION_FORMATS: Record<string, (value: string, name: string) => true | string | void> = {
  label: (v) => validateLabel(v),
  expiresAt: (v, name) => void parseExpiryDate(v, name),
  expiresIn: (v) => void expiresIn(v),
};

export interface InputCheck {
  settings: Settings;
  prompter: Prompter;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** What a command needs and does, as far as checking its inputs goes. */
function needs(command: string, opts: Record<string, unknown>) {
  // rotate --discard-pending only drops the stage (no token); --resume uses the staged token, --same-token the stored one.
  // --create makes the token: none is read (src/flows/signin.ts reads the password instead).
  const takesToken = !opts.create && (command === 'setup' || (command === 'rotate' && !opts.resume && !opts.sameToken && !opts.discardPending));
  // login hands the stored token to docker for its registry (or names that registry for the helper).
  const sendsToken =
    command === 'setup' ||
    (command === 'rotate' && !opts.discardPending) ||
    command === 'login' ||
    command === 'retire' ||
    command === 'tokens' ||
    (command === 'verify' && Boolean(opts.live)) ||
    (command === 'rollback' && !opts.skipValidation);
  // Unattended, only --yes can confirm these: refused with the other missing answers, before anything is sent.
  const confirms =
    command === 'rollback' ? 'Rollback needs a confirmation' : command === 'rotate' && opts.resume ? '--resume promotes the pending value, which needs a confirmation' : command === 'rotate' && opts.discardPending ? '--discard-pending removes the pending value, which needs a confirmation' : undefined;
  // status lists the secrets of a region, and logout undoes what login wrote to the docker config: neither names a secret.
  return { takesToken, sendsToken, needsUsername: command === 'setup', needsSecret: command !== 'logout' && command !== 'status' && command !== 'tokens', confirms };
}

/**
 * Validates every flag, variable and config value, reads a piped token, and
 * confirms a registry named only by a committed file: all before anything is
 * sent. Throws one usage error listing every problem; returns the token supplied
 * without a prompt, if any.
 */
export async function checkInputs(
  c: InputCheck,
  command: string,
  opts: Record<string, unknown>,
  envToken: string | undefined,
  envPassword?: string,
): Promise<{ token?: SuppliedToken; password?: SuppliedPassword }> {
  const { settings, prompter } = c;
  const need = needs(command, opts);
  const problems: Problem[] = [];
  // The token first: once registered, a copy of it in any other field is recognised.
  let token: SuppliedToken | undefined;
  if (need.takesToken && opts.tokenStdin) {
    if (c.stdin.isTTY) problems.push(RULES.stdinAtTerminal());
    else token = checkToken(await readTokenFromStdin(c.stdin, problems), 'stdin', problems);
  } else if (need.takesToken) {
    token = checkToken(envToken, 'env', problems);
  }

  // The password next, for --create, retire, tokens and rollback: registered before any other field is checked.
  const signInCheck = await checkSignInInputs(c, command, opts, envPassword, (stdin) => readTokenFromStdin(stdin, problems));
  problems.push(...signInCheck.problems);
  for (const g of settings.given) {
    const p = checkGiven(g);
    if (p) problems.push(p);
  }
  problems.push(...checkOtherOptions(opts));
  const username = settings.origin.username;
  if (token && username && !looksSecret(username.value) && validateUsername(username.value) === true && !isDockerId(username.value) && tokenKind(token.value) !== 'oat') {
    problems.push(RULES.orgWithoutOat(username.name, username.value));
  }
  if (!prompter.interactive) {
    if (need.needsSecret && !settings.secretId) {
      problems.push(RULES.missing('No secret id was given.', 'Pass --secret-id NAME, set DOCKERHUB_CREDENTIALS_SECRET_ID, or add "secretId" to .dockerhub-credentials.json.'));
    }
    if (need.needsUsername && !settings.username) {
      problems.push(RULES.missing('No Docker ID was given.', 'Pass --username (or set DOCKERHUB_USERNAME).'));
    }
    if (need.confirms && !settings.yes) problems.push(RULES.missing(`${need.confirms}: no answer without a terminal.`, 'Pass --yes.'));
    // rotate --yes alone may hand the rotation to the secret's rotation function (RotateSecret); without one, the token is asked for and missing.
    if (need.takesToken && !token && envToken === undefined && !opts.tokenStdin && !(command === 'rotate' && opts.yes && !opts.force)) {
      problems.push(RULES.missing('No token was given.', 'Pipe it with --token-stdin or set DOCKERHUB_TOKEN; it is never accepted as an argument.'));
    }
  }
  if (problems.length === 0 && need.sendsToken) await confirmHostsFromFile(settings, prompter, problems);
  if (problems.length) {
    const e = combine(problems);
    if (settings.noPromptBecause && problems.some((p) => p.code === 'missing-input')) {
      // The reason goes in the fix, apart from the sentence (no re-worded sentences: issue 17).
      throw new CliError(e.code, e.message, `No question was asked: ${settings.noPromptBecause}. Run it again without redirecting stderr to be asked; unattended: ${e.hint ?? 'pass the answers as options.'}`, ExitCode.Usage);
    }
    throw e;
  }
  return { token, password: signInCheck.password };
}

/** A registry or Hub URL that only a committed file names gets the token only after a confirmation naming its host. */
async function confirmHostsFromFile(settings: Settings, prompter: Prompter, problems: Problem[]): Promise<void> {
  const rows = [
    { key: 'registry', given: settings.origin.registry, flag: '--registry', envName: 'DOCKERHUB_CREDENTIALS_REGISTRY' },
    { key: 'hubUrl', given: settings.origin.hubUrl, flag: '--hub-url', envName: 'DOCKERHUB_CREDENTIALS_HUB_URL' },
  ];
  for (const row of rows) {
    if (row.given?.from !== 'file') continue;
    const host = new URL(row.given.value).host;
    if (HUB_HOSTS_WITH_API.includes(host)) continue;
    const path = settings.configPath!;
    const confirmed =
      prompter.interactive &&
      (await prompter.confirm({
        message: `Send the Docker Hub token to ${host} (the "${row.key}" in ${basename(path)})?`,
        default: false,
        flag: row.flag,
      }));
    if (!confirmed && prompter.interactive) {
      // A "No" is the user's choice, not a missing answer: the run stops at the first one, with
      // what it left (stranger trial, session 3: "2 answers are missing or invalid" after two Nos).
      throw new CliError(
        'host-declined',
        `Not sent: you did not confirm ${host} (the "${row.key}" in ${path}), so nothing was sent there or anywhere else.`,
        `To use it, pass ${row.flag} ${row.given.value} (or set ${row.envName}); otherwise remove "${row.key}" from ${path}.`,
        ExitCode.Usage,
      );
    }
    if (!confirmed) problems.push(RULES.unconfirmedHost(path, row.key, host, row.flag, row.envName, row.given.value));
  }
}

function combine(problems: Problem[]): CliError {
  if (problems.length === 1) {
    const [p] = problems as [Problem];
    return new CliError(p.code, p.message, p.fix, ExitCode.Usage);
  }
  // Each problem keeps its own sentence, whole: none is re-worded into another.
  const message = `${problems.length} answers are missing or invalid: ${problems.map((p) => p.message).join(' ')}`;
  const fixes = [...new Set(problems.map((p) => p.fix))];
  return new CliError('invalid-input', message, fixes.join(' '), ExitCode.Usage);
}
