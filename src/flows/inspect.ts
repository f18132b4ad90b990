import { CliError, ExitCode } from '../errors.js';
import { CURRENT, strayPending, versionWithStage, type SecretInfo } from '../domain/secret.js';
import type { SecretStore } from '../aws/store.js';
import { checkCredentialValue, type ValueCheck } from '../domain/value.js';
import { commandLine } from './secret-id.js';
import type { Context } from '../context.js';

export interface Inspection {
  info: SecretInfo;
  currentVersionId: string;
  check: ValueCheck;
  /** When the current version was written. */
  created?: Date;
  pendingVersionId?: string;
}

export function noValueYet(ctx: Context, secretId: string, info?: SecretInfo): CliError {
  const labelled = Object.entries(info?.versions ?? {}).filter(([, stages]) => stages.length > 0);
  if (labelled.length > 0) {
    // Versions exist, but none is current: someone moved or removed the label by hand.
    const previous = labelled.find(([, stages]) => stages.includes('AWSPREVIOUS'))?.[0];
    const found = labelled.map(([id, stages]) => `${stages.join(', ')} on version ${id}`).join('; ');
    return new CliError(
      'no-current-version',
      `The secret ${secretId} has versions but none is labelled AWSCURRENT (found ${found}), so CI reads nothing.`,
      previous
        ? `To make the previous value current again: aws secretsmanager update-secret-version-stage --secret-id ${secretId} --version-stage AWSCURRENT --move-to-version-id ${previous}${ctx.settings.region ? ` --region ${ctx.settings.region}` : ''}${ctx.settings.profile ? ` --profile ${ctx.settings.profile}` : ''}; or store a new one with ${commandLine(ctx, 'setup', secretId)}`
        : `Store a value with ${commandLine(ctx, 'setup', secretId)}`,
      ExitCode.Aws,
    );
  }
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
  if (!currentVersionId) throw noValueYet(ctx, store.secretId, info);
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
    ['username', check.username ?? (check.hasUsername ? '(not shown: looks like an access token)' : '-')],
    ['token length', check.tokenLength === null ? '-' : `${check.tokenLength} characters`],
  ];
}
