import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, cancelled, failure } from '../errors.js';
import type { Context } from '../context.js';
import { dockerConfigLocationProblem, dockerConfigPath } from '../docker/config.js';
import { HELPER_COMMAND, HELPER_NAME, helperEntryOf, loginInCredsStore, readDockerConfigForWrite, rewriteDockerConfig, type DockerConfigFile } from '../docker/helper-config.js';
import { inRunFolder } from '../docker/login.js';
import { findOnPath } from '../docker/path-lookup.js';
import { HUB_AUTH_KEY, dockerServerFor } from '../domain/docker-hub.js';
import { redact } from '../ui/redact.js';

export interface LogoutOptions {
  /** Remove the credHelpers entry `login --helper` added, instead of a login. */
  helper?: boolean;
}

/** Stands in for the other logins of a config in the copy docker logs out of, so docker picks the same store. */
const PLACEHOLDER = 'dockerhub-credentials.invalid';

const authsOf = (config: Record<string, unknown>) =>
  typeof config.auths === 'object' && config.auths !== null && !Array.isArray(config.auths) ? (config.auths as Record<string, unknown>) : undefined;

/**
 * `logout`: undoes `login` at the end of a CI job (the GitHub Action's post step, the
 * Buildkite plugin's pre-exit hook), so the next job on the agent finds no token.
 * `login` had docker store the login; `logout` removes that one entry and nothing else:
 * - `docker logout [server]` runs for the server, so docker erases the login from its
 *   credential store (credsStore; or docker's default store when the config names none),
 *   in a private copy of the config holding only what selects the store: docker rewrites
 *   the config it logs out of in its own layout and drops keys it does not know.
 * - the entry under `auths` is then removed from the user's config by the tool itself,
 *   with the backup rule of `login --helper`, every other byte as it was.
 * `--helper` removes the credHelpers entry `login --helper` wrote (only when it names this
 * helper), and runs no docker logout: the helper is read-only and holds nothing.
 */
export async function logout(ctx: Context, o: LogoutOptions): Promise<number> {
  const { out, settings } = ctx;
  const server = dockerServerFor(settings.registry);
  const key = server ?? HUB_AUTH_KEY;
  const serverName = server ?? 'Docker Hub';
  const configPath = dockerConfigPath(ctx.env);
  const location = dockerConfigLocationProblem(configPath, ctx.env);
  if (location) throw location;
  const file = readDockerConfigForWrite(configPath);
  const removed: string[] = [];
  let backup: string | undefined;

  if (o.helper) {
    const helpers = file.config.credHelpers as Record<string, unknown> | undefined;
    if (helperEntryOf(file.config, key) === HELPER_NAME && helpers) {
      const rest = { ...helpers };
      delete rest[key];
      const next = { ...file.config };
      // login --helper added credHelpers when there was none: then the whole key goes.
      if (Object.keys(rest).length) next.credHelpers = rest;
      else delete next.credHelpers;
      ({ backup } = rewriteDockerConfig(file, key, next));
      removed.push(`credHelpers["${key}"] = "${HELPER_NAME}"`);
    } else if (helperEntryOf(file.config, key) !== undefined) {
      out.info(`credHelpers["${key}"] in ${configPath} names ${String(helperEntryOf(file.config, key))}, not ${HELPER_NAME}, so it was left as it is.`);
    }
    return report(ctx, { key, serverName, configPath, helper: true, removed, backup });
  }

  if (helperEntryOf(file.config, key) === HELPER_NAME) {
    out.info(`docker reads ${serverName} credentials through ${HELPER_COMMAND} (credHelpers in ${configPath}), which stores nothing; remove that entry with: dockerhub-credentials logout --helper`);
  }
  const inFile = authsOf(file.config)?.[key] !== undefined;
  const inStore = await loginInCredsStore(file.config, key, ctx.env, ctx.signal);
  await dockerLogout(ctx, file, key, server);
  if (inStore) {
    // Read back: docker logout warns, and still exits 0, when a store cannot erase.
    if (await loginInCredsStore(file.config, key, ctx.env, ctx.signal)) {
      throw failure(
        'docker-logout-failed',
        `docker logout ran, but docker's credential store ${inStore} still holds a login for ${serverName}, so ${configPath} was left as it was.`,
        `Erase it with: printf %s '${key}' | docker-credential-${inStore} erase`,
      );
    }
    removed.push(`the login in docker's credential store ${inStore}`);
  }
  if (inFile) {
    const auths = { ...authsOf(file.config) };
    delete auths[key];
    // An emptied "auths" stays, as docker's own logout leaves it (docker writes the key in every config it saves).
    const next = { ...file.config, auths };
    ({ backup } = rewriteDockerConfig(file, key, next, { skipRedundantBackup: true }));
    removed.push(`auths["${key}"]`);
  }
  return report(ctx, { key, serverName, configPath, helper: false, removed, backup });
}

