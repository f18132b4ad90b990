// An in-memory Secrets Manager behind the store interface (src/aws/store.ts), for
// commands run in process. It keeps what the tool relies on: staging labels,
// compare-and-swap by RemoveFromVersionId, AWSPREVIOUS following AWSCURRENT,
// ClientRequestToken idempotency, version listing, tags, deletion. It passes
// the same contract tests as moto (test/integration/store-contract.test.ts);
// a behaviour that is not in that file is not promised here.
//
// Faults are injected at a call, with the fault proxy's rules
// (test/support/fault-proxy.mjs): the same `target`, `match`, `skip`, `count`.
import { randomUUID } from 'node:crypto';
import { guardedCall, StoreCalls, awsTimeouts, type OpenStore, type SecretStore, type StoreOptions } from '../../src/aws/store.js';
import { arnRegion, type SecretInfo, type SecretVersion, type VersionListing } from '../../src/domain/secret.js';
import { registerSecret } from '../../src/ui/redact.js';
import { isCancellation } from '../../src/errors.js';
import { closeMatches } from '../../src/config.js';

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';

export type MemoryFault = 'drop-after' | 'cut' | 'hang' | 'throttle' | '5xx' | 'hold';

export interface MemoryFaultRule {
  /** The AWS action (DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage...), or '*' for every call. */
  target: string;
  match?: (input: Record<string, unknown>) => boolean;
  skip?: number;
  count?: number;
  mode: MemoryFault;
}

interface Version {
  id: string;
  value: string | undefined;
  created: Date;
  stages: Set<string>;
}

interface Secret {
  name: string;
  arn: string;
  created: Date;
  lastChanged?: Date;
  deleted?: Date;
  versions: Map<string, Version>;
  tags: Map<string, string>;
}

/** An error shaped as the AWS SDK throws it for a modeled error (name, message, status): what mapAwsError reads. */
const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });
/** What the SDK's Node handler throws when the connection is cut. */
const connectionCut = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

export class MemorySecretsManager {
  readonly secrets = new Map<string, Secret>();
  readonly region: string;
  readonly account = '123456789012';
  /** Every call, by action, in order (as the fault proxy's `seen`). */
  readonly state = { seen: [] as string[], hits: 0, matched: 0 };
  private rule: MemoryFaultRule | undefined;
  private held: { release: () => void } | undefined;
  private onHeld: (() => void) | undefined;
  /** The time versions are stamped with (a test may move it, as moto's clock could not be). */
  clock: () => Date = () => new Date();

  constructor(region = 'eu-west-2') {
    this.region = region;
  }

  // ---- arranging, as test/support/aws.ts does on moto (async, as TestSecrets is) --------------

  async create(name: string, value?: string, tags: Record<string, string> = {}): Promise<string> {
    if (this.secrets.has(name)) throw awsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    const arn = `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${randomUUID().slice(0, 6)}`;
    const secret: Secret = { name, arn, created: this.clock(), versions: new Map(), tags: new Map(Object.entries(tags)) };
    this.secrets.set(name, secret);
    if (value !== undefined) this.putValue(secret, value, randomUUID(), undefined);
    return arn;
  }

  /** A plain put: the new value becomes AWSCURRENT and the old one AWSPREVIOUS. */
  async put(name: string, value: string): Promise<string> {
    return this.putValue(this.find(name), value, randomUUID(), undefined);
  }

  /** A stray AWSPENDING version, as an interrupted rotation leaves. */
  async stagePending(name: string, value: string): Promise<void> {
    this.putValue(this.find(name), value, randomUUID(), ['AWSPENDING']);
  }

  async scheduleDeletion(name: string): Promise<void> {
    this.find(name).deleted = this.clock();
  }

  /** version id -> sorted stages, as TestSecrets.stages reads them (labelled versions only). */
  async stages(name: string): Promise<Record<string, string[]>> {
    return this.describeSecret(name).versions;
  }

