import { CliError, ExitCode } from '../errors.js';
import { CURRENT, strayPending, versionWithStage, type SecretInfo, type SecretStore } from '../aws/store.js';
import { checkCredentialValue, type ValueCheck } from './check.js';
import { commandLine, type Context } from '../context.js';

export interface Inspection {
  info: SecretInfo;
  currentVersionId: string;
  check: ValueCheck;
  /** When the current version was written. */
  created?: Date;
  pendingVersionId?: string;
}

export function noValueYet(ctx: Context, secretId: string): CliError {
  return new CliError(
    'no-value',
    `The secret ${secretId} exists but has no value yet.`,
    `Run setup to store the Docker Hub token: ${commandLine(ctx, 'setup', secretId)}`,
    ExitCode.Aws,
  );
}

/** Reads the AWSCURRENT version and checks its shape: the heart of `verify`, reused after every write. */
export async function inspectCurrent(ctx: Context, store: SecretStore): Promise<Inspection> {
  // Both reads at once: one round trip instead of two. Describe decides which error wins.
  const [described, read] = await Promise.allSettled([store.describeLive(), store.get({ stage: CURRENT })]);
  if (described.status === 'rejected') throw described.reason;
  const info = described.value;
  const currentVersionId = versionWithStage(info, CURRENT);
  if (!currentVersionId) throw noValueYet(ctx, store.secretId);
  if (read.status === 'rejected') throw read.reason;
  const current = read.value;
  return {
    info,
    currentVersionId: current.versionId || currentVersionId,
    check: checkCredentialValue(current.secretString),
    created: current.created,
    pendingVersionId: strayPending(info),
  };
}

/** The runbook's four facts, in the runbook's words, never a character of the token. */
export function factLines(check: ValueCheck): [string, string][] {
  return [
    ['contains username', check.hasUsername ? 'yes' : 'no'],
    ['contains token', check.hasToken ? 'yes' : 'no'],
    ['username', check.username ?? '-'],
    ['token length', check.tokenLength === null ? '-' : `${check.tokenLength} characters`],
  ];
}
