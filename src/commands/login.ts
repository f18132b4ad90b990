import { CliError, ExitCode, cancelled, isCliError, usageError } from '../errors.js';
import { commandLine, openStore, requireSecretId } from '../flows/secret-id.js';
import type { Context } from '../context.js';
import { CURRENT, PREVIOUS, type SecretVersion } from '../domain/secret.js';
import type { SecretStore } from '../aws/store.js';
import { checkCredentialValue } from '../domain/value.js';
import { noValueYet } from '../flows/inspect.js';
import { dockerLoginFailure } from '../docker/login.js';
import { findOnPath } from '../docker/path-lookup.js';
import { dockerConfigLocationProblem, dockerConfigPath, dockerConfigWriteProblem } from '../docker/config.js';
import {
  HELPER_COMMAND,
  HELPER_NAME,
  backupsHoldingLogin,
  checkHelperAnswers,
  helperEntryOf,
  helperError,
  helperFix,
  loginInCredsStore,
  readDockerConfigForWrite,
  storedLogin,
  writeCredHelperEntry,
} from '../docker/helper-config.js';
import { dockerServerFor, HUB_AUTH_KEY } from '../domain/docker-hub.js';
import { checkAnnouncedRealm } from '../hub/registry.js';
import { redact } from '../ui/redact.js';
import { helperSettings } from '../config.js';

export interface LoginOptions {
  stage?: string;
  helper?: boolean;
  /** With --helper: remove the login docker stored in "auths" without asking. */
  yes?: boolean;
}

/** AWSCURRENT (or the stage asked for); a secret that exists without that version "has no value yet", as verify says. */
async function readStage(store: SecretStore, ctx: Context, secretId: string, stage: string): Promise<SecretVersion> {
  try {
    return await store.get({ stage });
  } catch (e) {
    if (!isCliError(e) || e.code !== 'secret-not-found') throw e;
    const info = await store.describe().catch(() => undefined);
    if (!info) throw e;
    if (stage === CURRENT) throw noValueYet(ctx, secretId, info);
    throw new CliError('no-previous', `The secret ${secretId} has no ${stage} version (it was never rotated or rolled back).`, `Log in with the current token: ${commandLine(ctx, 'login', secretId)}`, ExitCode.Aws);
  }
}

/**
 * `login`: the one line a CI job runs. Reads the secret and runs
 * `docker login --username U --password-stdin [server]` against the caller's own
 * docker config (the one command that writes there, on purpose); the token goes
 * only to docker's stdin. `--helper` instead points the config at the credential
 * helper, so the token is never stored on the machine at all.
 */
export async function login(ctx: Context, o: LoginOptions): Promise<number> {
  const secretId = requireSecretId(ctx);
  const { out, settings } = ctx;
  const stage = (o.stage ?? CURRENT).toUpperCase();
  if (stage !== CURRENT && stage !== PREVIOUS) {
    throw usageError(`--stage must be AWSCURRENT or AWSPREVIOUS, not ${o.stage}.`, 'Leave it out to use AWSCURRENT.');
  }
  if (o.helper && stage !== CURRENT) {
    throw usageError('--helper always reads AWSCURRENT, so it cannot be combined with --stage AWSPREVIOUS.', 'Run login --stage AWSPREVIOUS without --helper to log in with the previous token.');
  }
  const server = dockerServerFor(settings.registry);
  const serverName = server ?? 'Docker Hub';
  const configPath = dockerConfigPath(ctx.env);
  const location = dockerConfigLocationProblem(configPath, ctx.env) ?? dockerConfigWriteProblem(configPath, ctx.env);
  if (location) throw location;

  const store = await openStore(ctx, secretId);
  const version = await out.track(`Reading ${secretId} (${stage})`, () => readStage(store, ctx, secretId, stage), {
    // The one success line (below) names the version.
    done: () => undefined,
    failed: `Could not read ${secretId}`,
  });
  const check = checkCredentialValue(version.secretString);
  if (check.problems.length) {
    throw new CliError(
      'invalid-value',
      `${secretId} (${stage}) is not a valid credential: ${check.problems.join(' ')}`,
      `Store a valid value with ${commandLine(ctx, 'setup', secretId)}`,
      ExitCode.Aws,
    );
  }
  const username = check.username!;

  const key = server ?? HUB_AUTH_KEY;
  if (o.helper) return installHelper(ctx, { secretId, stage, versionId: version.versionId, username, key, serverName, configPath, yes: Boolean(o.yes) });

  return logDockerIn(ctx, { secretId, stage, versionId: version.versionId, username, key, serverName, configPath, server, token: check.token! });
}

