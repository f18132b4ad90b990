import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mapAwsError, scheduledForDeletion, type AwsCallContext } from './errors.js';
import { registerSecret } from '../ui/redact.js';
import { CliError, ExitCode, cancelled, isCancellation, isCliError } from '../errors.js';
import { closeMatches } from '../config.js';
import { awsRequestHandler } from '../net/proxy.js';
import { arnRegion, type SecretInfo, type SecretVersion, type VersionListing } from '../domain/secret.js';

export interface StoreOptions {
  secretId: string;
  /** The run's environment (timeouts, endpoint, retry settings); process.env when not given. */
  env?: NodeJS.ProcessEnv;
  profile?: string;
  region?: string;
  /** AWS_REGION or AWS_DEFAULT_REGION, when it was set but blank (and so ignored). */
  blankRegionVariable?: string;
  /** The run's signal (Ctrl-C and other signals): aborts reads, never writes or cleanup. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  warn?: (line: string) => void;
  timeouts?: AwsTimeouts;
}

/** Bounds on every Secrets Manager call, so an endpoint that stops answering ends the run instead of hanging it. */
export interface AwsTimeouts {
  connectMs: number;
  requestMs: number;
  /** One call, all retries included. */
  totalMs: number;
}

/** The longest any AWS timeout may be set to: ten minutes. */
export const MAX_TIMEOUT_SECONDS = 600;
/** The longest delay a Node timer takes (2^31-1 ms, about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const timerMs = (ms: number) => Math.min(ms, MAX_TIMER_MS);

const TIMEOUT_VARIABLES = {
  connectMs: ['DOCKERHUB_CREDENTIALS_AWS_CONNECT_TIMEOUT', 5],
  requestMs: ['DOCKERHUB_CREDENTIALS_AWS_REQUEST_TIMEOUT', 20],
  totalMs: ['DOCKERHUB_CREDENTIALS_AWS_TIMEOUT', 30],
} as const;

/** The timeouts in seconds from the environment, or the defaults (5 s to connect, 20 s per request, 30 s per call). */
export function awsTimeouts(env: NodeJS.ProcessEnv): AwsTimeouts {
  const out = {} as AwsTimeouts;
  for (const [key, [name, seconds]] of Object.entries(TIMEOUT_VARIABLES) as [keyof AwsTimeouts, readonly [string, number]][]) {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? seconds : Number(raw);
    // Bounded: every call ends, and a timer longer than 2^31-1 ms would fire at once instead.
    if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_SECONDS) {
      throw new CliError('usage', `${name} must be a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECONDS}.`, `Unset it, or set for example ${name}=${seconds}.`, ExitCode.Usage);
    }
    out[key] = timerMs(Math.round(value * 1000));
  }
  return out;
}

/**
 * How a call may be interrupted. `read`: by the run's signal and the time limit.
 * `write` and `detached`: by the time limit only; a write is never cut in half by
 * Ctrl-C, and cleanup after Ctrl-C must not inherit the signal that was already aborted.
 */
type CallKind = 'read' | 'write' | 'detached';

/**
 * The Secrets Manager calls the commands need, each mapped to a clear error.
 * Reads honour Ctrl-C through `signal`; writes are never aborted half-way.
 * `AwsSecretStore` is the real one; tests use an in-memory Secrets Manager
 * (test/support/memory-secrets.ts) that passes the same contract tests as moto.
 */
export interface SecretStore {
  readonly secretId: string;
  readonly options: StoreOptions;
  readonly endpoint: string | undefined;
  /** `detached`: not interrupted by the run's signal (reading the state back after a failure or Ctrl-C). */
  describe(o?: { detached?: boolean }): Promise<SecretInfo>;
  /** Describe, refusing a secret that is scheduled for deletion. */
  describeLive(): Promise<SecretInfo>;
  /** Up to `max` secret names close to `name`, from one page of ListSecrets; `listed` is false when listing failed. */
  closeNames(name: string, max?: number): Promise<{ names: string[]; listed: boolean }>;
  /** Every version, labelled or not. */
  listVersions(name: string): Promise<VersionListing[]>;
  /** The secrets of the region that carry this tool's tags (for `tokens`); a store that cannot list leaves it out. */
  toolSecrets?(): Promise<SecretInfo[]>;
  tag(tags: Record<string, string>): Promise<void>;
  untag(keys: string[]): Promise<void>;
  get(which: { stage: string } | { versionId: string }, o?: { detached?: boolean }): Promise<SecretVersion>;
  /** Writes a new version; `requestToken` is the version id, reused on every retry. */
  put(secretString: string, requestToken: string, stages?: string[]): Promise<string>;
  moveStage(stage: string, move: { to?: string; from?: string }): Promise<void>;
  /** The stages as they are now, read with a fresh signal and a short bounded retry; undefined when unreadable. */
  settle(): Promise<SecretInfo | undefined>;
  /** Whether a version exists at all; undefined if unknown. */
  versionExists(versionId: string): Promise<boolean | undefined>;
}