/**
 * `docker logout [server]` in a private copy of the config that selects the same
 * credential store as the user's (credsStore, credHelpers, and whether it holds any
 * login at all: without one, docker picks its platform default store; REFERENCE 2).
 * Without docker, a login in the file is still removed; one in a store is an error.
 */
async function dockerLogout(ctx: Context, file: DockerConfigFile, key: string, server: string | undefined): Promise<void> {
  const { out } = ctx;
  const docker = findOnPath('docker', ctx.env.PATH);
  const usesStore = typeof file.config.credsStore === 'string' || typeof (file.config.credHelpers as Record<string, unknown> | undefined)?.[key] === 'string' || !authsOf(file.config);
  if (!docker) {
    if (usesStore) {
      throw failure(
        'docker-missing',
        `The docker CLI is not installed (or not on PATH), so the login docker may keep in its credential store for ${server ?? 'Docker Hub'} could not be erased.`,
        'Install the docker CLI, or run docker logout where it is installed.',
      );
    }
    out.debug('docker is not on PATH: the login in the file is removed without docker logout');
    return;
  }
  const copy: Record<string, unknown> = {};
  for (const k of ['credsStore', 'credHelpers'] as const) if (file.config[k] !== undefined) copy[k] = file.config[k];
  // The helper is read-only: docker would ask it to erase, and it would refuse.
  const helpers = copy.credHelpers as Record<string, unknown> | undefined;
  if (helpers?.[key] === HELPER_NAME) {
    const rest = { ...helpers };
    delete rest[key];
    copy.credHelpers = rest;
  }
  const auths = authsOf(file.config);
  if (auths) copy.auths = auths[key] !== undefined ? { [key]: auths[key] } : Object.keys(auths).length ? { [PLACEHOLDER]: {} } : {};
  await inRunFolder(ctx.env, (l) => out.debug(l), async (dir) => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(copy), { mode: 0o600 });
    const args = ['logout', ...(server ? [server] : [])];
    out.debug(`${docker} ${args.join(' ')} (DOCKER_CONFIG: a private copy holding only what selects the credential store)`);
    // The caller's own environment (HOME, D-Bus, GNUPGHOME: what a credential store needs), only the config swapped.
    const env = { ...ctx.env, DOCKER_CONFIG: dir, DOCKER_CLI_HINTS: 'false' };
    const r = await ctx.docker(docker, args, { env, signal: ctx.signal });
    if (ctx.signal.aborted || r.isCanceled) throw cancelled();
    const said = redact(`${r.stdout}\n${r.stderr}`).trim();
    out.debug(`docker logout exit ${r.exitCode}: ${said.split('\n').pop()}`);
    if (r.exitCode !== 0) {
      throw failure(
        'docker-logout-failed',
        `docker logout could not erase the login for ${server ?? 'Docker Hub'}: ${said.split('\n').pop() || `exit ${r.exitCode}`}. ${file.path} was left as it was.`,
        `Run docker logout${server ? ` ${server}` : ''} yourself to see the whole answer, then run this again.`,
      );
    }
  });
}

function report(ctx: Context, r: { key: string; serverName: string; configPath: string; helper: boolean; removed: string[]; backup?: string }): number {
  const { out, settings } = ctx;
  if (settings.json) {
    out.json({ ok: true, server: r.key, dockerConfig: r.configPath, helper: r.helper, removed: r.removed, backup: r.backup ?? null });
  } else if (r.removed.length) {
    out.data(`✓ Removed ${r.removed.join(' and ')} for ${r.serverName} from ${r.configPath}${r.backup ? ` (backup: ${r.backup})` : ''}; every other key is as it was.`);
  } else {
    out.data(`✓ Nothing to remove: ${r.configPath} holds no ${r.helper ? `credHelpers entry naming ${HELPER_NAME}` : 'login'} for ${r.serverName}.`);
  }
  return ExitCode.Ok;
}