/** `login`: docker logs in with the stored token, which goes only to docker's stdin; docker keeps the login. */
async function logDockerIn(ctx: Context, t: DockerLogin): Promise<number> {
  const { out, settings } = ctx;
  const { secretId, stage, versionId, username, key, serverName, configPath, server, token } = t;
  // After login --helper, docker would hand this login to the helper's `store`, which is read-only.
  const current = readDockerConfigQuietly(configPath);
  if (current && helperEntryOf(current, key) === HELPER_NAME) {
    if (stage !== CURRENT) {
      throw usageError(
        `${configPath} sends docker to ${HELPER_COMMAND} for ${serverName} (login --helper), which always reads AWSCURRENT, so docker cannot be logged in with ${stage} there.`,
        `Remove credHelpers["${key}"] from ${configPath} (a backup of it is next to it), then run this again; or use another DOCKER_CONFIG for this login.`,
      );
    }
    const answer = await checkHelperAnswers(key, ctx.env, ctx.signal, configPath);
    if (!answer.ok) {
      throw helperError(
        answer,
        `${configPath} sends docker to ${HELPER_COMMAND} for ${serverName} (login --helper), but it does not answer: ${answer.problem}`,
        helperFix(answer, { secretId, registry: server && settings.registry, region: settings.region, env: ctx.env }),
      );
    }
    if (settings.json) {
      out.json({ ok: true, secretId, stage, versionId: versionId, username: answer.username, server: key, dockerConfig: configPath, helper: true, loggedIn: false });
    } else {
      out.data(`✓ Nothing to log in: docker already reads ${serverName} credentials through ${HELPER_COMMAND} (credHelpers in ${configPath}), which answers as ${answer.username}.`);
    }
    return ExitCode.Ok;
  }

  await checkRealmFirst(ctx);
  const args = ['login', '--username', username, '--password-stdin', ...(server ? [server] : [])];
  // An absolute path: an empty or relative PATH entry never runs ./docker (findOnPath).
  const docker = findOnPath('docker', ctx.env.PATH);
  out.debug(`${docker ?? 'docker (not found on PATH)'} ${args.join(' ')} (DOCKER_CONFIG ${ctx.env.DOCKER_CONFIG ?? '(default)'})`);
  const step = await out.step(`docker login as ${username} to ${serverName}`);
  const r = docker
    ? await ctx.docker(docker, args, { input: token, env: { ...ctx.env, DOCKER_CLI_HINTS: 'false' }, signal: ctx.signal })
    : undefined;
  if (ctx.signal.aborted || r?.isCanceled) throw cancelled();
  if (!r || r.code === 'ENOENT') {
    // The failure is printed once, by the error report.
    out.stopSpinner();
    throw new CliError('docker-missing', 'The docker CLI is not installed (or not on PATH), so there is nothing to log in.', 'Install the docker CLI, or use the ECS, CodeBuild or ECR integrations shown by setup.', ExitCode.Usage);
  }
  const output = redact(`${r.stdout}\n${r.stderr}`);
  out.debug(`docker login exit ${r.exitCode}: ${output.trim().split('\n').pop()}`);
  if (r.exitCode !== 0) {
    out.stopSpinner();
    const e = dockerLoginFailure(username, output, server);
    if (e.exitCode !== ExitCode.Rejected) throw e;
    throw new CliError(
      e.code,
      `Docker Hub rejected the token stored in ${secretId} (${stage}, version ${versionId}).`,
      `Store a working token with ${commandLine(ctx, 'rotate', secretId)}${stage === PREVIOUS ? '' : `; until then, ${commandLine(ctx, 'login', secretId)} --stage AWSPREVIOUS may still work`}.`,
      ExitCode.Rejected,
      undefined,
      e,
    );
  }
  step.end();
  if (settings.json) {
    out.json({ ok: true, secretId, stage, versionId: versionId, username, server: key, dockerConfig: configPath, helper: false });
  } else {
    out.data(`✓ docker login as ${username} to ${serverName} succeeded with ${secretId} (${stage}, version ${versionId}); docker keeps the login in ${configPath}.`);
  }
  return ExitCode.Ok;
}

/**
 * The realm rule holds before docker sends anything to a registry other than Docker Hub
 * (README, "the token travels only over https://"), and before credHelpers names the
 * helper for it: the token realm its /v2/ announces is checked (insecure-realm, exit 5).
 */
async function checkRealmFirst(ctx: Context): Promise<void> {
  const { settings, out } = ctx;
  if (!dockerServerFor(settings.registry)) return;
  await checkAnnouncedRealm(settings.registry, { signal: ctx.signal, what: 'the registry', log: (l) => out.debug(l), warn: (l) => out.warn(l), fetch: ctx.fetch });
}

/** A path as one shell word. */
const shellQuote = (p: string) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

function readDockerConfigQuietly(path: string): Record<string, unknown> | undefined {
  try {
    return readDockerConfigForWrite(path).config;
  } catch {
    return undefined; // docker reports its own config's problems
  }
}

/** What both ways of logging in start from: the stored value read, and where docker keeps its logins. */
interface StoredLogin {
  secretId: string;
  stage: string;
  versionId: string;
  username: string;
  key: string;
  serverName: string;
  configPath: string;
}

