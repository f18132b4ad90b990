import { CliError, ExitCode, cancelled, isCancellation, usageError } from '../errors.js';
import { askSecretId, commandLine, openStore } from '../flows/secret-id.js';
import type { Context } from '../context.js';
import type { SecretStore } from '../aws/store.js';
import { CURRENT, PENDING, versionWithStage, type SecretInfo } from '../domain/secret.js';
import { checkCredentialValue, age, formatDate, type ValueCheck } from '../domain/value.js';
import { collectCredentials } from '../flows/collect.js';
import { validateAgainstHub, type HubReport } from '../flows/validate.js';
import { agentHelperCommand, agentLoginCommand, buildValue } from '../domain/write-value.js';
import { CONSUMERS, aliasDrift, aliasFor, aliasRepairs, assertConsumerRules, declaredConsumers, handOverSnippets, recordedConsumers } from '../domain/consumers.js';
import { inspectCurrent } from '../flows/inspect.js';
import { confirmOrYes } from '../flows/describe.js';
import { LIVE_PENDING_MS, StagedWrite, concurrentChange, describePending, readBackAfterWrite, recordConsumers, rotationInProgress } from '../flows/write.js';
import {
  accessDrops,
  assertNewLabel,
  describeToken,
  expiryFacts,
  lifecycleFromFlags,
  metaOf,
  recordedLabels,
  rememberedRepository,
  REPOSITORY_TAG,
  sameLabel,
  sharingLabel,
  suggestLabel,
  type LifecycleFlags,
  type TokenMeta,
} from '../domain/lifecycle.js';
import { askLifecycle, confirmAccessDrops, recordMeta } from '../flows/lifecycle.js';
import { OAT_PLACE, PAT_PAGE } from '../domain/docker-hub.js';
import { tokenKind } from '../domain/tokens.js';
import { validateWithRecovery } from '../flows/recover.js';
import { handToRotationFunction } from '../flows/run-function.js';
import { sameSecret } from '../ui/redact.js';
import type { Credentials } from '../domain/tokens.js';
import { createToken, undoCreated, type Created } from '../flows/create.js';
import { hubFactsJson, hubFactsOf, recordHubFacts } from '../flows/hub-facts.js';
import { hubSignIn, type SignInFlags } from '../flows/signin.js';
import type { TokenOwner } from '../hub/manage.js';
import { renderWarning } from '../ui/render.js';
import { printable } from '../ui/redact.js';

interface RotateOptions extends LifecycleFlags, SignInFlags {
  tokenStdin?: boolean;
  resume?: boolean;
  discardPending?: boolean;
  sameToken?: boolean;
  force?: boolean;
  yes?: boolean;
}

type PendingChoice = 'resume' | 'discard' | 'leave';

/** 2. Resolve a pending stage: what to do with an AWSPENDING found at the start, another run's rotation in progress, or a stray one to finish or drop. */
async function resolvePending(ctx: Context, store: SecretStore, pendingId: string, current: ValueCheck, o: RotateOptions): Promise<'resume' | 'fresh' | 'discarded'> {
  const pending = await describePending(store, pendingId, current, ctx.clock());
  const live = pending.ageMs < LIVE_PENDING_MS;
  if (live && !o.resume && !o.discardPending) {
    throw rotationInProgress(ctx, store.secretId, pendingId, pending.ageMs);
  }
  ctx.out.warn(`AWSPENDING (version ${pendingId}) holds ${pending.summary}: ${live ? 'possibly another rotation still running' : 'an earlier rotation did not finish'}.`);
  let choice: PendingChoice | undefined = o.resume ? 'resume' : o.discardPending ? 'discard' : undefined;
  if (!choice) {
    if (!ctx.prompter.interactive) {
      throw new CliError(
        'stray-pending',
        `${store.secretId} has an unfinished rotation (AWSPENDING on version ${pendingId}).`,
        'Run rotate --resume to validate and finish it, or rotate --discard-pending to drop it (add --yes without a terminal).',
        ExitCode.Aws,
      );
    }
    choice = await ctx.prompter.select<PendingChoice>({
      message: 'What should happen to it?',
      choices: [
        { name: 'Resume: validate the pending token, then make it current (asks first)', value: 'resume' },
        { name: 'Discard it and start a new rotation', value: 'discard' },
        { name: 'Leave it as it is and stop', value: 'leave' },
      ],
      default: 'leave',
      flag: '--resume or --discard-pending',
    });
    if (choice === 'leave') throw new CliError('not-rotated', 'Left the pending value as it was; nothing was changed.', 'Run rotate again to resume or discard it.', ExitCode.Usage);
  } else if (choice === 'discard' && !(await confirmOrYes(ctx, 'Discard the pending value?'))) {
    throw new CliError('not-rotated', 'Nothing was changed.', undefined, ExitCode.Usage);
  }
  if (choice === 'discard') {
    const discard = new StagedWrite(ctx, store, undefined);
    discard.adopt(pendingId);
    if (!(await discard.unstage())) {
      throw new CliError('discard-failed', `AWSPENDING could not be removed from version ${pendingId}.`, `Run ${commandLine(ctx, 'verify', store.secretId)} to see the state, then try again.`, ExitCode.Transient);
    }
    ctx.out.ok(`Removed AWSPENDING from version ${pendingId}`);
    await deleteCreatedPending(ctx, store, pendingId, current, o);
    // --discard-pending drops the stage and ends (README, --help); the menu's "Discard it and start a new rotation" goes on.
    return o.discardPending ? 'discarded' : 'fresh';
  }
  return 'resume';
}

