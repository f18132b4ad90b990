import { CliError, ExitCode, usageError } from '../errors.js';
import { looksSecret, printable, sameSecret } from '../ui/redact.js';
import type { ValueCheck } from './value.js';
import { DEFAULT_REGISTRY } from './docker-hub.js';

// Who reads the secret, and in which shape (REFERENCE section 6). The runbook's
// `username` and `token` are always written; each consumer adds the key it reads,
// holding the same token (an "alias"). Declared once: --consumers,
// DOCKERHUB_CREDENTIALS_CONSUMERS or "consumers" in the config file.

export const CONSUMERS = ['ecs', 'batch', 'codebuild', 'ecr-pull-through-cache'] as const;
export type Consumer = (typeof CONSUMERS)[number];

/** Keys that hold a copy of `token` for a consumer. Any of them found in a value is kept equal to `token`. */
export const ALIAS_KEYS = ['password', 'accessToken'] as const;
export type AliasKey = (typeof ALIAS_KEYS)[number];

/** The ECR pull-through cache accepts only secrets whose name has this prefix (REFERENCE 6). */
export const ECR_PREFIX = 'ecr-pullthroughcache/';

const ALIAS_OF: Record<Consumer, AliasKey> = {
  // ecs-agent agent/asm/asm.go reads username and password; Batch uses the same ECS mechanism.
  ecs: 'password',
  batch: 'password',
  // CodeBuild registryCredential (credentialProvider SECRETS_MANAGER): a username/password pair.
  codebuild: 'password',
  // ECR pull-through cache with a Docker Hub upstream: username and accessToken.
  'ecr-pull-through-cache': 'accessToken',
};

export const aliasFor = (c: Consumer): AliasKey => ALIAS_OF[c];

/**
 * Who the last setup (or a rotate with --consumers) wrote the value for: a tag on
 * the secret, since the keys alone cannot tell ECS from Batch or CodeBuild (all
 * read "password"). Names separated by spaces (tag values allow no commas).
 */
export const CONSUMERS_TAG = 'dockerhub-credentials:consumers';
export const encodeConsumers = (consumers: readonly Consumer[]): string => consumers.join(' ');

/** The consumers recorded by CONSUMERS_TAG; undefined when none were recorded. */
export function recordedConsumers(tags: Record<string, string>): Consumer[] | undefined {
  const raw = tags[CONSUMERS_TAG];
  if (raw === undefined) return undefined;
  const names = raw.split(' ');
  return CONSUMERS.filter((c) => names.includes(c));
}