  async value(name: string, stage = CURRENT): Promise<string | undefined> {
    return this.getValue(name, { stage }).secretString;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Sets the rule; for `hold`, the promise resolves when a call is being held. */
  fail(rule: MemoryFaultRule): Promise<void> {
    this.rule = rule;
    this.state.hits = 0;
    this.state.matched = 0;
    return new Promise((r) => (this.onHeld = r));
  }

  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  restore(): void {
    this.rule = undefined;
  }

  /** The store a command opens (Context.secrets). */
  readonly open: OpenStore = async (options) => new MemoryStore(this, options);

  // ---- the service ----------------------------------------------------------------------------

  /**
   * One call: the fault rule decides whether it reaches the service, and whether its
   * answer comes back. A lost answer is retried once, as the SDK does with two attempts.
   */
  async call<T>(action: string, input: Record<string, unknown>, signal: AbortSignal, requestMs: number, apply: () => T): Promise<T> {
    this.state.seen.push(action);
    const rule = this.rule;
    let hit = false;
    if (rule && (rule.target === action || rule.target === '*') && (!rule.match || rule.match(input))) {
      this.state.matched++;
      hit = this.state.matched > (rule.skip ?? 0) && this.state.hits < (rule.count ?? 1);
    }
    // Every answer arrives on a later turn, as over a socket.
    await new Promise((r) => setImmediate(r));
    if (signal.aborted) throw signal.reason;
    if (!hit) return apply();
    this.state.hits++;
    switch (rule!.mode) {
      case 'cut':
        throw connectionCut();
      case 'throttle':
        throw awsError('ThrottlingException', 'Rate exceeded');
      case '5xx':
        throw awsError('InternalServiceError', 'An error occurred on the server side.', 500);
      case 'drop-after': {
        try {
          apply();
        } catch {
          // the first answer is lost either way
        }
        return apply();
      }
      case 'hang':
        // Nothing is ever answered: the request timeout (the SDK's requestTimeout) or the run's deadline ends it.
        return new Promise<T>((_, reject) => {
          const timer = setTimeout(() => reject(Object.assign(new Error(`Connection timed out after ${requestMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' })), requestMs);
          signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
        });
      case 'hold':
        return new Promise<T>((resolve, reject) => {
          this.held = { release: () => { try { resolve(apply()); } catch (e) { reject(e); } } };
          this.onHeld?.();
        });
    }
  }

  find(id: string): Secret {
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
    if (!secret) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private live(id: string): Secret {
    const secret = this.find(id);
    if (secret.deleted) throw awsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    return secret;
  }

  private holderOf(secret: Secret, stage: string): Version | undefined {
    return [...secret.versions.values()].find((v) => v.stages.has(stage));
  }

  describeSecret(id: string): SecretInfo {
    const s = this.find(id);
    const versions: Record<string, string[]> = {};
    for (const v of s.versions.values()) if (v.stages.size) versions[v.id] = [...v.stages].sort();
    return {
      arn: s.arn,
      name: s.name,
      lastChanged: s.lastChanged,
      deleted: s.deleted,
      versions,
      tags: Object.fromEntries(s.tags),
    };
  }

  getValue(id: string, which: { stage: string } | { versionId: string }): SecretVersion {
    const s = this.live(id);
    const v = 'stage' in which ? this.holderOf(s, which.stage) : s.versions.get(which.versionId);
    if (!v) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for " + ('stage' in which ? `staging label: ${which.stage}` : `VersionId: ${which.versionId}`));
    return { versionId: v.id, secretString: v.value, created: v.created, stages: [...v.stages] };
  }

  putValue(s: Secret, value: string, token: string, stages: string[] | undefined): string {
    const existing = s.versions.get(token);
    if (existing) {
      // The same request again (a retry) answers as the first did; another value under the same token is refused.
      if (existing.value !== value) throw awsError('ResourceExistsException', `A resource with the ID you requested already exists.`);
      return existing.id;
    }
    const first = ![...s.versions.values()].some((v) => v.stages.has(CURRENT));
    const labels = new Set(stages ?? [CURRENT]);
    // The first version of a secret is AWSCURRENT whatever was asked.
    if (first) labels.add(CURRENT);
    const version: Version = { id: token, value, created: this.clock(), stages: new Set() };
    s.versions.set(token, version);
    for (const label of labels) this.attach(s, label, version);
    s.lastChanged = this.clock();
    return token;
  }

  /** Moves a label onto `to`; AWSCURRENT leaves AWSPREVIOUS on the version it left. */
  private attach(s: Secret, label: string, to: Version): void {
    const from = this.holderOf(s, label);
    if (from === to) return;
    from?.stages.delete(label);
    to.stages.add(label);
    if (label === CURRENT && from) {
      this.holderOf(s, PREVIOUS)?.stages.delete(PREVIOUS);
      from.stages.add(PREVIOUS);
    }
  }

  moveStage(id: string, stage: string, move: { to?: string; from?: string }): void {
    const s = this.live(id);
    const holder = this.holderOf(s, stage);
    const to = move.to === undefined ? undefined : s.versions.get(move.to);
    if (move.to !== undefined && !to) throw awsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${move.to}`);
    if (move.from !== undefined && !s.versions.has(move.from)) throw awsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${move.from}`);
    // Compare-and-swap: the label must be where the caller says it is.
    // Even when the label is already on MoveToVersionId (a retried move): moto refuses that too.
    if (holder && holder.id !== move.from) {
      throw awsError('InvalidParameterException', `The staging label ${stage} is currently attached to version ${holder.id}, but you have requested to remove it from version ${move.from ?? 'none'}.`);
    }
    if (!holder && move.from !== undefined && move.from !== move.to) {
      throw awsError('InvalidParameterException', `The staging label ${stage} is not attached to version ${move.from}.`);
    }
    if (to) this.attach(s, stage, to);
    else if (holder) holder.stages.delete(stage);
    s.lastChanged = this.clock();
  }

  listVersions(id: string): VersionListing[] {
    const s = this.live(id);
    return [...s.versions.values()].map((v) => ({ versionId: v.id, stages: [...v.stages], created: v.created }));
  }

  listNames(): string[] {
    return [...this.secrets.keys()];
  }

  tag(id: string, tags: Record<string, string>): void {
    const s = this.live(id);
    for (const [k, v] of Object.entries(tags)) s.tags.set(k, v);
  }

  untag(id: string, keys: string[]): void {
    const s = this.live(id);
    for (const k of keys) s.tags.delete(k);
  }
}

/** The store over the in-memory service: every call bounded and mapped by the same guardedCall as the AWS store. */
class MemoryStore extends StoreCalls implements SecretStore {
  readonly options: StoreOptions;
  readonly endpoint: string | undefined;

  constructor(
    private readonly sm: MemorySecretsManager,
    options: StoreOptions,
  ) {
    super();
    const env = options.env ?? {};
    this.options = { ...options, env, region: arnRegion(options.secretId) ?? options.region ?? env.AWS_REGION ?? sm.region, timeouts: options.timeouts ?? awsTimeouts(env) };
    this.endpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL;
  }

  get secretId(): string {
    return this.options.secretId;
  }

  private call<T>(action: string, kind: 'read' | 'write' | 'detached', input: Record<string, unknown>, apply: () => T): Promise<T> {
    return guardedCall(this, async () => this.sm.region, action, kind, (signal) => this.sm.call(action, input, signal, this.options.timeouts!.requestMs, apply));
  }

  describe(o: { detached?: boolean } = {}): Promise<SecretInfo> {
    return this.call('DescribeSecret', o.detached ? 'detached' : 'read', { SecretId: this.secretId }, () => this.sm.describeSecret(this.secretId));
  }

  async closeNames(name: string, max = 3): Promise<{ names: string[]; listed: boolean }> {
    try {
      const names = await this.call('ListSecrets', 'read', { MaxResults: 100 }, () => this.sm.listNames().slice(0, 100));
      return { names: closeMatches(name, names, max), listed: true };
    } catch (e) {
      if (isCancellation(e)) throw e;
      return { names: [], listed: false };
    }
  }

  listVersions(name: string): Promise<VersionListing[]> {
    return this.call('ListSecretVersionIds', 'read', { SecretId: name, IncludeDeprecated: true }, () => this.sm.listVersions(name));
  }

  async tag(tags: Record<string, string>): Promise<void> {
    await this.call('TagResource', 'write', { SecretId: this.secretId, Tags: tags }, () => this.sm.tag(this.secretId, tags));
  }

  async untag(keys: string[]): Promise<void> {
    if (!keys.length) return;
    await this.call('UntagResource', 'write', { SecretId: this.secretId, TagKeys: keys }, () => this.sm.untag(this.secretId, keys));
  }

  async get(which: { stage: string } | { versionId: string }, o: { detached?: boolean } = {}): Promise<SecretVersion> {
    const input = 'stage' in which ? { SecretId: this.secretId, VersionStage: which.stage } : { SecretId: this.secretId, VersionId: which.versionId };
    const out = await this.call('GetSecretValue', o.detached ? 'detached' : 'read', input, () => this.sm.getValue(this.secretId, which));
    registerSecret(out.secretString);
    return out;
  }

  put(secretString: string, requestToken: string, stages?: string[]): Promise<string> {
    const input = { SecretId: this.secretId, ClientRequestToken: requestToken, VersionStages: stages };
    return this.call('PutSecretValue', 'write', input, () => {
      const s = this.sm.find(this.secretId);
      if (s.deleted) throw awsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
      return this.sm.putValue(s, secretString, requestToken, stages);
    });
  }

  async moveStage(stage: string, move: { to?: string; from?: string }): Promise<void> {
    const input = { SecretId: this.secretId, VersionStage: stage, MoveToVersionId: move.to, RemoveFromVersionId: move.from };
    await this.call('UpdateSecretVersionStage', 'write', input, () => this.sm.moveStage(this.secretId, stage, move));
  }
}