/**
 * A discarded stage whose token this tool created (its `dockerhub-credentials:hub:<version>` facts say so, as
 * the rotation function's createSecret records them) leaves that token active in Docker Hub with nothing
 * storing it. It is deleted with the sign-in of --create (asked first at a terminal), the deletion read
 * back and said; without a way to sign in, or when it fails, the token is named for deletion by hand.
 */
async function deleteCreatedPending(ctx: Context, store: SecretStore, pendingId: string, current: ValueCheck, o: RotateOptions): Promise<void> {
  const info = await store.describeLive();
  const facts = hubFactsOf(info, pendingId);
  if (!facts?.created || facts.state === 'deleted') return;
  const staged = checkCredentialValue((await store.get({ versionId: pendingId })).secretString);
  // The token CI uses is never deleted here, whatever a tag says.
  if (!staged.token || !staged.username || (current.token && sameSecret(staged.token, current.token)) || facts.id === hubFactsOf(info, versionWithStage(info, CURRENT) ?? '')?.id) return;
  const owner: TokenOwner = facts.kind === 'oat' ? { kind: 'oat', org: facts.org ?? staged.username } : { kind: 'pat' };
  const where = owner.kind === 'pat' ? PAT_PAGE : OAT_PLACE;
  const name = `"${printable(metaOf(info, pendingId).label ?? '(label not recorded)')}" (id ${facts.id})`;
  const byHand = `delete it by hand at ${where}`;
  ctx.out.info(`  The discarded value held a token this tool created, ${name}: nothing stores it now.`);
  if (!ctx.password && !o.adminSecretId && !ctx.prompter.interactive) {
    ctx.out.warn(`The token ${name} is still active in Docker Hub: no password was given to delete it (DOCKERHUB_PASSWORD, --password-stdin or --admin-secret-id); ${byHand}.`);
    return;
  }
  if (ctx.prompter.interactive && !ctx.password && !o.adminSecretId && !(o.yes ?? ctx.settings.yes) && !(await ctx.prompter.confirm({ message: `Delete ${name} in Docker Hub (it needs the account's password)?`, default: true, flag: '--yes' }))) {
    ctx.out.warn(`The token ${name} is still active in Docker Hub; ${byHand}.`);
    return;
  }
  try {
    const client = await hubSignIn(ctx, o, { kind: owner.kind, account: owner.kind === 'oat' ? owner.org : staged.username, purpose: 'to delete the token the discarded value held' });
    const gone = await client.deleteToken(owner, facts.id);
    if (!gone) {
      ctx.out.warn(`Docker Hub still lists ${name} after deleting it; ${byHand}.`);
      return;
    }
    await recordHubFacts(ctx, store, info, pendingId, { ...facts, state: 'deleted', stateAt: new Date().toISOString() });
    ctx.out.ok(`Deleted ${name} in Docker Hub (read back: gone)`);
  } catch (e) {
    if (isCancellation(e)) throw e;
    renderWarning(ctx.out, `The token ${name} could not be deleted, so it is still active in Docker Hub; ${byHand}.`, e);
  }
}

/** rotate --discard-pending, done: the stages read back show AWSPENDING gone and AWSCURRENT where it was. */
async function discardDone(ctx: Context, store: SecretStore, pendingId: string, currentId: string): Promise<number> {
  const info = await store.describeLive();
  const pendingNow = versionWithStage(info, PENDING);
  const currentNow = versionWithStage(info, CURRENT);
  if (pendingNow) {
    throw concurrentChange(ctx, store.secretId, `AWSPENDING is on version ${pendingNow} again, staged by another run after this one removed it from version ${pendingId}`, `AWSCURRENT is version ${currentNow ?? '(none)'}`);
  }
  if (ctx.settings.json) {
    ctx.out.json({ ok: true, secretId: store.secretId, discardedVersionId: pendingId, currentVersionId: currentNow ?? null, written: false });
  } else {
    ctx.out.data('');
    ctx.out.data(`${ctx.out.out.green('✓')} ${ctx.out.out.bold('Discarded.')} ${store.secretId} has no AWSPENDING stage now (it was on version ${pendingId}); ${currentNow === currentId ? `AWSCURRENT unchanged (version ${currentId})` : `AWSCURRENT is version ${currentNow ?? '(none)'}, set by another run`}.`);
    ctx.out.info(`  To rotate to a new token: ${commandLine(ctx, 'rotate', store.secretId)}`);
  }
  return ExitCode.Ok;
}


