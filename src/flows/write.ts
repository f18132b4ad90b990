import { CliError, ExitCode, cancelled, isCancellation, isCliError, withState } from '../errors.js';
import { CURRENT, PENDING, versionWithStage, type SecretInfo } from '../domain/secret.js';
import { wasRefusedAtOnce, type SecretStore } from '../aws/store.js';
import { commandLine } from './secret-id.js';
import type { Context } from '../context.js';
import { checkCredentialValue, type ValueCheck } from '../domain/value.js';
import { describeValue } from './describe.js';
import { inspectCurrent, type Inspection } from './inspect.js';
import { CONSUMERS_TAG, aliasDrift, encodeConsumers, type Consumer } from '../domain/consumers.js';
import { newRequestToken } from '../domain/write-value.js';
import { sameSecret } from '../ui/redact.js';
import { renderWarning } from '../ui/render.js';
import type { Credentials } from '../domain/tokens.js';

// Every write to Secrets Manager goes through here. A write whose answer is an
// error (or no answer at all) is not taken at its word: the stages are read
// again with a fresh signal, and what they show is what the run reports. A
// failed compare-and-swap is recognised the same way, whatever the error text
// says (REFERENCE section 3: that text is not documented).

/** Another run changed the secret while this one worked: exit 5, try again after looking. */
export function concurrentChange(ctx: Context, secretId: string, what: string, state?: string): CliError {
  return new CliError(
    'concurrent-change',
    `Another run changed ${secretId} at the same time: ${what}.`,
    `See the state with ${commandLine(ctx, 'verify', secretId)}, then run the command again if it is still needed.`,
    ExitCode.Transient,
    state,
  );
}

/** The outcome of a write could not be read back: say exactly that, and how to look. */
export function unknownOutcome(ctx: Context, secretId: string, what: string, cause: unknown): CliError {
  return new CliError(
    'unknown-outcome',
    `${what} failed, and the state of ${secretId} could not be read back, so whether it went through is unknown.`,
    `Check it with ${commandLine(ctx, 'verify', secretId)} once AWS answers again.`,
    ExitCode.Transient,
    undefined,
    isCliError(cause) ? cause : undefined,
  );
}

/** How long an AWSPENDING stage counts as another run's rotation in progress rather than a stray one. */
export const LIVE_PENDING_MS = 10 * 60_000;

/** A stage found at the start: whose it may be, and what it holds (never a character of the token). */
export async function describePending(store: SecretStore, pendingId: string, current: ValueCheck, now = new Date()) {
  let version;
  try {
    version = await store.get({ versionId: pendingId });
  } catch (e) {
    // A version staged by RotateSecret whose createSecret never put a value (REFERENCE 10): labelled, but empty.
    if (!isCliError(e) || e.code !== 'secret-not-found') throw e;
    const check = checkCredentialValue('');
    return { check, created: undefined, ageMs: Infinity, summary: 'no value at all (a rotation function staged it, and its createSecret did not finish)' };
  }
  const check = checkCredentialValue(version.secretString);
  const ageMs = version.created ? now.getTime() - version.created.getTime() : Infinity;
  const same = check.token !== undefined && current.token !== undefined && sameSecret(check.token, current.token);
  return { check, created: version.created, ageMs, summary: `${describeValue(check, version.created)}${same ? '; the same token as AWSCURRENT' : ''}` };
}

/** An AWSPENDING staged minutes ago is probably another run's rotation still going: exit 5, not a stray stage. */
export function rotationInProgress(ctx: Context, secretId: string, pendingId: string, ageMs: number): CliError {
  return new CliError(
    'rotation-in-progress',
    `Another rotation of ${secretId} is in progress: a new value was staged ${Math.round(ageMs / 1000)} seconds ago (AWSPENDING, version ${pendingId}).`,
    `Wait for it to finish, then run ${commandLine(ctx, 'verify', secretId)}. If no other rotation is running, it was interrupted: run rotate --resume or rotate --discard-pending.`,
    ExitCode.Transient,
  );
}