/** How a store is opened: the seam in Context through which tests hand commands another Secrets Manager. */
export type OpenStore = (options: StoreOptions) => Promise<SecretStore>;

/**
 * One Secrets Manager call, bounded in time and mapped to a clear error: a read is
 * cut by the run's signal (a cancellation, never a refusal), every call by the total
 * timeout. Shared by every store, so each answers a fault with the same sentence.
 */
export async function guardedCall<T>(
  store: Pick<SecretStore, 'secretId' | 'options' | 'endpoint'>,
  region: () => Promise<string | undefined>,
  action: string,
  kind: CallKind,
  run: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const options = store.options;
  const started = Date.now();
  const totalMs = options.timeouts!.totalMs;
  const deadline = AbortSignal.timeout(totalMs);
  const user = options.signal;
  const signal = kind === 'read' && user ? AbortSignal.any([user, deadline]) : deadline;
  try {
    const result = await run(signal);
    options.log?.(`${action} ${store.secretId}: ok in ${Date.now() - started} ms`);
    return result;
  } catch (e) {
    const name = (e as { name?: string })?.name ?? 'Error';
    options.log?.(`${action} ${store.secretId}: ${name} after ${Date.now() - started} ms`);
    if (kind === 'read' && user?.aborted) throw cancelled();
    const ctx: AwsCallContext = {
      action: `secretsmanager:${action}`,
      secretId: store.secretId,
      profile: options.profile,
      region: options.region ?? (await region().catch(() => undefined)),
      endpoint: store.endpoint,
      blankRegionVariable: options.blankRegionVariable,
    };
    if (deadline.aborted) throw timedOut(ctx, totalMs);
    const mapped = mapAwsError(e, ctx);
    if (refusedOnFirstAttempt(e)) refusedAtOnce.add(mapped);
    throw mapped;
  }
}

/** Errors that are Secrets Manager's own answer (4xx) to the only attempt sent: the call did nothing. */
const refusedAtOnce = new WeakSet<object>();

/** A 4xx answer with no earlier attempt (the SDK counts them in $metadata.attempts): nothing was done by this call. */
function refusedOnFirstAttempt(e: unknown): boolean {
  const meta = (e as { $metadata?: { httpStatusCode?: number; attempts?: number } } | null)?.$metadata;
  const status = meta?.httpStatusCode ?? 0;
  return status >= 400 && status < 500 && (meta?.attempts ?? 1) <= 1;
}

/**
 * True when `e` (as a store call threw it) is a refusal of the one attempt sent: the call
 * changed nothing. False when an earlier attempt may have gone through (its answer lost).
 */
export const wasRefusedAtOnce = (e: unknown): boolean => typeof e === 'object' && e !== null && refusedAtOnce.has(e);

function timedOut(c: AwsCallContext, totalMs: number): CliError {
  const endpoint = c.endpoint ?? `https://secretsmanager.${c.region ?? '<region>'}.amazonaws.com`;
  return new CliError(
    'aws-timeout',
    `AWS Secrets Manager at ${endpoint} did not answer ${c.action} within ${Math.round(totalMs / 1000)} seconds.`,
    'Check your network connection, proxy and AWS_ENDPOINT_URL_SECRETS_MANAGER, then try again (DOCKERHUB_CREDENTIALS_AWS_TIMEOUT=SECONDS allows longer).',
    ExitCode.Transient,
  );
}

/** The store's reads and writes built on its calls, the same for every store. */
export abstract class StoreCalls {
  abstract readonly options: StoreOptions;
  abstract get secretId(): string;
  abstract describe(o?: { detached?: boolean }): Promise<SecretInfo>;
  abstract get(which: { stage: string } | { versionId: string }, o?: { detached?: boolean }): Promise<SecretVersion>;

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