/** What the preflight read: the secret, its current value, and the record the new token is measured against. */
interface Preflight {
  secretId: string;
  store: SecretStore;
  info: SecretInfo;
  currentId: string;
  currentCheck: ValueCheck;
  /** When AWSCURRENT's version was written. */
  created?: Date;
  pending?: string;
  /** The expiry and label the flags give. */
  given: TokenMeta;
  /** The current token's record: its label (the new one must differ), access level and push check. */
  oldMeta: TokenMeta;
  /** The repository CI pushes to, as the last setup or rotation recorded it. */
  remembered?: string;
  labels: { suggestion: string; current?: string };
}

/** The token this run makes current, validated, with its record. */
interface Chosen {
  creds: Credentials;
  validation: HubReport;
  meta: TokenMeta;
  /** The stored token written again with the alias keys the consumers need (--same-token): no token changes hands. */
  repairing: boolean;
  /** The token this run created (--create). */
  made?: Created;
  /** The remembered repository was cleared at a terminal, and the run confirmed going on without the push check: it is forgotten. */
  forgetRepository: boolean;
}

/**
 * `rotate`: validate the new token, stage it as AWSPENDING, read it back, then
 * move AWSCURRENT with RemoveFromVersionId as a compare-and-swap. Until that
 * last call succeeds CI keeps reading the old value; any failure before it
 * removes the stage this run created, and the run reports the state it read back.
 */
export async function rotate(ctx: Context, o: RotateOptions): Promise<number> {
  const p = await preflight(ctx, o);
  // A rotation function in charge: run it (RotateSecret) rather than race it; --force rotates by hand.
  if (!o.sameToken && !o.resume && !o.discardPending) {
    const handled = await handToRotationFunction(ctx, p.store, p.info, { force: o.force, yes: o.yes ?? ctx.settings.yes, tokenGiven: ctx.supplied !== undefined, pending: p.pending });
    if (handled !== undefined) return handled;
  }
  const resolved = p.pending ? await resolvePending(ctx, p.store, p.pending, p.currentCheck, o) : 'fresh';
  if (resolved === 'discarded') return discardDone(ctx, p.store, p.pending!, p.currentId);
  const mode = resolved;
  // A later failure or Ctrl-C must not say "nothing was changed" once a stray stage was dropped.
  const discarded = p.pending && mode === 'fresh' ? `the earlier AWSPENDING (version ${p.pending}) was discarded; ` : '';
  // A re-run with the token already stored is not a second token under one label.
  // --same-token keeps the token, so its label is its own: no must-differ check.
  if (!o.sameToken && (!ctx.supplied || !sameSecret(ctx.supplied.value, p.currentCheck.token!))) assertNewLabel(p.given, p.oldMeta.label, p.labels.suggestion);
  const write = new StagedWrite(ctx, p.store, p.currentId);
  let chosen!: Chosen;
  let value: ReturnType<typeof buildValue> | undefined;
  /** The token this run created (--create): deleted again if the rotation does not go through. */
  const made: { token?: Created } = {};
  try {
    const collected = await collectOrAdopt(ctx, p, mode, o, write, discarded, made);
    if (typeof collected === 'number') return collected;
    chosen = collected;
    // Every alias (password, accessToken) is rewritten with the new token in this same version.
    if (mode === 'fresh') value = buildValue(p.currentCheck.parsed, chosen.creds, ctx.settings.consumers);
    await replace(ctx, write, chosen.creds, value);
  } catch (e) {
    // Undefined: the stages show the promotion went through after all; carry on and report it.
    const failure = await write.failure(e, discarded);
    // Not promoted: a token this run created is deleted again, and the failure says so.
    if (failure) throw await undoCreated(ctx, made.token, failure);
  }
  const stagedId = await settle(ctx, p, write, chosen);
  return handOver(ctx, p, mode, chosen, stagedId, value?.aliasKeys ?? [], signInFlagsOf(o));
}