/**
 * The read-back after a write Secrets Manager confirmed: the one policy of setup,
 * rotate and rollback. The run's outcome is what this read shows: this run's
 * version (`versionId`) is AWSCURRENT, and the caller may print its headline and
 * hand-over; another version is, and the run ends with concurrent-change (exit
 * 5) naming both, with no headline; or the read failed, and the error says the
 * write happened (`done`, e.g. "Rotated") and carries `state`, what it left.
 */
export async function readBackAfterWrite(ctx: Context, store: SecretStore, done: string, state: string, versionId: string): Promise<Inspection> {
  let after: Inspection;
  try {
    after = await inspectCurrent(ctx, store);
  } catch (e) {
    if (isCancellation(e)) throw cancelled(state);
    if (isCliError(e)) {
      throw new CliError('check-after-write-failed', `${done}, but reading ${store.secretId} back failed: ${e.message}`, `Check it with ${commandLine(ctx, 'verify', store.secretId)}`, ExitCode.Transient, state);
    }
    throw e;
  }
  if (after.currentVersionId !== versionId) {
    // Written later, or moved back by a rollback: either way another run moved AWSCURRENT after this one did.
    throw concurrentChange(
      ctx,
      store.secretId,
      `after this run made version ${versionId} current, another run made version ${after.currentVersionId} current`,
      `AWSCURRENT is version ${after.currentVersionId}, not this run's version ${versionId}`,
    );
  }
  return after;
}

/** Records who the value was written for (CONSUMERS_TAG); like the token's metadata, a failure is a warning only. */
export async function recordConsumers(ctx: Context, store: SecretStore, consumers: readonly Consumer[]): Promise<void> {
  try {
    await store.tag({ [CONSUMERS_TAG]: encodeConsumers(consumers) });
  } catch (e) {
    renderWarning(ctx.out, 'Who reads the secret could not be recorded; the next setup preselects from the keys instead.', e);
  }
}

/** Describes where AWSCURRENT is, relative to the version this run expected. */
export function currentSentence(info: SecretInfo, expected: string | undefined): string {
  const now = versionWithStage(info, CURRENT);
  if (now === expected) return expected ? `AWSCURRENT unchanged (version ${expected})` : 'the secret still has no value';
  return now ? `AWSCURRENT is version ${now}, set by another run` : 'the secret has no AWSCURRENT version';
}

/**
 * A new value made current by compare-and-swap: stage it as AWSPENDING (CI keeps
 * reading AWSCURRENT), read it back, move AWSCURRENT from the version seen at the
 * start, and remove the stage. The pattern of AWS's own rotation functions.
 */
export class StagedWrite {
  /** The version this run staged (its ClientRequestToken), or resumes. */
  versionId: string | undefined;
  /** This run created the stage, so undoing removes it; a resumed stage is left as it was found. */
  private ours = false;
  promoted = false;
  /**
   * Set once promote() has sent its move: only then may AWSCURRENT on this run's
   * version mean "the promotion went through after all". Before it, that reading
   * means another run made the version current (a resumed stage, or this run's stage
   * adopted by rotate --resume), and this run's own failure or decline stands.
   */
  private promoting = false;
  /** Set when promote()'s only attempt was refused while another run made the same version current. */
  private refused = false;
  /** Set by undo: AWSCURRENT was read back and is still the version the run started from. */
  private currentUnchanged = false;

  constructor(
    private readonly ctx: Context,
    private readonly store: SecretStore,
    /** AWSCURRENT when the run started (undefined: the secret had no value). */
    readonly fromId: string | undefined,
  ) {}

  get secretId(): string {
    return this.store.secretId;
  }

  /** Takes over a stage found in place (rotate --resume). */
  adopt(versionId: string): void {
    this.versionId = versionId;
    this.ours = false;
  }