interface HelperLogin extends StoredLogin {
  yes: boolean;
}

interface DockerLogin extends StoredLogin {
  server: string | undefined;
  token: string;
}

/**
 * `login --helper`: names the helper in docker's config, only once the installed
 * helper, run as docker will run it, answers for that server. The login docker
 * stored earlier in "auths" (the token, in base64) is removed when the user says so
 * (a prompt, or --yes); while it stays, nobody is told that nothing is stored.
 */
async function installHelper(ctx: Context, h: HelperLogin): Promise<number> {
  const { out, settings } = ctx;
  const file = readDockerConfigForWrite(h.configPath);
  // The secret the helper will read: from docker's environment only, never from this command's flags or a config file.
  const helperSecret = helperSettings({ env: ctx.env, cwd: process.cwd() });
  if (helperSecret.secretId && helperSecret.secretId !== h.secretId) {
    throw new CliError(
      'helper-other-secret',
      `The helper would read ${helperSecret.secretId} (from ${helperSecret.origin.secretId?.name ?? 'its settings'}), not ${h.secretId}, so ${h.configPath} was left as it was.`,
      `Set DOCKERHUB_CREDENTIALS_SECRET_ID=${h.secretId} where docker runs, then run this again.`,
      ExitCode.Usage,
    );
  }
  // Ask the helper first: a docker config naming a helper that does not answer breaks every docker pull, silently.
  const answer = await checkHelperAnswers(h.key, ctx.env, ctx.signal, h.configPath);
  if (!answer.ok) {
    throw helperError(
      answer,
      `${answer.problem} ${h.configPath} was left as it was.`,
      helperFix(answer, { secretId: h.secretId, registry: dockerServerFor(settings.registry) && settings.registry, region: settings.region, env: ctx.env }),
    );
  }
  await checkRealmFirst(ctx);
  let removeLogin = h.yes;
  if (storedLogin(file.config, h.key) && !removeLogin && ctx.prompter.interactive) {
    removeLogin = await ctx.prompter.confirm({
      message: `${h.configPath} also holds the login docker stored for ${h.key} (the token, in base64), which docker no longer reads. Remove it?`,
      default: true,
      flag: '--yes',
    });
  }
  const written = writeCredHelperEntry(file, h.key, { removeLogin });
  // docker may keep the earlier login in its credential store instead: still on this machine.
  const inStore = await loginInCredsStore(file.config, h.key, ctx.env, ctx.signal);
  const through = file.target === file.path ? '' : ` (through the link to ${file.target})`;
  if (written.changed) {
    out.ok(`${h.configPath}${through}: credHelpers["${h.key}"] = "${HELPER_NAME}"${written.removedLogin ? `, the login in "auths" removed` : ''}${written.backup ? ` (backup without that login: ${written.backup})` : ''}`);
  }
  out.ok(`${HELPER_COMMAND} (${answer.helperPath}) answers for ${h.key} as ${answer.username}`);
  const fixLeft = commandLine(ctx, 'login --helper --yes', h.secretId);
  if (inStore) out.warn(`docker's credential store ${inStore} still holds a login for ${h.key} (docker asks the helper instead): remove it with: printf %s '${h.key}' | docker-credential-${inStore} erase`);
  if (written.loginLeft) out.warn(`${h.configPath} still holds the login docker stored for ${h.key} in "auths" (the token, in base64; docker asks the helper instead): remove it with ${fixLeft}`);
  // Backups of config.json (an earlier release's were byte for byte) may hold it too: named, never removed.
  const backups = backupsHoldingLogin(file, h.key);
  if (backups.length) {
    out.warn(`${backups.length === 1 ? 'A backup' : `${backups.length} backups`} of ${h.configPath} still ${backups.length === 1 ? 'holds' : 'hold'} the login docker stored for ${h.key} (the token, in base64): ${backups.join(', ')}. Remove ${backups.length === 1 ? 'it' : 'them'} with: rm -- ${backups.map(shellQuote).join(' ')}`);
  }
  const tokenOnDisk = written.loginLeft || inStore !== undefined || backups.length > 0;
  if (settings.json) {
    out.json({
      ok: true,
      secretId: h.secretId,
      stage: h.stage,
      versionId: h.versionId,
      username: h.username,
      server: h.key,
      dockerConfig: h.configPath,
      helper: true,
      backup: written.backup ?? null,
      tokenOnDisk,
      backupsWithLogin: backups,
    });
  } else {
    out.data(
      tokenOnDisk
        ? `✓ docker now reads ${h.serverName} credentials from ${h.secretId} through ${HELPER_COMMAND}; the old login is still on this machine (see above).`
        : `✓ docker now reads ${h.serverName} credentials from ${h.secretId} through ${HELPER_COMMAND}; nothing is stored on this machine.`,
    );
  }
  return ExitCode.Ok;
}