/** 1. Preflight: the flags agree, and there is a valid current value to rotate from. */
async function preflight(ctx: Context, o: RotateOptions): Promise<Preflight> {
  const { out, settings } = ctx;
  out.heading('dockerhub-credentials rotate');
  if (o.resume && o.discardPending) throw usageError('--resume and --discard-pending contradict each other.', 'Choose one of them.');
  if (o.sameToken && (o.resume || o.discardPending)) throw usageError('--same-token rewrites the current value; it cannot be combined with --resume or --discard-pending.', 'Choose one of them.');
  if (o.create && (o.sameToken || o.resume)) throw usageError('--create makes a new token; it cannot be combined with --same-token or --resume.', 'Choose one of them.');
  if (o.sameToken && o.tokenStdin) throw usageError('--same-token keeps the stored token, so no token is read: --token-stdin contradicts it.', 'Drop --token-stdin, or drop --same-token to rotate to the piped token.');
  const given = lifecycleFromFlags(o);
  const secretId = await askSecretId(ctx);
  // A consumer's rules are checked before anything else (exit 2, nothing written).
  assertConsumerRules(settings.consumers, secretId);
  const store = await openStore(ctx, secretId);

  const { info, currentVersionId: currentId, check: currentCheck, created, pendingVersionId: pending } = await inspectCurrent(ctx, store);
  settings.consumers = declaredConsumers(settings.consumers, info.tags);
  if (currentCheck.problems.length) {
    throw new CliError(
      'current-invalid',
      `The current value of ${secretId} is not a valid credential: ${currentCheck.problems.join(' ')}`,
      `There is nothing safe to rotate from; store a token with ${commandLine(ctx, 'setup', secretId)}`,
      ExitCode.Aws,
    );
  }
  // When AWSCURRENT's version was written: LastChangedDate also moves when only a stage is written.
  const changed = created ?? info.lastChanged;
  out.ok(
    `Current: ${currentCheck.username}, token ${currentCheck.tokenLength} characters${changed ? `, changed ${formatDate(changed)} (${age(changed)})` : ''}`,
  );

  if (!pending && o.resume) {
    throw usageError(`Nothing is pending for ${secretId} (no AWSPENDING version), so there is nothing to resume.`, `Start a new rotation with ${commandLine(ctx, 'rotate', secretId)}`);
  }
  if (!pending && o.discardPending) {
    throw usageError(`Nothing is pending for ${secretId} (no AWSPENDING version), so there is nothing to discard.`, `Start a new rotation with ${commandLine(ctx, 'rotate', secretId)}`);
  }
  const oldMeta = metaOf(info, currentId);
  const remembered = rememberedRepository(info);
  const suggestion = suggestLabel(settings.repository ?? remembered, recordedLabels(info).values(), ctx.clock());
  return { secretId, store, info, currentId, currentCheck, created, pending, given, oldMeta, remembered, labels: { suggestion, current: oldMeta.label } };
}

/**
 * 3. Collect a new token (or take the stored one, --same-token) or adopt the pending
 * one (--resume), and validate it, exactly as setup does. Nothing is written before
 * this passes. A number: the run ended here (the token is already current).
 */
