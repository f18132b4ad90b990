// The rotation function's contract (REFERENCE 10): a guard before every step, then
// createSecret, setSecret, testSecret and finishSecret, each safe to run twice, as
// Secrets Manager retries a failed step. The Hub calls go through HubSession (hub-port.ts),
// the Secrets Manager calls through the tool's SecretStore, and the checks of the pending
// value through the same registry and Hub API requests the CLI makes.
import type { SecretStore } from '../aws/store.js';
import { CURRENT, PENDING, PREVIOUS, scheduleOf, versionWithStage, type SecretInfo } from '../domain/secret.js';
import { checkCredentialValue, type ValueCheck } from '../domain/value.js';
import { buildValue } from '../domain/write-value.js';
import { declaredConsumers, recordedConsumers } from '../domain/consumers.js';
import { REPOSITORY_TAG, encodeMeta, expiresIn, metaOf, rememberedRepository, tagKey, type TokenMeta } from '../domain/lifecycle.js';
import { tokenKind, validateRepository } from '../domain/tokens.js';
import { isCliError } from '../errors.js';
import { DEFAULT_HUB_URL, DEFAULT_REGISTRY } from '../domain/docker-hub.js';
import { encodeHubFacts, factsFrom, hubFactsOf, hubTagKey, type HubFacts } from '../flows/hub-facts.js';
import { redact, registerSecret } from '../ui/redact.js';
import { PAT_SCOPES, oatScopes, type CreatedToken, type HubToken, type OatResource, type PatScope } from '../hub/manage.js';
import type { AdminCredential, HubSession, OpenHub } from './hub-port.js';