  async settle(): Promise<SecretInfo | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await this.describe({ detached: true });
      } catch {
        await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
      }
    }
    return undefined;
  }

  async versionExists(versionId: string): Promise<boolean | undefined> {
    try {
      await this.get({ versionId }, { detached: true });
      return true;
    } catch (e) {
      return isCliError(e) && e.code === 'secret-not-found' ? false : undefined;
    }
  }
}

/** The real store: Secrets Manager through the AWS SDK. */
export class AwsSecretStore extends StoreCalls implements SecretStore {
  private constructor(
    private readonly client: SecretsManagerClient,
    private readonly sdk: typeof import('@aws-sdk/client-secrets-manager'),
    readonly options: StoreOptions,
    readonly endpoint: string | undefined,
  ) {
    super();
  }

  static async open(options: StoreOptions): Promise<SecretStore> {
    const env = options.env ?? process.env;
    // An ARN names its region, and AWS finds the secret only there: the ARN's region wins (context.ts says when it differs).
    options = { ...options, env, region: arnRegion(options.secretId) ?? options.region };
    // The SDK's own Node-version notice would land in the middle of the wizard.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = await import('@aws-sdk/client-secrets-manager');
    const timeouts = options.timeouts ?? awsTimeouts(env);
    // Proxy-aware when HTTP(S)_PROXY is set; also for the SSO portal and STS calls behind a profile.
    const requestHandler = await awsRequestHandler({ connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.requestMs, log: options.log });
    let credentials;
    if (options.profile) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      // The SDK would print a multi-line notice when key variables are set too; say it in one line instead.
      if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
        options.warn?.(`Using profile ${options.profile}; the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables are ignored.`);
      }
      const quiet = { debug: () => undefined, info: () => undefined, warn: (m: string) => options.log?.(`AWS SDK: ${String(m).split('\n')[0]}`), error: () => undefined };
      credentials = fromNodeProviderChain({ profile: options.profile, logger: quiet, clientConfig: { requestHandler } });
    }
    // AWS_REGION= (a CI variable whose value was never set) is, to the SDK, a region named "":
    // it refuses it as "Region not accepted" before sending, which read as a refusal by AWS
    // (stranger trial, session 3). A blank region variable is no region: the SDK never sees it.
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
      if (env[name] !== undefined && env[name]!.trim() === '') {
        delete env[name];
        options = { ...options, blankRegionVariable: options.blankRegionVariable ?? name };
      }
    }
    const endpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL;
    const client = new sdk.SecretsManagerClient({
      // Given, not left to the SDK: it would read process.env, and a run in process has its own env.
      endpoint,
      region: options.region ?? (env === process.env ? undefined : env.AWS_REGION),
      profile: options.profile,
      credentials,
      // Bounded retries with exponential backoff (throttling included), unless the
      // standard AWS_MAX_ATTEMPTS / AWS_RETRY_MODE say otherwise.
      maxAttempts: env.AWS_MAX_ATTEMPTS ? undefined : 4,
      requestHandler,
    });
    return new AwsSecretStore(client, sdk, { ...options, timeouts }, endpoint);
  }

  get secretId(): string {
    return this.options.secretId;
  }

  private call<T>(action: string, kind: CallKind, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return guardedCall(this, () => this.client.config.region(), action, kind, run);
  }

  async describe(o: { detached?: boolean } = {}): Promise<SecretInfo> {
    const out = await this.call('DescribeSecret', o.detached ? 'detached' : 'read', (abortSignal) =>
      this.client.send(new this.sdk.DescribeSecretCommand({ SecretId: this.secretId }), { abortSignal }),
    );
    return {
      arn: out.ARN ?? this.secretId,
      name: out.Name ?? this.secretId,
      kmsKeyId: out.KmsKeyId,
      lastChanged: out.LastChangedDate,
      deleted: out.DeletedDate,
      versions: out.VersionIdsToStages ?? {},
      tags: Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      described: out,
    };
  }

  /**
   * One call through the store's bounds and error mapping, for the commands that need a call
   * the helper never makes (status's ListSecrets, rotate's RotateSecret: src/aws/fleet.ts), so
   * the helper's bundle does not carry them.
   */
  send<T>(action: string, kind: 'read' | 'write', run: (client: SecretsManagerClient, sdk: typeof import('@aws-sdk/client-secrets-manager'), abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return this.call(action, kind, (abortSignal) => run(this.client, this.sdk, abortSignal));
  }

  /**
   * Up to `max` secret names close to `name`, from one page of ListSecrets (100
   * names at most): for a mistyped name. `listed` is false when listing is not
   * allowed or failed; that is never an error of its own.
   */
  async closeNames(name: string, max = 3): Promise<{ names: string[]; listed: boolean }> {
    try {
      const out = await this.call('ListSecrets', 'read', (abortSignal) => this.client.send(new this.sdk.ListSecretsCommand({ MaxResults: 100 }), { abortSignal }));
      const names = (out.SecretList ?? []).map((s) => s.Name ?? '').filter(Boolean);
      return { names: closeMatches(name, names, max), listed: true };
    } catch (e) {
      if (isCancellation(e)) throw e;
      return { names: [], listed: false };
    }
  }

  /**
   * The secrets of the region that carry this tool's tags (`dockerhub-credentials:…`),
   * as name -> SecretInfo, from at most 10 pages of ListSecrets: for `tokens`.
   */
  async toolSecrets(): Promise<SecretInfo[]> {
    const found: SecretInfo[] = [];
    let NextToken: string | undefined;
    for (let page = 0; page < 10; page++) {
      const out = await this.call('ListSecrets', 'read', (abortSignal) => this.client.send(new this.sdk.ListSecretsCommand({ MaxResults: 100, NextToken }), { abortSignal }));
      for (const s of out.SecretList ?? []) {
        const tags = Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
        if (!Object.keys(tags).some((k) => k.startsWith('dockerhub-credentials:')) || s.DeletedDate) continue;
        found.push({ arn: s.ARN ?? '', name: s.Name ?? '', lastChanged: s.LastChangedDate, versions: s.SecretVersionsToStages ?? {}, tags });
      }
      NextToken = out.NextToken || undefined;
      if (!NextToken) break;
    }
    return found;
  }

  /** Every version, labelled or not (unlabelled ones are deprecated and may be removed by AWS). */
  async listVersions(name: string): Promise<VersionListing[]> {
    const versions: VersionListing[] = [];
    let NextToken: string | undefined;
    do {
      const out = await this.call('ListSecretVersionIds', 'read', (abortSignal) =>
        this.client.send(new this.sdk.ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, NextToken }), { abortSignal }),
      );
      for (const v of out.Versions ?? []) versions.push({ versionId: v.VersionId ?? '', stages: v.VersionStages ?? [], created: v.CreatedDate });
      NextToken = out.NextToken || undefined;
    } while (NextToken);
    return versions;
  }

  async tag(tags: Record<string, string>): Promise<void> {
    await this.call('TagResource', 'write', (abortSignal) =>
      this.client.send(new this.sdk.TagResourceCommand({ SecretId: this.secretId, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }), { abortSignal }),
    );
  }

  async untag(keys: string[]): Promise<void> {
    if (!keys.length) return;
    await this.call('UntagResource', 'write', (abortSignal) =>
      this.client.send(new this.sdk.UntagResourceCommand({ SecretId: this.secretId, TagKeys: keys }), { abortSignal }),
    );
  }

  async get(which: { stage: string } | { versionId: string }, o: { detached?: boolean } = {}): Promise<SecretVersion> {
    const input =
      'stage' in which
        ? { SecretId: this.secretId, VersionStage: which.stage }
        : { SecretId: this.secretId, VersionId: which.versionId };
    const out = await this.call('GetSecretValue', o.detached ? 'detached' : 'read', (abortSignal) =>
      this.client.send(new this.sdk.GetSecretValueCommand(input), { abortSignal }),
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
    const out = await this.call('PutSecretValue', 'write', (abortSignal) =>
      this.client.send(
        new this.sdk.PutSecretValueCommand({
          SecretId: this.secretId,
          SecretString: secretString,
          ClientRequestToken: requestToken,
          VersionStages: stages,
        }),
        { abortSignal },
      ),
    );
    return out.VersionId ?? requestToken;
  }

  async moveStage(stage: string, move: { to?: string; from?: string }): Promise<void> {
    await this.call('UpdateSecretVersionStage', 'write', (abortSignal) =>
      this.client.send(
        new this.sdk.UpdateSecretVersionStageCommand({
          SecretId: this.secretId,
          VersionStage: stage,
          MoveToVersionId: move.to,
          RemoveFromVersionId: move.from,
        }),
        { abortSignal },
      ),
    );
  }


}
