import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { usageError } from './errors.js';
import { looksSecret, printable } from './ui/redact.js';
import { parseConsumers, type Consumer } from './flows/consumers.js';

export const CONFIG_FILE_NAME = '.dockerhub-credentials.json';
export const DEFAULT_REGISTRY = 'https://registry-1.docker.io';
export const DEFAULT_HUB_URL = 'https://hub.docker.com';

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
  yes: boolean;
  debug: boolean;
  configPath?: string;
  /** Every value supplied from outside, winning or not, with where it came from: all are validated before anything runs. */
  given: Given[];
  /** Where the value in use came from; absent for defaults and prompt answers. */
  origin: Partial<Record<Field, Given>>;
  /** Who reads the secret (--consumers, DOCKERHUB_CREDENTIALS_CONSUMERS, "consumers"); empty when none was declared. */
  consumers: Consumer[];
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
      throw usageError(
        `The config file ${path} is malformed: ${looksSecret(key) ? 'a key looks like an access token (not shown)' : `unknown key "${printable(key)}"`}.`,
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
  const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return {
    secretId: pick('secretId'),
    profile: pick('profile'),
    region: pick('region'),
    repository: pick('repository'),
    registry: pick('registry') ?? DEFAULT_REGISTRY,
    hubUrl: pick('hubUrl') ?? DEFAULT_HUB_URL,
    username: pick('username'),
    json: flags.json ?? false,
    color: flags.color !== false && !noColorEnv,
    interactive: !flags.nonInteractive && where.stdinIsTTY && where.stderrIsTTY,
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
  };
}
