import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mapAwsError, scheduledForDeletion, type AwsCallContext } from './errors.js';
import { registerSecret } from '../ui/redact.js';
import { awsRequestHandler } from '../net/proxy.js';

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
}

export interface SecretVersion {
  versionId: string;
  secretString: string | undefined;
  created?: Date;
  stages: string[];
}

export interface StoreOptions {
  secretId: string;
  profile?: string;
  region?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export const versionWithStage = (info: SecretInfo, stage: string): string | undefined =>
  Object.entries(info.versions).find(([, stages]) => stages.includes(stage))?.[0];

/** A pending version that is not also current: an unfinished rotation. */
export const strayPending = (info: SecretInfo): string | undefined => {
  const id = versionWithStage(info, PENDING);
  return id && !info.versions[id]?.includes(CURRENT) ? id : undefined;
};

/**
 * The Secrets Manager calls the commands need, each mapped to a clear error.
 * Reads honour Ctrl-C through `signal`; writes are never aborted half-way.
 */
export class SecretStore {
  private constructor(
    private readonly client: SecretsManagerClient,
    private readonly sdk: typeof import('@aws-sdk/client-secrets-manager'),
    readonly options: StoreOptions,
    readonly endpoint: string | undefined,
  ) {}

  static async open(options: StoreOptions): Promise<SecretStore> {
    // The SDK's own Node-version notice would land in the middle of the wizard.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = await import('@aws-sdk/client-secrets-manager');
    // Proxy-aware when HTTP(S)_PROXY is set; also for the SSO portal and STS calls behind a profile.
    const requestHandler = await awsRequestHandler({ connectionTimeout: 5_000, requestTimeout: 20_000, log: options.log });
    let credentials;
    if (options.profile) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      credentials = fromNodeProviderChain({ profile: options.profile, clientConfig: { requestHandler } });
    }
    const client = new sdk.SecretsManagerClient({
      region: options.region,
      profile: options.profile,
      credentials,
      // Bounded retries with exponential backoff (throttling included), unless the
      // standard AWS_MAX_ATTEMPTS / AWS_RETRY_MODE say otherwise.
      maxAttempts: process.env.AWS_MAX_ATTEMPTS ? undefined : 4,
      requestHandler,
    });
    const endpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? process.env.AWS_ENDPOINT_URL;
    return new SecretStore(client, sdk, options, endpoint);
  }

  get secretId(): string {
    return this.options.secretId;
  }

  private async call<T>(action: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await run();
      this.options.log?.(`${action} ${this.secretId}: ok in ${Date.now() - started} ms`);
      return result;
    } catch (e) {
      const name = (e as { name?: string })?.name ?? 'Error';
      this.options.log?.(`${action} ${this.secretId}: ${name} after ${Date.now() - started} ms`);
      const ctx: AwsCallContext = {
        action: `secretsmanager:${action}`,
        secretId: this.secretId,
        profile: this.options.profile,
        region: this.options.region ?? (await this.client.config.region().catch(() => undefined)),
        endpoint: this.endpoint,
      };
      throw mapAwsError(e, ctx);
    }
  }

  private readOpts() {
    return { abortSignal: this.options.signal };
  }

  async describe(): Promise<SecretInfo> {
    const out = await this.call('DescribeSecret', () =>
      this.client.send(new this.sdk.DescribeSecretCommand({ SecretId: this.secretId }), this.readOpts()),
    );
    return {
      arn: out.ARN ?? this.secretId,
      name: out.Name ?? this.secretId,
      kmsKeyId: out.KmsKeyId,
      lastChanged: out.LastChangedDate,
      deleted: out.DeletedDate,
      versions: out.VersionIdsToStages ?? {},
    };
  }

  /** Describe, refusing a secret that is scheduled for deletion. */
  async describeLive(): Promise<SecretInfo> {
    const info = await this.describe();
    if (info.deleted) {
      throw scheduledForDeletion({
        action: 'secretsmanager:DescribeSecret',
        secretId: this.secretId,
        profile: this.options.profile,
        region: this.options.region,
      });
    }
    return info;
  }

  async get(which: { stage: string } | { versionId: string }): Promise<SecretVersion> {
    const input =
      'stage' in which
        ? { SecretId: this.secretId, VersionStage: which.stage }
        : { SecretId: this.secretId, VersionId: which.versionId };
    const out = await this.call('GetSecretValue', () =>
      this.client.send(new this.sdk.GetSecretValueCommand(input), this.readOpts()),
    );
    registerSecret(out.SecretString);
    return {
      versionId: out.VersionId ?? '',
      secretString: out.SecretString,
      created: out.CreatedDate,
      stages: out.VersionStages ?? [],
    };
  }

  /**
   * Writes a new version. `requestToken` is the version id and is reused on
   * every retry, so a retried write can never create a second version.
   */
  async put(secretString: string, requestToken: string, stages?: string[]): Promise<string> {
    const out = await this.call('PutSecretValue', () =>
      this.client.send(
        new this.sdk.PutSecretValueCommand({
          SecretId: this.secretId,
          SecretString: secretString,
          ClientRequestToken: requestToken,
          VersionStages: stages,
        }),
      ),
    );
    return out.VersionId ?? requestToken;
  }

  async moveStage(stage: string, move: { to?: string; from?: string }): Promise<void> {
    await this.call('UpdateSecretVersionStage', () =>
      this.client.send(
        new this.sdk.UpdateSecretVersionStageCommand({
          SecretId: this.secretId,
          VersionStage: stage,
          MoveToVersionId: move.to,
          RemoveFromVersionId: move.from,
        }),
      ),
    );
  }
}