async function collectOrAdopt(ctx: Context, p: Preflight, mode: 'resume' | 'fresh', o: RotateOptions, write: StagedWrite, discarded: string, made: { token?: Created }): Promise<Chosen | number> {
  const { out, settings } = ctx;
  const { secretId, store, info, currentId, currentCheck, given, oldMeta, remembered, labels } = p;
  let creds!: Credentials;
  let repository = settings.repository ?? remembered;
  let validation!: HubReport;
  let meta: TokenMeta = {};
  let repairing = false;
  // The same guard for a new token and for a pending one (--resume): a change of account is said and asked about.
  let confirmedFor = currentCheck.username!;
  const confirmAccount = async (username: string) => {
    if (username === confirmedFor) return;
    // CI would pull and push as someone else from now on: say so, and ask.
    out.warn(`This rotation changes the account CI uses: from ${currentCheck.username} to ${username}.`);
    if (!(await confirmOrYes(ctx, `Rotate to the token of ${username}?`))) {
      throw new CliError('not-rotated', `Kept the token of ${currentCheck.username}.`, `To rotate within ${currentCheck.username}, use a token created by ${currentCheck.username}.`, ExitCode.Usage);
    }
    confirmedFor = username;
  };
  if (mode === 'resume') {
    const pending = p.pending!;
    write.adopt(pending);
    const staged = checkCredentialValue((await store.get({ versionId: pending })).secretString);
    if (staged.problems.length) {
      throw new CliError('pending-invalid', `The pending value is not a valid credential: ${staged.problems.join(' ')}`, 'Run rotate --discard-pending.', ExitCode.Aws);
    }
    const lacking = settings.consumers.filter((c) => !(aliasFor(c) in (staged.parsed ?? {})));
    if (lacking.length) {
      throw new CliError(
        'pending-lacks-alias',
        `The pending value lacks ${[...new Set(lacking.map((c) => `"${aliasFor(c)}"`))].join(' and ')}, which ${lacking.join(', ')} ${lacking.length === 1 ? 'reads' : 'read'}, so making it current would break ${lacking.length === 1 ? 'it' : 'them'}.`,
        `Nothing was changed. Run ${commandLine(ctx, 'rotate', secretId)} --discard-pending, then rotate again: the new value gets every key the consumers read.`,
        ExitCode.Aws,
      );
    }
    creds = { username: staged.username!, token: staged.token! };
    const pendingMeta = metaOf(info, pending);
    // The guards of a new token, before Docker Hub is asked: the account, and a label of its own.
    await confirmAccount(creds.username);
    let pendingLabel = given.label ?? pendingMeta.label;
    if (!sameSecret(creds.token, currentCheck.token!) && sameLabel(pendingLabel, oldMeta.label)) {
      // At a terminal the label question asks again (and refuses the current label); unattended it is refused.
      if (!ctx.prompter.interactive) assertNewLabel({ label: pendingLabel }, oldMeta.label, labels.suggestion);
      pendingLabel = undefined;
    }
    out.info('');
    out.heading('Validating the pending token against Docker Hub');
    validation = await validateAgainstHub(ctx, creds, repository);
    await confirmAccessDrops(ctx, accessDrops(oldMeta, remembered, validation));
    meta = await askLifecycle(ctx, { expires: given.expires ?? pendingMeta.expires, label: pendingLabel }, labels);
    if (!(await confirmOrYes(ctx, `The pending token of ${creds.username} passed. Make it current (AWSCURRENT) now?`))) {
      throw new CliError('not-rotated', 'Left the pending value as it was; nothing was changed.', 'Run rotate again to resume or discard it.', ExitCode.Usage);
    }
  } else {
    const stored: Credentials = { username: currentCheck.username!, token: currentCheck.token! };
    if (o.create) {
      // The same kind of token as the one replaced, with its scope (PAT) or its repositories and scopes (OAT), read from the API.
      made.token = await createToken(ctx, o, {
        kind: tokenKind(stored.token) === 'oat' ? 'oat' : 'pat',
        account: stored.username,
        repository,
        push: Boolean(oldMeta.push || repository),
        labels,
        given,
        replaced: { facts: hubFactsOf(info, currentId), meta: oldMeta, creds: stored, what: `AWSCURRENT (version ${currentId})` },
      });
    }
    const collected = o.sameToken
      ? { creds: stored, repository }
      : made.token
        ? { creds: made.token.creds, repository }
        : await collectCredentials(ctx, {
          tokenStdin: Boolean(o.tokenStdin),
          defaultUsername: currentCheck.username ?? undefined,
          rotation: true,
          labelSuggestion: labels.suggestion,
          defaultRepository: remembered,
        });
    repository = collected.repository;
    // Compared with the value read in the preflight, before anything is sent to Docker Hub.
    if (sameSecret(collected.creds.token, stored.token)) {
      if (collected.creds.username !== stored.username) {
        throw usageError(`That is the token already stored, for ${stored.username}.`, 'Create a new token in Docker Hub and rotate to it.');
      }
      const repairs = aliasRepairs(currentCheck, settings.consumers);
      if (!repairs.length) return await alreadyCurrent(ctx, store, currentId, stored.token, discarded, o.sameToken ? given : undefined);
      if (!o.sameToken) {
        throw usageError(
          `That is the token already stored, but the value's ${repairs.map((k) => `"${k}"`).join(' and ')} must be added or rewritten for ${settings.consumers.join(', ') || 'the keys already there'}.`,
          `To rewrite the value without a new token: ${commandLine(ctx, 'rotate', secretId)} --same-token${settings.consumers.length ? ` --consumers ${settings.consumers.join(',')}` : ''}`,
        );
      }
      repairing = true;
    }
    // A change of account is asked about before Docker Hub is asked, and again if recovery changed it.
    await confirmAccount(collected.creds.username);
    out.info('');
    if (repairing) {
      out.heading('Validating the stored token against Docker Hub');
      creds = stored;
      validation = await validateAgainstHub(ctx, creds, repository);
      // The token stays, so its expiry and label do too, unless the flags give them.
      meta = keptMeta(metaOf(info, currentId), given);
    } else {
      out.heading('Validating the new token against Docker Hub');
      // A created token's refused push offers the *What now?* choices too; if the run ends, the token is deleted.
      ({ creds, validation, repository } = await validateWithRecovery(ctx, collected.creds, repository, { created: Boolean(made.token) }));
      if (sameSecret(creds.token, stored.token)) {
        throw usageError('That is the token already stored.', 'Create a new token in Docker Hub and rotate to it.');
      }
      if (creds.username !== stored.username) await confirmAccount(creds.username);
      await confirmAccessDrops(ctx, accessDrops(oldMeta, remembered, validation));
      meta = made.token ? made.token.meta : await askLifecycle(ctx, given, labels);
    }
  }
  meta = { ...meta, access: validation.accessLevel ?? undefined, push: validation.push === 'granted' };
  if (ctx.signal.aborted) throw cancelled();
  // Only an answer cleared at a terminal forgets it (unattended, the remembered one is the answer).
  const forgetRepository = ctx.prompter.interactive && settings.repository === undefined && remembered !== undefined && !repository;
  return { creds, validation, meta, repairing, made: made.token, forgetRepository };
}

