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
