// A secret's versions and staging labels, as data: what Secrets Manager holds, read back.

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';
export const PREVIOUS = 'AWSPREVIOUS';

export interface SecretInfo {
  arn: string;
  name: string;
  kmsKeyId?: string;
  lastChanged?: Date;
  deleted?: Date;
  /** version id -> staging labels */
  versions: Record<string, string[]>;
  /** The secret's tags, key -> value (never secret: version metadata lives here). */
  tags: Record<string, string>;
  /** Secrets Manager's own rotation of the secret (REFERENCE 10, "What the secret shows"). */
  rotation?: RotationSchedule;
  /** DescribeSecret's rotation fields as answered; scheduleOf reads them (kept raw so the credential helper's bundle stays small). */
  described?: RotationFields;
  lastAccessed?: Date;
}

/** RotationEnabled, RotationLambdaARN, RotationRules, LastRotatedDate and NextRotationDate, as DescribeSecret and ListSecrets show them. */
export interface RotationSchedule {
  enabled: boolean;
  functionArn?: string;
  /** `rate(90 days)`, `cron(...)`, or `rate(N days)` from AutomaticallyAfterDays. */
  schedule?: string;
  lastRotated?: Date;
  next?: Date;
}

export type RotationFields = {
  RotationEnabled?: boolean;
  RotationLambdaARN?: string;
  RotationRules?: { AutomaticallyAfterDays?: number; ScheduleExpression?: string };
  LastRotatedDate?: Date;
  NextRotationDate?: Date;
};

/** The rotation fields of a DescribeSecret or ListSecrets entry; undefined when the secret was never set up for rotation. */
export function rotationOf(o: RotationFields): RotationSchedule | undefined {
  const r = o.RotationRules;
  if (o.RotationEnabled === undefined && !o.RotationLambdaARN) return undefined;
  return { enabled: !!o.RotationEnabled, functionArn: o.RotationLambdaARN || undefined, schedule: r?.ScheduleExpression ?? (r?.AutomaticallyAfterDays ? `rate(${r.AutomaticallyAfterDays} days)` : undefined), lastRotated: o.LastRotatedDate, next: o.NextRotationDate };
}

/** One entry of ListSecrets: what `status` shows, read without GetSecretValue. */
export interface ListedSecret extends SecretInfo {
  description?: string;
}

export interface VersionListing {
  versionId: string;
  stages: string[];
  created?: Date;
}

export interface SecretVersion {
  versionId: string;
  secretString: string | undefined;
  created?: Date;
  stages: string[];
}

export const versionWithStage = (info: SecretInfo, stage: string): string | undefined =>
  Object.entries(info.versions).find(([, stages]) => stages.includes(stage))?.[0];

/** A pending version that is not also current: an unfinished rotation. */
export const strayPending = (info: SecretInfo): string | undefined => {
  const id = versionWithStage(info, PENDING);
  return id && !info.versions[id]?.includes(CURRENT) ? id : undefined;
};

/** The region in a secret's ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), or undefined for a name. */
export const arnRegion = (secretId: string): string | undefined => /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1];

/** The secret's rotation schedule, from ListSecrets (status) or DescribeSecret. */
export const scheduleOf = (info: SecretInfo): RotationSchedule | undefined => info.rotation ?? (info.described ? rotationOf(info.described) : undefined);