/**
 * 4. Replace: stage (CI keeps reading AWSCURRENT), read the stage back (still staged, still
 * ours, exactly what was validated, AWSCURRENT not moved), then promote as a compare-and-swap
 * against the version the preflight read. `value` is undefined for a pending value adopted.
 */
async function replace(ctx: Context, write: StagedWrite, creds: Credentials, value: { json: string } | undefined): Promise<void> {
  const { out } = ctx;
  if (value) {
    await out.track('Staging the new value as AWSPENDING', () => write.stage(value.json), {
      done: (id) => `Staged as AWSPENDING (version ${id}); CI still reads the current value`,
      failed: 'Staging failed',
    });
    if (ctx.isCancelled()) throw cancelled();
  }
  const staged = await write.confirmStaged(creds, value?.json);
  out.ok(`Read back AWSPENDING: ${staged.username}, token ${staged.tokenLength} characters, as validated`);
  await out.track('Promoting AWSPENDING to AWSCURRENT', () => write.promote(), {
    done: () => `AWSCURRENT is now version ${write.versionId}; the old value is AWSPREVIOUS`,
    failed: 'Promotion failed',
  });
}

/** After the promotion: the stage removed, and the new version's record and the consumers written. */
async function settle(ctx: Context, p: Preflight, write: StagedWrite, chosen: Chosen): Promise<string> {
  const { settings } = ctx;
  const stagedId = write.versionId!;
  await write.unstageOrWarn();
  if (ctx.isCancelled()) throw cancelled(`the new value was already stored as AWSCURRENT (version ${stagedId}); to undo: ${commandLine(ctx, 'rollback', p.secretId)}`);
  // The username too, as setup records it: status shows it without reading the value (the second stranger saw
  // "username: not recorded" after every rotation).
  await recordMeta(ctx, p.store, p.info, stagedId, { ...chosen.meta, username: chosen.creds.username }, chosen.forgetRepository ? null : (chosen.validation.repository ?? undefined));
  if (chosen.made) await recordHubFacts(ctx, p.store, p.info, stagedId, { ...chosen.made.facts, promotedAt: new Date().toISOString() });
  // Added to those recorded: the keys already there keep serving them.
  if (settings.consumers.length) await recordConsumers(ctx, p.store, CONSUMERS.filter((c) => settings.consumers.includes(c) || recordedConsumers(p.info.tags)?.includes(c)));
  return stagedId;
}

/** What a rotation did, as --json prints it; the text says the same. */
interface RotateResult {
  ok: boolean;
  secretId: string;
  arn: string;
  written: true;
  alreadyCurrent: false;
  sameToken: boolean;
  currentVersionId: string;
  previousVersionId: string;
  username: string | null;
  tokenLength: number | null;
  resumed: boolean;
  consumers: string[];
  aliasKeys: string[];
  expiresAt: string | null;
  label: string | null;
  validation: HubReport;
  /** The token this run created (--create), as Docker Hub answered; and the command that retires the old one. */
  hubToken: (NonNullable<ReturnType<typeof hubFactsJson>> & { label: string }) | null;
  retireCommand: string | null;
  /** The token to revoke in Docker Hub once CI has used the new one (none when the token stayed). */
  oldToken: { username: string | null; label: string | null; storedAt: string | null; expiresAt: string | null; sharesLabelWith: string[] } | null;
  problems: string[];
}

/**
 * 5. Hand over: only once this run's version is read back as AWSCURRENT (readBackAfterWrite):
 * one result, rendered as --json or as text.
 */
