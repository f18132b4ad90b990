import { randomUUID } from 'node:crypto';
import type { Credentials } from '../hub/registry.js';

/**
 * The value to write: `{"username","token"}`, keeping any other keys an
 * existing JSON object had (other tools may keep data there).
 */
export function buildValue(existing: Record<string, unknown> | undefined, creds: Credentials): { json: string; keptKeys: string[] } {
  const kept = Object.fromEntries(Object.entries(existing ?? {}).filter(([k]) => k !== 'username' && k !== 'token'));
  return {
    json: JSON.stringify({ ...kept, username: creds.username, token: creds.token }),
    keptKeys: Object.keys(kept),
  };
}

/** One ClientRequestToken per logical write, reused on every retry of it. */
export const newRequestToken = (): string => randomUUID();

/** The command CI agents run to log in with the stored value. */
export function agentLoginCommand(arn: string, username: string, region?: string): string {
  return `aws secretsmanager get-secret-value --secret-id ${arn}${region ? ` --region ${region}` : ''} --query SecretString --output text | jq -r .token | docker login --username ${username} --password-stdin`;
}