/** Parses a comma-separated list (flag or environment) or a config file's array; unknown names are a usage error. */
export function parseConsumers(raw: string | string[] | undefined, source: string): Consumer[] | undefined {
  if (raw === undefined) return undefined;
  const names = (Array.isArray(raw) ? raw : raw.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const out: Consumer[] = [];
  for (const name of names) {
    if (!(CONSUMERS as readonly string[]).includes(name)) {
      // The same rule as every other input: what looks like a token is never quoted back.
      if (looksSecret(name)) {
        // Worded as the input rule's row (src/flows/inputs.ts, RULES.secretLike); resolved here, before that check runs.
        throw new CliError(
          'secret-in-wrong-field',
          `${source} holds what looks like an access token, but the token goes in only through the prompt, stdin (--token-stdin) or DOCKERHUB_TOKEN.`,
          `Put the right value in ${source}. If a real token was typed on a command line or committed to a file, treat it as exposed and rotate it.`,
          ExitCode.Usage,
        );
      }
      throw usageError(`Unknown consumer "${printable(name)}" in ${source}.`, `Consumers are: ${CONSUMERS.join(', ')} (comma-separated).`);
    }
    if (!out.includes(name as Consumer)) out.push(name as Consumer);
  }
  return out;
}

/**
 * The tag in which the Terraform module declares who reads the secret, space-separated
 * (terraform/main.tf). Apart from CONSUMERS_TAG (what the CLI last wrote for, under the
 * prefix the provider's ignore_tags hides), so that Terraform owns this one.
 */
export const DECLARED_CONSUMERS_TAG = 'dockerhub-credentials-consumers';

/** The declared consumers: those given (flag, environment, config file), else those the module recorded on the secret. */
export function declaredConsumers(given: readonly Consumer[], tags: Record<string, string>): Consumer[] {
  return given.length ? [...given] : (parseConsumers(tags[DECLARED_CONSUMERS_TAG]?.split(' '), `the secret's tag ${DECLARED_CONSUMERS_TAG}`) ?? []);
}

/** The alias keys a write must set: those the consumers read, plus every alias already in the value. */
export function aliasKeysFor(consumers: readonly Consumer[], existing: Record<string, unknown> | undefined): AliasKey[] {
  const keys = new Set<AliasKey>(consumers.map(aliasFor));
  for (const k of ALIAS_KEYS) if (existing && k in existing) keys.add(k);
  return ALIAS_KEYS.filter((k) => keys.has(k));
}

/** The secret's name from a name or an ARN (`arn:aws:secretsmanager:R:A:secret:NAME-XXXXXX`). */
export function secretNameOf(secretId: string): { name: string; fromArn: boolean } {
  const m = /^arn:aws[a-z-]*:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(secretId);
  if (!m) return { name: secretId, fromArn: false };
  // An ARN ends with "-" and six random characters that are not part of the name.
  return { name: m[1]!.replace(/-[A-Za-z0-9]{6}$/, ''), fromArn: true };
}

/** What a consumer's own rules say about this secret, before anything is written. */
export function consumerRuleProblems(consumers: readonly Consumer[], secretId: string): string[] {
  const problems: string[] = [];
  const { name } = secretNameOf(secretId);
  if (consumers.includes('ecr-pull-through-cache') && !name.startsWith(ECR_PREFIX)) {
    problems.push(
      `The ECR pull-through cache accepts only a secret whose name starts with ${ECR_PREFIX}, and ${name} does not: use ${ECR_PREFIX}${name.replace(/^\/+/, '')} (Terraform: secret_name = "${ECR_PREFIX}${name.replace(/^\/+/, '')}", with create_ecr_pull_through_cache_rule = true).`,
    );
  }
  return problems;
}

/** Exit 2 before any write when a declared consumer cannot use this secret. */
export function assertConsumerRules(consumers: readonly Consumer[], secretId: string): void {
  const problems = consumerRuleProblems(consumers, secretId);
  if (problems.length) {
    throw usageError(problems.join(' '), 'Nothing was written. Create the secret under that name (terraform apply with the variable above), then run this command with --secret-id set to it.');
  }
}

/** Every alias key present in the value that does not hold exactly the token: CI would be using two tokens. */
export function aliasDrift(check: ValueCheck): string[] {
  const obj = check.parsed;
  if (!obj || check.token === undefined) return [];
  const problems: string[] = [];
  for (const key of ALIAS_KEYS) {
    if (!(key in obj)) continue;
    const v = obj[key];
    if (typeof v !== 'string' || !sameSecret(v, check.token)) {
      problems.push(`The key "${key}" differs from "token": whoever reads "${key}" uses another token than CI. Run rotate --same-token to rewrite it with the same token.`);
    }
  }
  return problems;
}

/**
 * The alias keys a value must have rewritten to serve `consumers`: each declared
 * consumer's key that is missing, and each alias that differs from the token.
 * Empty when the value already serves them all.
 */
export function aliasRepairs(check: ValueCheck, consumers: readonly Consumer[]): AliasKey[] {
  const obj = check.parsed ?? {};
  const keys = new Set<AliasKey>(consumers.map(aliasFor).filter((k) => !(k in obj)));
  for (const k of ALIAS_KEYS) if (k in obj && (typeof obj[k] !== 'string' || check.token === undefined || !sameSecret(obj[k] as string, check.token))) keys.add(k);
  return ALIAS_KEYS.filter((k) => keys.has(k));
}

export interface ConsumerReport {
  ok: boolean;
  problems: string[];
}

/** Consumers to report on: those asked for, and those whose keys the value holds. */
export function consumersToReport(declared: readonly Consumer[], check: ValueCheck): Consumer[] {
  const obj = check.parsed ?? {};
  return CONSUMERS.filter((c) => declared.includes(c) || aliasFor(c) in obj);
}

/** Whether the stored value serves each consumer: keys present and non-empty, aliases equal to the token, the name rule. */
export function consumerReports(consumers: readonly Consumer[], check: ValueCheck, secretId: string): Record<string, ConsumerReport> {
  const out: Record<string, ConsumerReport> = {};
  const obj = check.parsed;
  for (const c of consumers) {
    const problems: string[] = [];
    const key = aliasFor(c);
    if (!obj) problems.push('The value is not a JSON object.');
    else {
      if (!check.hasUsername) problems.push('"username" is missing or empty.');
      const v = obj[key];
      if (!(key in obj)) problems.push(`"${key}" is missing: run rotate --same-token --consumers ${c} to add it (the token stays).`);
      else if (typeof v !== 'string' || v.trim() === '') problems.push(`"${key}" is empty or not a string.`);
      else if (check.token === undefined) problems.push(`"token" is missing or empty, so "${key}" has nothing to match`);
      else if (!sameSecret(v, check.token)) problems.push(`"${key}" differs from "token"`);
    }
    problems.push(...consumerRuleProblems([c], secretId));
    out[c] = { ok: problems.length === 0, problems };
  }
  return out;
}

/** What each declared consumer needs, to paste: printed by setup and rotate, and shown in the README. */
export function handOverSnippets(consumers: readonly Consumer[], o: { arn: string; name: string; region?: string; secretId: string }): string[] {
  const lines: string[] = [];
  const region = o.region ? ` --region ${o.region}` : '';
  if (consumers.includes('ecs') || consumers.includes('batch')) {
    lines.push(`ECS task definition${consumers.includes('batch') ? ' / AWS Batch job definition' : ''} (the task execution role needs the read policy):`);
    lines.push(`  "repositoryCredentials": { "credentialsParameter": "${o.arn}" }`);
  }
  if (consumers.includes('codebuild')) {
    lines.push('CodeBuild project environment (the service role needs the read policy):');
    lines.push(`  "registryCredential": { "credential": "${o.arn}", "credentialProvider": "SECRETS_MANAGER" }`);
  }
  if (consumers.includes('ecr-pull-through-cache')) {
    lines.push('ECR pull-through cache for Docker Hub (same account and Region as the secret):');
    lines.push(
      `  aws ecr create-pull-through-cache-rule --ecr-repository-prefix docker-hub --upstream-registry-url ${new URL(DEFAULT_REGISTRY).host} --credential-arn ${o.arn}${region}`,
    );
  }
  return lines;
}