async function handOver(ctx: Context, p: Preflight, mode: 'resume' | 'fresh', chosen: Chosen, stagedId: string, aliasKeys: string[], signInFlags = ''): Promise<number> {
  const { settings } = ctx;
  const { secretId, store, info, currentId, currentCheck, created, oldMeta: old } = p;
  const { creds, meta, repairing } = chosen;
  const rollbackLine = commandLine(ctx, 'rollback', secretId);
  const after = await readBackAfterWrite(ctx, store, repairing ? 'Rewritten' : 'Rotated', `the new value is AWSCURRENT (version ${stagedId}), confirmed by Secrets Manager; to undo: ${rollbackLine}`, stagedId);
  const drift = aliasDrift(after.check);
  // Versions that carry the old token's label too: "revoke it by its label" could then hit the wrong token,
  // unless they hold the old token itself (a --same-token rewrite): then there is one token to revoke.
  const { others, firstStored } = old.label && !repairing ? await otherTokensUnder(ctx, store, sharingLabel(info, currentId, old.label).filter((id) => id !== stagedId), currentCheck.token!, created) : { others: [], firstStored: created };
  const shared = old.label && !repairing ? [...others, ...(sameLabel(meta.label, old.label) ? [stagedId] : [])] : [];
  const ok = after.check.problems.length === 0 && drift.length === 0 && after.currentVersionId === stagedId && sameSecret(after.check.token ?? '', creds.token);
  const expiry = expiryFacts(meta, 0, ctx.clock());
  const result: RotateResult = {
    ok,
    secretId,
    arn: after.info.arn,
    written: true,
    alreadyCurrent: false,
    sameToken: repairing,
    currentVersionId: after.currentVersionId,
    previousVersionId: currentId,
    username: after.check.username,
    tokenLength: after.check.tokenLength,
    resumed: mode === 'resume',
    consumers: settings.consumers,
    aliasKeys,
    expiresAt: expiry.expiresAt,
    label: expiry.label,
    validation: chosen.validation,
    hubToken: chosen.made ? { ...hubFactsJson(chosen.made.facts)!, label: chosen.made.token.label } : null,
    retireCommand: chosen.made ? `${commandLine(ctx, 'retire', secretId)}${signInFlags}` : null,
    oldToken: repairing ? null : { username: currentCheck.username, label: old.label ?? null, storedAt: firstStored?.toISOString() ?? null, expiresAt: expiryFacts(old, 0, ctx.clock()).expiresAt, sharesLabelWith: shared },
    problems: [...after.check.problems, ...drift],
  };
  if (settings.json) ctx.out.json(result);
  else renderText(ctx, result, { old, drift, rollbackLine, oat: tokenKind(currentCheck.token!) === 'oat', name: after.info.name, stagedId, created: firstStored });
  // What the tags read back say, not what was asked: the tag gone, or how to remove it.
  if (chosen.forgetRepository && !settings.json) {
    const still = after.info.tags[REPOSITORY_TAG];
    if (still === undefined) ctx.out.info(`  ${p.remembered} is no longer remembered as the repository CI pushes to: later rotations skip the push check unless --repository is given.`);
    else ctx.out.warn(`${still} is still remembered as the repository CI pushes to (the tag could not be removed). Remove it with: aws secretsmanager untag-resource --secret-id ${after.info.arn} --tag-keys ${REPOSITORY_TAG}${settings.region ? ` --region ${settings.region}` : ''}`);
  }
  return ok ? ExitCode.Ok : ExitCode.Aws;
}

/**
 * Of the versions sharing the old token's label, those that hold another token (read by version id;
 * one that cannot be read counts as another token), and when the old token was first stored: the
 * earliest of AWSCURRENT's version and those holding the same token.
 */
async function otherTokensUnder(ctx: Context, store: SecretStore, ids: string[], oldToken: string, created: Date | undefined): Promise<{ others: string[]; firstStored: Date | undefined }> {
  const others: string[] = [];
  let firstStored = created;
  for (const id of ids) {
    try {
      const version = await store.get({ versionId: id });
      const token = checkCredentialValue(version.secretString).token;
      if (token === undefined || !sameSecret(token, oldToken)) {
        others.push(id);
        continue;
      }
      if (version.created && (!firstStored || version.created < firstStored)) firstStored = version.created;
    } catch (e) {
      if (isCancellation(e)) throw e;
      ctx.out.debug(`version ${id} could not be read, so it counts as another token under the label`);
      others.push(id);
    }
  }
  return { others, firstStored };
}