  /** PutSecretValue as AWSPENDING, with one request token reused on every retry. */
  async stage(json: string): Promise<string> {
    const token = newRequestToken();
    this.versionId = token;
    try {
      await this.ctx.critical(() => this.store.put(json, token, [PENDING]));
      this.ours = true;
      return token;
    } catch (e) {
      const info = await this.store.settle();
      if (!info) throw unknownOutcome(this.ctx, this.secretId, 'Staging the new value', e);
      if (info.versions[token]?.includes(PENDING)) {
        this.ctx.out.debug('PutSecretValue failed, but the stages show it went through (the answer was lost)');
        this.ours = true;
        return token;
      }
      const exists = info.versions[token] !== undefined || (await this.store.versionExists(token));
      if (exists) {
        throw concurrentChange(this.ctx, this.secretId, `another value was staged as AWSPENDING (version ${versionWithStage(info, PENDING) ?? 'unknown'}) over this run's`, currentSentence(info, this.fromId));
      }
      if (isCliError(e)) throw withState(e, `nothing was written; ${currentSentence(info, this.fromId)}`);
      throw e;
    }
  }

  /**
   * The first value of a secret that has none: a plain PutSecretValue, which
   * makes it AWSCURRENT. (Moving AWSCURRENT onto a staged version needs no
   * compare-and-swap when no version holds it; moto cannot do that move, and
   * a plain put has the same effect.) Another first write racing this one is
   * seen in the stages.
   */
  async putFirst(json: string): Promise<string> {
    const token = newRequestToken();
    this.versionId = token;
    try {
      await this.ctx.critical(() => this.store.put(json, token));
    } catch (e) {
      const info = await this.store.settle();
      if (!info) throw unknownOutcome(this.ctx, this.secretId, 'Storing the value', e);
      if (!info.versions[token]?.includes(CURRENT)) {
        const exists = info.versions[token] !== undefined || (await this.store.versionExists(token));
        if (exists) throw concurrentChange(this.ctx, this.secretId, `another value became AWSCURRENT (version ${versionWithStage(info, CURRENT)}) right after this run's`);
        if (isCliError(e)) throw withState(e, `nothing was written; ${currentSentence(info, this.fromId)}`);
        throw e;
      }
      this.ctx.out.debug('PutSecretValue failed, but the stages show it went through (the answer was lost)');
    }
    this.promoted = true;
    return token;
  }

  /**
   * Reads the staged version back: still staged, still ours, and exactly what was
   * validated. With `expectedJson` (the value this run staged) the whole value must
   * match, aliases included; a resumed stage must at least keep its aliases equal to its token.
   */
  async confirmStaged(expected: Credentials, expectedJson?: string): Promise<ValueCheck> {
    const id = this.versionId!;
    const info = await this.store.describeLive();
    if (!info.versions[id]?.includes(PENDING)) {
      const holder = versionWithStage(info, PENDING);
      throw concurrentChange(
        this.ctx,
        this.secretId,
        holder ? `another value was staged as AWSPENDING (version ${holder}) over this run's` : "another run removed this run's AWSPENDING stage",
      );
    }
    const nowCurrent = versionWithStage(info, CURRENT);
    if (nowCurrent !== this.fromId) throw concurrentChange(this.ctx, this.secretId, `AWSCURRENT moved to version ${nowCurrent}`);
    const staged = (await this.store.get({ versionId: id })).secretString;
    const check = checkCredentialValue(staged);
    const sameValue = expectedJson === undefined ? aliasDrift(check).length === 0 : staged !== undefined && sameSecret(staged, expectedJson);
    if (check.problems.length || !sameSecret(check.token ?? '', expected.token) || check.username !== expected.username || !sameValue) {
      throw new CliError('staged-mismatch', 'The staged value differs from the token just validated.', 'Run the command again.', ExitCode.Unexpected);
    }
    return check;
  }

