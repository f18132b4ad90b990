import { scheduleOf, type RotationSchedule, type SecretInfo } from '../domain/secret.js';
import { formatDate } from '../domain/value.js';

// Secrets Manager's own rotation of a secret (REFERENCE 10, "What the secret shows"),
// as verify and status show it: read from DescribeSecret or ListSecrets, never a value.

export interface RotationJson {
  enabled: boolean;
  lastRotated: string | null;
  next: string | null;
  function: string | null;
  schedule: string | null;
}

export function rotationJson(r: RotationSchedule | undefined): RotationJson {
  return {
    enabled: r?.enabled ?? false,
    lastRotated: r?.lastRotated?.toISOString() ?? null,
    next: r?.next?.toISOString() ?? null,
    function: r?.functionArn ?? null,
    schedule: r?.schedule ?? null,
  };
}

/** The function's name from its ARN (arn:aws:lambda:R:A:function:NAME[:QUALIFIER]). */
export const functionName = (arn: string | undefined) => (arn ? (/:function:([^:]+)/.exec(arn)?.[1] ?? arn) : undefined);

/** One line: "enabled, rate(90 days); last ran 2026-12-01 10:00 UTC; next 2027-03-01 10:00 UTC (function NAME)", or "not enabled". */
export function rotationLine(r: RotationSchedule | undefined): string {
  if (!r?.enabled) return r?.functionArn ? `not enabled (function ${functionName(r.functionArn)} is set, but the schedule is off)` : 'not enabled (rotated by hand)';
  const parts = [`enabled${r.schedule ? `, ${r.schedule}` : ''}`, `last ran ${r.lastRotated ? formatDate(r.lastRotated) : 'never'}`, `next ${r.next ? formatDate(r.next) : 'unknown'}`];
  return `${parts.join('; ')}${r.functionArn ? ` (function ${functionName(r.functionArn)})` : ''}`;
}

/** A rotation function is in charge: a person's rotate would race it. */
export const hasRotationFunction = (info: SecretInfo) => Boolean(scheduleOf(info)?.enabled && scheduleOf(info)!.functionArn);

/** What a stray AWSPENDING means when a rotation function is in charge, and where its log is. */
export function strayPendingByFunction(info: SecretInfo, pendingId: string): string | undefined {
  if (!hasRotationFunction(info)) return undefined;
  const name = functionName(scheduleOf(info)!.functionArn);
  return `AWSPENDING (version ${pendingId}) was left by a failed run of the rotation function ${name}: Secrets Manager retries the failed step, and the next RotateSecret fails until the stage is removed. Its log (CloudWatch Logs group /aws/lambda/${name}) has one line naming the step and the cause; after fixing that, run rotate --discard-pending, then rotate --yes to run the function again.`;
}