/** The result as text: the headline, what is kept, what to revoke, how CI logs in. */
function renderText(ctx: Context, r: RotateResult, facts: { old: TokenMeta; drift: string[]; rollbackLine: string; oat: boolean; name: string; stagedId: string; created?: Date }): void {
  const { out, settings } = ctx;
  const { old, drift, rollbackLine, oat } = facts;
  const c = out.out;
  out.data('');
  if (r.sameToken) {
    out.data(`${r.ok ? c.green('✓') : c.red('✗')} ${c.bold('Rewritten.')} The token is unchanged (${r.username}, ${r.tokenLength} characters); the value now also holds ${r.aliasKeys.join(', ')}.`);
    out.data(`  The previous value is kept as AWSPREVIOUS. To restore it: ${rollbackLine}`);
    out.data('  Nothing to revoke in Docker Hub: CI keeps using the same token.');
  } else {
    const shared = r.oldToken!.sharesLabelWith;
    out.data(`${r.ok ? c.green('✓') : c.red('✗')} ${c.bold('Rotated.')} CI now reads the new token (${r.username}, ${r.tokenLength} characters).`);
    out.data(`  The previous value is kept as AWSPREVIOUS. To restore it: ${rollbackLine}`);
    out.data('');
    if (r.retireCommand) {
      // The tool made the new token, so it can retire the old one: only once nothing uses it (retire checks its last use).
      out.data(`  The old token: ${r.oldToken!.username}, ${describeToken(old)}, stored ${facts.created ? formatDate(facts.created) : 'at an unknown time'}.`);
      out.data('  Retire it once CI has used the new one (check a pipeline run); retire checks that nothing used it since:');
      out.data(`  ${r.retireCommand}`);
    } else {
      out.data(`  The old token to revoke in Docker Hub: ${r.oldToken!.username}, ${describeToken(old)}, stored ${facts.created ? formatDate(facts.created) : 'at an unknown time'}.`);
      out.data('  Revoke it only after CI has used the new one (check a pipeline run), at');
      // An organization access token is managed in the organization's settings, not on the personal tokens page.
      out.data(oat ? `  ${OAT_PLACE} (an organization owner; an access token cannot manage other tokens).` : `  ${PAT_PAGE} (a PAT cannot manage other tokens).`);
    }
    if (shared.length) {
      const names = shared.map((id) => `version ${id}${id === facts.stagedId ? ', which CI now uses' : ''}`).join('; ');
      out.data(`  ${c.yellow('!')} ${shared.length + 1} versions share the label "${old.label}" (also ${names}): do not revoke by the label alone; pick the token CI stopped using by its last-used date in Docker Hub.`);
    }
    if (!old.label) {
      const why = old.invalid?.includes('label') ? 'Its recorded label is not valid, so it is not shown' : 'Its label was not recorded';
      out.data(`  ${why}: Docker Hub lists tokens with their last-used dates; it is the one CI stops using now.`);
    }
    if (r.aliasKeys.length) out.data(`  Also rewritten with the new token: ${r.aliasKeys.join(', ')}.`);
  }
  for (const p of drift) out.data(`  ${c.red('✗')} ${p}`);
  out.data(`  CI jobs log in with: ${agentLoginCommand(r.arn, settings.region)}`);
  out.data(`  or let docker read the secret itself: ${agentHelperCommand(r.arn, settings.region)}`);
  for (const line of handOverSnippets(settings.consumers, { arn: r.arn, name: facts.name, region: settings.region, secretId: r.secretId })) out.data(`  ${line}`);
}

/**
 * A re-run with the token that is already current (a CI job run again): nothing
 * to write. The stages are read again, so "already current" is what Secrets
 * Manager says now, not what it said at the start.
 */
async function alreadyCurrent(ctx: Context, store: SecretStore, currentId: string, token: string, discarded: string, sameToken: TokenMeta | undefined): Promise<number> {
  const { out, settings } = ctx;
  const now = await inspectCurrent(ctx, store);
  let nothing = `${discarded}nothing was written`;
  if (now.currentVersionId !== currentId || !sameSecret(now.check.token ?? '', token)) {
    throw concurrentChange(ctx, store.secretId, `AWSCURRENT moved to version ${now.currentVersionId} while this run compared the token with it`, nothing);
  }
  let recorded = metaOf(now.info, currentId);
  // --same-token with --label or an expiry: the value needs no new version, so they are recorded on the current one.
  if (sameToken && (sameToken.expires !== undefined || sameToken.label !== undefined)) {
    recorded = keptMeta(recorded, sameToken);
    await recordMeta(ctx, store, now.info, currentId, recorded);
    nothing += `; the given ${[sameToken.expires !== undefined && 'expiry', sameToken.label !== undefined && 'label'].filter(Boolean).join(' and ')} ${sameToken.expires !== undefined && sameToken.label !== undefined ? 'are' : 'is'} recorded for version ${currentId}`;
  }
  const expiry = expiryFacts(recorded, 0);
  if (settings.json) {
    out.json({
      ok: true,
      secretId: store.secretId,
      arn: now.info.arn,
      written: false,
      alreadyCurrent: true,
      sameToken: sameToken !== undefined,
      currentVersionId: currentId,
      username: now.check.username,
      tokenLength: now.check.tokenLength,
      resumed: false,
      consumers: settings.consumers,
      aliasKeys: [],
      expiresAt: expiry.expiresAt,
      label: expiry.label,
      problems: [],
    });
  } else {
    out.data('');
    out.data(`${out.out.green('✓')} ${out.out.bold('Already current.')} ${store.secretId} holds this token (${now.check.username}, ${now.check.tokenLength} characters, version ${currentId}); ${nothing}.`);
    if (ctx.prompter.interactive) out.info('  To rotate, create a new token in Docker Hub and give that one.');
  }
  return ExitCode.Ok;
}

/** The kept token's record, with the expiry and label the flags give (--same-token). */
function keptMeta(kept: TokenMeta, given: TokenMeta): TokenMeta {
  return { expires: given.expires ?? kept.expires, label: given.label ?? kept.label, access: kept.access, push: kept.push };
}

/** The sign-in options this run was given, for the retire line it prints (pasted unattended, it must sign in the same way). */
function signInFlagsOf(o: RotateOptions): string {
  const flags = o as { owner?: string; adminSecretId?: string; passwordStdin?: boolean };
  return [flags.owner ? ` --owner ${flags.owner}` : '', flags.adminSecretId ? ` --admin-secret-id ${flags.adminSecretId}` : '', flags.passwordStdin ? ' --password-stdin' : ''].join('');
}