export type Step = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const STEPS: readonly Step[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** What Secrets Manager sends (REFERENCE 10, "The event and its guard"). RotationToken is never logged. */
export interface RotationEvent {
  Step: string;
  SecretId: string;
  ClientRequestToken: string;
  RotationToken?: string;
}

/** The tags on the rotated secret that override the function's configuration, so one function serves many secrets. */
export const ADMIN_SECRET_TAG = 'dockerhub-credentials:admin-secret';
export const EXPIRES_IN_TAG = 'dockerhub-credentials:expires-in';
/** The Hub tokens this function deactivated (space-separated ids): the only ones it later deletes, for the OAT cap. */
export const RETIRED_TAG = 'dockerhub-credentials:retired';
/** Every token the function creates carries the request token in its label: a retry finds it by that. */
export const LABEL_PREFIX = 'dhc-rotation';
export const rotationLabel = (requestToken: string) => `${LABEL_PREFIX} ${requestToken}`;

export interface RotationConfig {
  adminSecretId?: string;
  repository?: string;
  /** As --expires-in takes it: 30d, 90d, 365d or never. */
  expiresIn?: string;
  hubUrl: string;
  registry: string;
}

/** The function's environment (issue 23): DOCKERHUB_CREDENTIALS_ADMIN_SECRET_ID, _REPOSITORY, _EXPIRES_IN, _HUB_URL, _REGISTRY. */
export function configFromEnv(env: NodeJS.ProcessEnv): RotationConfig {
  const v = (name: string) => env[name]?.trim() || undefined;
  return {
    adminSecretId: v('DOCKERHUB_CREDENTIALS_ADMIN_SECRET_ID'),
    repository: v('DOCKERHUB_CREDENTIALS_REPOSITORY'),
    expiresIn: v('DOCKERHUB_CREDENTIALS_EXPIRES_IN'),
    hubUrl: v('DOCKERHUB_CREDENTIALS_HUB_URL') ?? DEFAULT_HUB_URL,
    registry: v('DOCKERHUB_CREDENTIALS_REGISTRY') ?? DEFAULT_REGISTRY,
  };
}

const causeOf = (e: unknown): string => (isCliError(e) || e instanceof Error ? e.message : String(e));

/**
 * A step's failure: one sentence naming the step and the reason (in this module's own words, never a
 * secret), then, when it follows from another failure, that failure in its own words as `Cause:` (as the
 * CLI's renderer shows a cause: never re-worded into the sentence). The log line and the error Lambda
 * reports are the same text.
 */
export class RotationError extends Error {
  override readonly name = 'RotationError';
  /** The failure this one follows from, in its own words (redacted). */
  readonly causeText?: string;
  constructor(readonly step: string, readonly secretId: string, reason: string, cause?: unknown) {
    const causeText = cause === undefined ? undefined : redact(causeOf(cause));
    super(redact(`${step} for ${secretId} failed: ${reason}.`) + (causeText ? ` Cause: ${causeText}` : ''), cause === undefined ? undefined : { cause });
    this.causeText = causeText;
  }
}

/** The checks of the pending value that need the network: the registry's token endpoint and the Hub API's whoami. */
export type TestPending = (creds: { username: string; token: string }, repository: string | undefined, config: RotationConfig) => Promise<string>;

export interface RotationDeps {
  config: RotationConfig;
  /** Opens the Secrets Manager store for a secret id (the rotated secret, or the admin secret). */
  openStore: (secretId: string) => Promise<Pick<SecretStore, 'describe' | 'get' | 'put' | 'moveStage' | 'tag' | 'settle'>>;
  openHub: OpenHub;
  testPending: TestPending;
  log: (line: string) => void;
  signal: AbortSignal;
  now?: () => Date;
}

type Store = Awaited<ReturnType<RotationDeps['openStore']>>;

/** Runs one step of the contract. Resolves when the step is done (or was already done); rejects with a RotationError. */
export async function runStep(event: RotationEvent, deps: RotationDeps): Promise<void> {
  const step = event.Step;
  const secretId = event.SecretId;
  const token = event.ClientRequestToken;
  if (!(STEPS as readonly string[]).includes(step)) throw new RotationError(String(step), secretId, `the step is not one of ${STEPS.join(', ')}`);
  if (typeof secretId !== 'string' || !secretId || typeof token !== 'string' || !token) {
    throw new RotationError(step, String(secretId), 'the event has no SecretId or ClientRequestToken');
  }
  const store = await deps.openStore(secretId);
  let info: SecretInfo;
  try {
    info = await store.describe();
  } catch (e) {
    throw new RotationError(step, secretId, 'DescribeSecret failed', e);
  }
  // The guard (REFERENCE 10), before every step.
  if (!scheduleOf(info)?.enabled) throw new RotationError(step, secretId, 'rotation is not enabled on the secret');
  const stages = info.versions[token];
  if (!stages) throw new RotationError(step, secretId, `version ${token} is not a version of the secret`);
  if (stages.includes(CURRENT)) {
    deps.log(`${step} ${secretId}: version ${token} is already AWSCURRENT; nothing to do`);
    return;
  }
  if (!stages.includes(PENDING)) throw new RotationError(step, secretId, `version ${token} is not AWSPENDING`);
  const run = new Rotation(store, info, token, deps);
  try {
    if (step === 'createSecret') await run.create();
    else if (step === 'setSecret') deps.log(`setSecret ${secretId}: nothing to set for a registry token`);
    else if (step === 'testSecret') await run.test();
    else await run.finish();
  } catch (e) {
    const error = e instanceof RotationError ? e : new RotationError(step, secretId, 'it stopped on an unexpected error', e);
    deps.log(error.message);
    throw error;
  }
}

/** PAT scopes for the access level recorded on a version (lifecycle.ts's codes), lowest first. */
const SCOPE_OF_ACCESS: Record<string, PatScope> = {
  'Public Repo Read-only': 'repo:public_read',
  'Read-only': 'repo:read',
  'Read & Write': 'repo:write',
  'Read, Write, Delete': 'repo:admin',
};

/** The token with `id`, or undefined when Docker Hub has none. */
async function getToken(hub: HubSession, id: string): Promise<HubToken | undefined> {
  try {
    return await hub.api.getToken(hub.owner, id);
  } catch (e) {
    if (isCliError(e) && e.code === 'hub-token-missing') return undefined;
    throw e;
  }
}
const listTokens = (hub: HubSession) => hub.api.listTokens(hub.owner);
const removeToken = (hub: HubSession, id: string) => hub.api.deleteToken(hub.owner, id);

interface NewToken {
  label: string;
  expiresAt?: string;
  scopes?: PatScope[];
  resources?: OatResource[];
}

class Rotation {
  private readonly secretId: string;
  constructor(
    private readonly store: Store,
    private readonly info: SecretInfo,
    private readonly token: string,
    private readonly deps: RotationDeps,
  ) {
    this.secretId = info.name;
  }

  private log(line: string) {
    this.deps.log(redact(line));
  }

  private fail(step: Step, cause: string): never {
    throw new RotationError(step, this.secretId, cause);
  }

  private get repository(): string | undefined {
    const repo = rememberedRepository(this.info) ?? this.deps.config.repository;
    return repo && validateRepository(repo) === true ? repo : undefined;
  }

  private current(step: Step): Promise<ValueCheck & { versionId: string }> {
    return this.read(step, CURRENT);
  }

  private async read(step: Step, which: string): Promise<ValueCheck & { versionId: string }> {
    const version = await this.store.get(which === CURRENT ? { stage: CURRENT } : { versionId: which });
    const check = checkCredentialValue(version.secretString);
    if (check.problems.length || !check.username || !check.token) {
      this.fail(step, `the ${which === CURRENT ? 'current' : `version ${which}'s`} value is not a Docker Hub credential (${check.problems.join(' ') || 'no username or token'})`);
    }
    return { ...check, versionId: version.versionId };
  }

  /** The pending value, if an earlier try already put it; undefined when the version has no value yet. */
  private async pendingValue(): Promise<(ValueCheck & { versionId: string }) | undefined> {
    try {
      return await this.read('createSecret', this.token);
    } catch (e) {
      if (isCliError(e) && e.code === 'secret-not-found') return undefined;
      throw e;
    }
  }

  private async admin(step: Step): Promise<AdminCredential> {
    const id = this.info.tags[ADMIN_SECRET_TAG] || this.deps.config.adminSecretId;
    if (!id) this.fail(step, `no admin secret is named (the tag ${ADMIN_SECRET_TAG} on the secret, or DOCKERHUB_CREDENTIALS_ADMIN_SECRET_ID on the function)`);
    if (id === this.info.name || id === this.info.arn) this.fail(step, 'the admin secret must be a separate secret, not the rotated one');
    let raw: string | undefined;
    try {
      raw = (await (await this.deps.openStore(id)).get({ stage: CURRENT })).secretString;
    } catch (e) {
      this.fail(step, `the admin secret ${id} could not be read (${causeOf(e)})`);
    }
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(raw ?? '') as Record<string, unknown>;
    } catch {}
    const { username, password, totpSeed } = parsed ?? {};
    if (typeof password === 'string') registerSecret(password);
    if (typeof totpSeed === 'string') registerSecret(totpSeed);
    if (typeof username !== 'string' || !username || typeof password !== 'string' || !password) {
      this.fail(step, `the admin secret ${id} does not hold {"username", "password"} as JSON`);
    }
    return { username, password, totpSeed: typeof totpSeed === 'string' && totpSeed ? totpSeed : undefined };
  }

  private async hub(step: Step, current: { username: string; token: string }): Promise<{ hub: HubSession; kind: 'pat' | 'oat' }> {
    const kind = tokenKind(current.token);
    if (kind === 'other') this.fail(step, 'the current value is not a personal or organization access token (dckr_pat_ or dckr_oat_), so there is no token to rotate');
    const admin = await this.admin(step);
    try {
      return { hub: await this.deps.openHub(admin, { kind, org: kind === 'oat' ? current.username : undefined, signal: this.deps.signal }), kind };
    } catch (e) {
      this.fail(step, `signing in to Docker Hub as ${admin.username} failed (${causeOf(e)})`);
    }
  }

  /** The Hub token a version holds: by the id recorded for it, else by its recorded label. Undefined when neither proves it. */
  private async tokenOf(hub: HubSession, versionId: string): Promise<HubToken | undefined> {
    const meta = metaOf(this.info, versionId);
    // The id recorded when the token was created (rotate --create, setup --create, or this function).
    const facts = hubFactsOf(this.info, versionId);
    if (facts?.id) return await getToken(hub, facts.id);
    if (versionId === this.token) return (await listTokens(hub)).find((t) => t.label === rotationLabel(this.token));
    if (!meta.label) return undefined;
    const matches = (await listTokens(hub)).filter((t) => t.label === meta.label);
    // Two tokens under one label cannot be told apart: neither is touched.
    return matches.length === 1 ? ((await getToken(hub, matches[0]!.id)) ?? matches[0]) : undefined;
  }

  private async spec(hub: HubSession, kind: 'pat' | 'oat', currentId: string): Promise<{ spec: NewToken; meta: TokenMeta }> {
    const now = this.deps.now?.() ?? new Date();
    const period = this.info.tags[EXPIRES_IN_TAG] || this.deps.config.expiresIn || '90d';
    let expires: string;
    try {
      expires = expiresIn(period, now);
    } catch {
      this.fail('createSecret', `the expiry "${period}" is not one of 30d, 90d, 365d, never`);
    }
    const label = rotationLabel(this.token);
    const expiresAt = expires === 'never' ? undefined : `${expires}T00:00:00Z`;
    const currentMeta = metaOf(this.info, currentId);
    const held = await this.tokenOf(hub, currentId);
    if (kind === 'pat') {
      const recorded = currentMeta.access ? SCOPE_OF_ACCESS[currentMeta.access] : undefined;
      const listed = held?.scopes?.filter((x): x is PatScope => (PAT_SCOPES as readonly string[]).includes(x));
      const scopes = listed?.length ? listed : recorded ? [recorded] : undefined;
      if (!scopes) this.fail('createSecret', "the current token's scope is unknown (it is not in the Hub's list, and no access level was recorded for it), so the new one cannot be made the same");
      if (!held) this.log(`createSecret ${this.secretId}: the current token is not identified in Docker Hub; its recorded access level (${currentMeta.access}) gives the scope`);
      return { spec: { label, expiresAt, scopes }, meta: { expires, label, access: currentMeta.access, push: currentMeta.push } };
    }
    let resources: OatResource[] | undefined = held?.resources?.length ? held.resources : undefined;
    const repo = this.repository;
    if (!resources && repo) {
      // REFERENCE 7: an OAT lists its repositories; without the current token's list, the push check's repository is the one it needs.
      resources = [{ type: 'TYPE_REPO', path: repo, scopes: oatScopes(true) }];
      this.log(`createSecret ${this.secretId}: the current organization token is not identified in Docker Hub; the new one lists ${repo} with pull and push`);
    }
    if (!resources) this.fail('createSecret', "the current organization token's repositories are unknown, and no repository is configured for the push check");
    return { spec: { label, expiresAt, resources }, meta: { expires, label, push: currentMeta.push } };
  }

  /** createSecret (REFERENCE 10): find what an earlier try did, else mint and stage, never twice. */
  async create(): Promise<void> {
    const current = await this.current('createSecret');
    const pending = await this.pendingValue();
    if (pending) {
      this.log(`createSecret ${this.secretId}: version ${this.token} already holds the new value (an earlier try); nothing created`);
      await this.recordIdIfMissing(current);
      return;
    }
    const creds = { username: current.username!, token: current.token! };
    const { hub, kind } = await this.hub('createSecret', creds);
    // A token an earlier try minted but never stored: its value is gone, so it is deleted before minting the one that is stored.
    for (const orphan of (await listTokens(hub)).filter((t) => t.label === rotationLabel(this.token))) {
      await removeToken(hub, orphan.id);
      this.log(`createSecret ${this.secretId}: deleted token ${orphan.id}, minted by an earlier try whose value was never stored`);
    }
    if (kind === 'oat') await this.deleteRetired(hub);
    const { spec, meta } = await this.spec(hub, kind, current.versionId);
    let created: CreatedToken;
    try {
      created = hub.owner.kind === 'oat' ? await hub.api.createOat(hub.owner.org, { label: spec.label, expiresAt: spec.expiresAt, resources: spec.resources! }) : await hub.api.createPat({ label: spec.label, expiresAt: spec.expiresAt, scopes: spec.scopes! });
    } catch (e) {
      this.fail('createSecret', `Docker Hub did not create the new token (${causeOf(e)})`);
    }
    registerSecret(created.token);
    try {
      const existing = current.parsed;
      const consumers = [...new Set([...(recordedConsumers(this.info.tags) ?? []), ...declaredConsumers([], this.info.tags)])];
      const { json } = buildValue(existing, { username: creds.username, token: created.token }, consumers);
      await this.putPending(json);
    } catch (e) {
      // A failure leaves AWSCURRENT untouched and the new Hub token deleted.
      await this.deleteQuietly(hub, created.id, 'createSecret');
      this.fail('createSecret', `staging the new value failed (${causeOf(e)}); the new token ${created.id} was deleted`);
    }
    await this.recordMeta({ ...meta, username: creds.username }, factsFrom(created, { created: true }));
    this.log(`createSecret ${this.secretId}: created ${kind === 'oat' ? 'organization' : 'personal'} access token ${created.id} and staged it as AWSPENDING (version ${this.token})`);
  }

  /** PutSecretValue as AWSPENDING under the request token; a lost answer is decided from the stages. */
  private async putPending(json: string): Promise<void> {
    try {
      await this.store.put(json, this.token, [PENDING]);
    } catch (e) {
      const after = await this.store.settle();
      if (after?.versions[this.token]?.includes(PENDING) && (await this.pendingValue().catch(() => undefined))) {
        this.log(`createSecret ${this.secretId}: PutSecretValue failed, but the stages show it went through (the answer was lost)`);
        return;
      }
      throw e;
    }
  }

  /** The new version's lifecycle tag and its Hub facts (flows/hub-facts.ts: which token it holds), as the CLI records them. */
  private async recordMeta(meta: TokenMeta | undefined, facts: HubFacts | undefined, versionId = this.token): Promise<void> {
    try {
      await this.store.tag({ ...(meta ? { [tagKey(versionId)]: encodeMeta(meta) } : {}), ...(facts ? { [hubTagKey(versionId)]: encodeHubFacts(facts) } : {}) });
    } catch (e) {
      this.log(`${this.secretId}: the new version's metadata could not be recorded (${causeOf(e)}); the token is found by its label instead`);
    }
  }

  private async recordIdIfMissing(current: { username?: string | null; token?: string }): Promise<void> {
    if (hubFactsOf(this.info, this.token)?.id) return;
    const { hub } = await this.hub('createSecret', { username: current.username!, token: current.token! });
    const mine = (await listTokens(hub)).find((t) => t.label === rotationLabel(this.token));
    if (mine) await this.recordMeta(undefined, factsFrom(mine, { created: true }));
  }

  private async deleteQuietly(hub: HubSession, id: string, step: Step): Promise<void> {
    try {
      await removeToken(hub, id);
    } catch (e) {
      this.log(`${step} ${this.secretId}: deleting the new token ${id} failed too (${causeOf(e)}); the next try deletes it by its label`);
    }
  }

  /** OAT cap (REFERENCE 7: deactivated tokens count until deleted): deletes the tokens this function retired, and only those. */
  private async deleteRetired(hub: HubSession): Promise<void> {
    const ids = (this.info.tags[RETIRED_TAG] ?? '').split(' ').filter(Boolean);
    if (!ids.length) return;
    const kept: string[] = [];
    for (const id of ids) {
      const t = await getToken(hub, id);
      if (t?.isActive) {
        // Re-activated by a person since: no longer retired, not ours to delete.
        continue;
      }
      if (t) {
        try {
          await removeToken(hub, id);
          this.log(`createSecret ${this.secretId}: deleted token ${id}, retired by an earlier rotation (the organization's token cap counts it)`);
        } catch (e) {
          kept.push(id);
          this.log(`createSecret ${this.secretId}: deleting retired token ${id} failed (${causeOf(e)})`);
        }
      }
    }
    await this.setRetired(kept);
  }

  private async setRetired(ids: string[]): Promise<void> {
    try {
      await this.store.tag({ [RETIRED_TAG]: ids.join(' ') });
      this.info.tags[RETIRED_TAG] = ids.join(' ');
    } catch (e) {
      this.log(`${this.secretId}: the list of retired tokens could not be recorded (${causeOf(e)})`);
    }
  }

  /** testSecret: the HTTP checks of the pending value. A failure deletes the new token and removes AWSPENDING. */
  async test(): Promise<void> {
    const pending = await this.read('testSecret', this.token);
    const creds = { username: pending.username!, token: pending.token! };
    let said: string;
    try {
      said = await this.deps.testPending(creds, this.repository, this.deps.config);
    } catch (e) {
      const cause = causeOf(e);
      const undone = await this.undoPending(creds);
      this.fail('testSecret', `the new token failed its check (${cause}); ${undone}`);
    }
    this.log(`testSecret ${this.secretId}: ${said}`);
    this.log(`testSecret ${this.secretId}: there is no docker CLI in Lambda, so docker login was not run; the registry's token endpoint and the Hub API were asked instead`);
  }

  /** After a failed check: the new Hub token deleted, AWSPENDING removed, AWSCURRENT untouched. Returns what was done. */
  private async undoPending(creds: { username: string; token: string }): Promise<string> {
    const done: string[] = [];
    try {
      const current = await this.current('testSecret');
      const { hub } = await this.hub('testSecret', { username: creds.username, token: current.token ?? creds.token });
      const mine = await this.tokenOf(hub, this.token);
      if (mine) {
        await removeToken(hub, mine.id);
        done.push(`the new token ${mine.id} was deleted`);
      } else done.push('the new token was not found in Docker Hub');
    } catch (e) {
      done.push(`the new token could not be deleted (${causeOf(e)})`);
    }
    try {
      await this.store.moveStage(PENDING, { from: this.token });
      done.push('AWSPENDING was removed');
    } catch (e) {
      done.push(`AWSPENDING could not be removed (${causeOf(e)})`);
    }
    return `${done.join(', ')}; AWSCURRENT is unchanged`;
  }

  /** finishSecret: promote by compare-and-swap, then retire the token of the version before AWSPREVIOUS. */
  async finish(): Promise<void> {
    const from = versionWithStage(this.info, CURRENT);
    const oldPrevious = versionWithStage(this.info, PREVIOUS);
    try {
      await this.store.moveStage(CURRENT, { to: this.token, from });
    } catch (e) {
      const after = await this.store.settle();
      if (versionWithStage(after ?? this.info, CURRENT) !== this.token || !after) {
        this.fail('finishSecret', `moving AWSCURRENT to version ${this.token} failed (${causeOf(e)}); AWSCURRENT is ${after ? `version ${versionWithStage(after, CURRENT)}` : 'unknown'}`);
      }
      this.log(`finishSecret ${this.secretId}: UpdateSecretVersionStage failed, but the stages show AWSCURRENT moved (the answer was lost)`);
    }
    this.log(`finishSecret ${this.secretId}: version ${this.token} is AWSCURRENT; version ${from ?? '(none)'} is AWSPREVIOUS`);
    try {
      await this.store.moveStage(PENDING, { from: this.token });
    } catch (e) {
      this.log(`finishSecret ${this.secretId}: AWSPENDING stays on the current version (${causeOf(e)}); it is harmless there`);
    }
    if (oldPrevious && oldPrevious !== this.token && oldPrevious !== from) await this.retire(oldPrevious, from);
  }

  /** Deactivates (never deletes) the token of `versionId`, unless the current or previous version holds the same token. */
  private async retire(versionId: string, previous: string | undefined): Promise<void> {
    try {
      const now = await this.read('finishSecret', this.token);
      const old = await this.read('finishSecret', versionId);
      const prev = previous ? await this.read('finishSecret', previous) : undefined;
      if (old.token === now.token || old.token === prev?.token) {
        this.log(`finishSecret ${this.secretId}: version ${versionId} holds the same token as a version still in use; it stays active`);
        return;
      }
      const { hub } = await this.hub('finishSecret', { username: now.username!, token: now.token! });
      const held = await this.tokenOf(hub, versionId);
      if (!held) {
        this.log(`finishSecret ${this.secretId}: the token of version ${versionId} is not identified in Docker Hub (no id or unique label recorded), so it was left active`);
        return;
      }
      if (held.isActive) await hub.api.setActive(hub.owner, held.id, false);
      // As retire records it: the version's token is inactive now.
      await this.recordMeta(undefined, factsFrom(held, { ...hubFactsOf(this.info, versionId), state: 'inactive', stateAt: new Date().toISOString() }), versionId);
      const retired = (this.info.tags[RETIRED_TAG] ?? '').split(' ').filter(Boolean);
      if (!retired.includes(held.id)) await this.setRetired([...retired, held.id].slice(-6));
      this.log(`finishSecret ${this.secretId}: deactivated token ${held.id} of version ${versionId} (before AWSPREVIOUS); the current and previous tokens stay active`);
    } catch (e) {
      // The rotation itself is done (a retry would find the version current and stop), so this never fails the step: AWSCURRENT moved. The old token stays active, and the log says so.
      this.log(`finishSecret ${this.secretId}: the token of version ${versionId} could not be deactivated (${causeOf(e)}); it stays active`);
    }
  }
}

export { REPOSITORY_TAG };
