import { VERSION } from '../version.js';
import { randomUUID } from 'node:crypto';
import type { Credentials } from './tokens.js';
import { ALIAS_KEYS, aliasKeysFor, type AliasKey, type Consumer } from './consumers.js';

/**
 * The value to write: `{"username","token"}`, plus the alias keys the consumers
 * read (`password`, `accessToken`), each equal to the token, keeping any other
 * keys an existing JSON object had (other tools may keep data there). An alias
 * already in the value is rewritten too, so none can drift from `token`.
 */
export function buildValue(
  existing: Record<string, unknown> | undefined,
  creds: Credentials,
  consumers: readonly Consumer[] = [],
): { json: string; keptKeys: string[]; aliasKeys: AliasKey[] } {
  const owned = new Set<string>(['username', 'token', ...ALIAS_KEYS]);
  const kept = Object.fromEntries(Object.entries(existing ?? {}).filter(([k]) => !owned.has(k)));
  const aliasKeys = aliasKeysFor(consumers, existing);
  const aliases = Object.fromEntries(aliasKeys.map((k) => [k, creds.token]));
  return {
    json: JSON.stringify({ ...kept, username: creds.username, token: creds.token, ...aliases }),
    keptKeys: Object.keys(kept),
    aliasKeys,
  };
}

/** One ClientRequestToken per logical write, reused on every retry of it. */
export const newRequestToken = (): string => randomUUID();

/**
 * The command CI agents run to log in with the stored value: the token goes only to docker's stdin.
 * Pinned to this version: an unpinned name in a job that can read the token runs whatever is
 * published under it next (the README's own rule; the stranger's trial, session 3).
 */
export function agentLoginCommand(arn: string, region?: string): string {
  return `npx dockerhub-credentials@${VERSION} login --secret-id ${arn}${region ? ` --region ${region}` : ''}`;
}

/** The one-time command that makes docker read the secret through the credential helper instead. */
export function agentHelperCommand(arn: string, region?: string): string {
  return `${agentLoginCommand(arn, region)} --helper`;
}