  /**
   * Moves AWSCURRENT to the staged version, with RemoveFromVersionId as the
   * compare-and-swap. On any error the stages decide: this run's version is
   * current (the answer was lost), another run moved the label (exit 5), or the
   * move did not happen (the error as it was).
   */
  async promote(): Promise<void> {
    const to = this.versionId!;
    this.promoting = true;
    try {
      await this.ctx.critical(() => this.store.moveStage(CURRENT, { to, from: this.fromId }));
    } catch (e) {
      const info = await this.store.settle();
      if (!info) throw unknownOutcome(this.ctx, this.secretId, 'Moving AWSCURRENT to the new value', e);
      const now = versionWithStage(info, CURRENT);
      if (now === to && !this.ours && wasRefusedAtOnce(e)) {
        // A version this run did not create (rollback's AWSPREVIOUS, a resumed stage) is current, but Secrets
        // Manager refused this run's only attempt (RemoveFromVersionId no longer held AWSCURRENT, REFERENCE 3):
        // another run made it current. Two rollbacks at once: one "Rolled back", the other exit 5 (stranger finding 14).
        this.refused = true;
        throw concurrentChange(this.ctx, this.secretId, `another run made version ${to} current first, so this run's move was refused`);
      } else if (now === to) {
        this.ctx.out.debug('UpdateSecretVersionStage failed, but the stages show AWSCURRENT moved (the answer was lost)');
      } else if (now !== this.fromId) {
        throw concurrentChange(this.ctx, this.secretId, `AWSCURRENT moved to version ${now ?? '(none)'} before this run could promote its value`);
      } else if (!info.versions[to]?.includes(PENDING) && this.ours) {
        throw concurrentChange(this.ctx, this.secretId, "another run removed this run's AWSPENDING stage");
      } else {
        throw e;
      }
    }
    this.promoted = true;
  }

  /** After promotion: removes the stage, or says it stayed (harmless on the current version). */
  async unstageOrWarn(): Promise<void> {
    if (!(await this.unstage())) this.ctx.out.warn(`AWSCURRENT moved, but AWSPENDING could not be removed from version ${this.versionId}; it is harmless.`);
  }

  /** Removes AWSPENDING from the staged version; true when the stages show it gone. */
  async unstage(): Promise<boolean> {
    const id = this.versionId;
    if (!id) return true;
    try {
      await this.ctx.critical(() => this.store.moveStage(PENDING, { from: id }));
      return true;
    } catch {
      const info = await this.store.settle();
      return info !== undefined && !info.versions[id]?.includes(PENDING);
    }
  }

  /**
   * After a failure or Ctrl-C before promotion: removes the stage this run
   * created, if it is still there, and returns the state as read back.
   */
  undo(): Promise<string> {
    // A second Ctrl-C waits for this: it is what leaves the secret as the run reports it.
    return this.ctx.critical(() => this.undoNow());
  }

  /**
   * For a failure or Ctrl-C before promotion: undoes this run's stage and returns
   * the error to throw, carrying the state read back (`before` says what the run
   * had already done). Undefined only when promote() was under way and the stages
   * show its move went through after all: the run then carries on and reports success.
   * A failure or decline before promote() is reported as it is, even when another
   * run has made the same version current meanwhile (the state says so).
   */
  async failure(e: unknown, before = ''): Promise<unknown> {
    if (this.promoted) return e;
    let state = `${before}${await this.undo()}`;
    if (this.promoted) return undefined;
    if (this.currentUnchanged && this.fromId) state += '; CI keeps reading the current token';
    if (isCancellation(e)) return cancelled(state);
    return isCliError(e) ? withState(e, state) : e;
  }

  private async undoNow(): Promise<string> {
    const info = await this.store.settle();
    if (!info) {
      return `the state of ${this.secretId} could not be read back; check it with ${commandLine(this.ctx, 'verify', this.secretId)}`;
    }
    const id = this.versionId;
    if (id && versionWithStage(info, CURRENT) === id) {
      if (!this.promoting || this.refused) {
        // Not this run's doing: it never asked for the move.
        return `AWSCURRENT is version ${id}, ${this.ours ? 'the value this run staged' : 'the value this run was to make current'}, made current by another run`;
      }
      this.promoted = true;
      return `the new value was already stored as AWSCURRENT (version ${id}); to undo: ${commandLine(this.ctx, 'rollback', this.secretId)}`;
    }
    const current = currentSentence(info, this.fromId);
    this.currentUnchanged = versionWithStage(info, CURRENT) === this.fromId;
    if (!id || !this.ours || !info.versions[id]?.includes(PENDING)) return current;
    return (await this.unstage())
      ? `AWSPENDING removed; ${current}`
      : `${current}, but this run's AWSPENDING (version ${id}) could not be removed; the next rotate will offer to resume or discard it`;
  }
}
