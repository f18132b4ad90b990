import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { usageError } from './errors.js';
import { parseConsumers, type Consumer } from './flows/consumers.js';

export const CONFIG_FILE_NAME = '.dockerhub-credentials.json';
export const DEFAULT_REGISTRY = 'https://registry-1.docker.io';
export const DEFAULT_HUB_URL = 'https://hub.docker.com';

/** Keys a repository may commit in `.dockerhub-credentials.json`. */
const FILE_KEYS = ['secretId', 'profile', 'region', 'repository', 'registry'] as const;
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
  yes: boolean;
  debug: boolean;
  configPath?: string;
  /** Who reads the secret (--consumers, DOCKERHUB_CREDENTIALS_CONSUMERS, "consumers"); empty when none was declared. */
  consumers: Consumer[];
}

/** Finds the nearest config file from `cwd` upward, the way git finds `.git`. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function loadConfigFile(path: string): FileConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? `it is not valid JSON (${e.message})` : 'it cannot be read';
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
      throw usageError(
        `The config file ${path} is malformed: unknown key "${key}".`,
        `Allowed keys: ${[...FILE_KEYS, ...FILE_LIST_KEYS].join(', ')}.`,
      );
    }
    if (typeof value !== 'string' || value.trim() === '') {
      throw usageError(`The config file ${path} is malformed: "${key}" must be a non-empty string.`, `Fix ${path}.`);
    }
    config[key as FileKey] = value.trim();
  }
  return config;
}

const nonEmpty = (...values: (string | undefined)[]): string | undefined =>
  values.find((v) => v !== undefined && v.trim() !== '')?.trim();

export interface Environment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
}

/** Precedence: flags, then environment, then the config file, then built-in defaults. */
export function resolveSettings(flags: FlagValues, where: Environment): Settings {
  const { env } = where;
  const configPath = findConfigFile(where.cwd);
  const file = configPath ? loadConfigFile(configPath) : {};
  const json = flags.json ?? false;
  const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return {
    secretId: nonEmpty(flags.secretId, env.DOCKERHUB_CREDENTIALS_SECRET_ID, file.secretId),
    profile: nonEmpty(flags.profile, env.AWS_PROFILE, file.profile),
    region: nonEmpty(flags.region, env.AWS_REGION, env.AWS_DEFAULT_REGION, file.region),
    repository: nonEmpty(flags.repository, env.DOCKERHUB_CREDENTIALS_REPOSITORY, file.repository),
    registry: nonEmpty(flags.registry, env.DOCKERHUB_CREDENTIALS_REGISTRY, file.registry) ?? DEFAULT_REGISTRY,
    hubUrl: nonEmpty(flags.hubUrl, env.DOCKERHUB_CREDENTIALS_HUB_URL) ?? DEFAULT_HUB_URL,
    username: nonEmpty(flags.username, env.DOCKERHUB_USERNAME),
    json,
    color: flags.color !== false && !noColorEnv,
    interactive: !flags.nonInteractive && where.stdinIsTTY && where.stderrIsTTY,
    yes: flags.yes ?? false,
    debug: flags.debug ?? false,
    configPath,
    consumers:
      parseConsumers(flags.consumers, '--consumers') ??
      parseConsumers(nonEmpty(env.DOCKERHUB_CREDENTIALS_CONSUMERS), 'DOCKERHUB_CREDENTIALS_CONSUMERS') ??
      parseConsumers(file.consumers, configPath ?? CONFIG_FILE_NAME) ??
      [],
  };
}
