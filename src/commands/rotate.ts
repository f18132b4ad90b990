import { CliError, ExitCode, cancelled, usageError } from '../errors.js';
import { askSecretId, commandLine, openStore, type Context } from '../context.js';
import type { SecretStore } from '../aws/store.js';
import { checkCredentialValue, age, formatDate, type ValueCheck } from '../flows/check.js';
import { collectCredentials } from '../flows/collect.js';
import { validateAgainstHub, type HubReport } from '../flows/validate.js';
import { agentHelperCommand, agentLoginCommand, buildValue } from '../flows/store.js';
import { aliasDrift, assertConsumerRules, declaredConsumers, handOverSnippets } from '../flows/consumers.js';
import { inspectCurrent } from '../flows/inspect.js';
import { confirmOrYes } from '../flows/describe.js';
import { LIVE_PENDING_MS, StagedWrite, describePending, readBackAfterWrite, rotationInProgress } from '../flows/write.js';
import { askLifecycle, describeToken, expiryFacts, lifecycleFromFlags, metaOf, recordMeta, type LifecycleFlags, type TokenMeta } from '../flows/lifecycle.js';
import { validateWithRecovery } from '../flows/recover.js';
import { sameSecret } from '../ui/redact.js';
import type { Credentials } from '../hub/registry.js';

interface RotateOptions extends LifecycleFlags {
  tokenStdin?: boolean;
  resume?: boolean;
  discardPending?: boolean;
}

type PendingChoice = 'resume' | 'discard' | 'leave';

/** What to do with an AWSPENDING found at the start: another run's rotation in progress, or a stray one to finish or drop. */
async function resolvePending(ctx: Context, store: SecretStore, pendingId: string, current: ValueCheck, o: RotateOptions): Promise<'resume' | 'fresh'> {
  const pending = await describePending(store, pendingId, current);
  const live = pending.ageMs < LIVE_PENDING_MS;
  if (live && !o.resume && !o.discardPending) {
    throw rotationInProgress(ctx, store.secretId, pendingId, pending.ageMs);
  }
  ctx.out.warn(`AWSPENDING (version ${pendingId}) holds ${pending.summary}: ${live ? 'possibly another rotation still running' : 'an earlier rotation did not finish'}.`);
  let choice: PendingChoice | undefined = o.resume ? 'resume' : o.discardPending ? 'discard' : undefined;
  if (choice === 'resume' && !ctx.prompter.interactive && !ctx.settings.yes) {
    throw usageError('--resume promotes the pending value, which needs a confirmation: no answer without a terminal.', 'Add --yes.');
  }
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
    return 'fresh';
  }
  return 'resume';
}

/**
 * `rotate`: validate the new token, stage it as AWSPENDING, read it back, then
 * move AWSCURRENT with RemoveFromVersionId as a compare-and-swap. Until that
 * last call succeeds CI keeps reading the old value; any failure before it
 * removes the stage this run created, and the run reports the state it read back.
 */
export async function rotate(ctx: Context, o: RotateOptions): Promise<number> {
  const { out, settings } = ctx;
  out.heading('dockerhub-credentials rotate');
  if (o.resume && o.discardPending) throw usageError('--resume and --discard-pending contradict each other.', 'Choose one of them.');
  const given = lifecycleFromFlags(o);
  const secretId = await askSecretId(ctx);
  // A consumer's rules are checked before anything else (exit 2, nothing written).
  assertConsumerRules(settings.consumers, secretId);
  const store = await openStore(ctx, secretId);

  // 1. Preflight: a valid current value to rotate from.
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
  const changed = info.lastChanged ?? created;
  out.ok(
    `Current: ${currentCheck.username}, token ${currentCheck.tokenLength} characters${changed ? `, changed ${formatDate(changed)} (${age(changed)})` : ''}`,
  );

  if (!pending && o.resume) {
    throw usageError(`Nothing is pending for ${secretId} (no AWSPENDING version), so there is nothing to resume.`, `Start a new rotation with ${commandLine(ctx, 'rotate', secretId)}`);
  }
  if (!pending && o.discardPending) out.info('  Nothing is pending, so there is nothing to discard; starting a new rotation.');
  const mode = pending ? await resolvePending(ctx, store, pending, currentCheck, o) : 'fresh';
  // A later failure or Ctrl-C must not say "nothing was changed" once a stray stage was dropped.
  const discarded = pending && mode === 'fresh' ? `the earlier AWSPENDING (version ${pending}) was discarded; ` : '';

  // 2-3. Collect and validate, exactly as setup does. Nothing is written before this passes.
  let creds!: Credentials;
  let repository = settings.repository;
  let validation!: HubReport;
  let stagedJson: string | undefined;
  let aliasKeys: string[] = [];
  let meta: TokenMeta = {};
  const write = new StagedWrite(ctx, store, currentId);
  try {
    if (mode === 'resume') {
      write.adopt(pending!);
      const staged = checkCredentialValue((await store.get({ versionId: pending! })).secretString);
      if (staged.problems.length) {
        throw new CliError('pending-invalid', `The pending value is not a valid credential: ${staged.problems.join(' ')}`, 'Run rotate --discard-pending.', ExitCode.Aws);
      }
      creds = { username: staged.username!, token: staged.token! };
      meta = metaOf(info, pending!);
      out.info('');
      out.heading('Validating the pending token against Docker Hub');
      validation = await validateAgainstHub(ctx, creds, repository);
      if (!(await confirmOrYes(ctx, `The pending token of ${creds.username} passed. Make it current (AWSCURRENT) now?`))) {
        throw new CliError('not-rotated', 'Left the pending value as it was; nothing was changed.', 'Run rotate again to resume or discard it.', ExitCode.Usage);
      }
    } else {
      const collected = await collectCredentials(ctx, { tokenStdin: Boolean(o.tokenStdin), defaultUsername: currentCheck.username ?? undefined, rotation: true });
      repository = collected.repository;
      out.info('');
      out.heading('Validating the new token against Docker Hub');
      ({ creds, validation } = await validateWithRecovery(ctx, collected.creds, repository));
      if (sameSecret(creds.token, currentCheck.token!)) {
        throw usageError('That is the token already stored.', 'Create a new token in Docker Hub and rotate to it.');
      }
      if (creds.username !== currentCheck.username) {
        // CI would pull and push as someone else from now on: say so, and ask.
        out.warn(`This rotation changes the account CI uses: from ${currentCheck.username} to ${creds.username}.`);
        if (!(await confirmOrYes(ctx, `Rotate to the token of ${creds.username}?`))) {
          throw new CliError('not-rotated', `Kept the token of ${currentCheck.username}.`, `To rotate within ${currentCheck.username}, use a token created by ${currentCheck.username}.`, ExitCode.Usage);
        }
      }
      meta = await askLifecycle(ctx, given, repository);
    }
    if (ctx.signal.aborted) throw cancelled();

    // 4. Stage: CI keeps reading AWSCURRENT.
    if (mode === 'fresh') {
      // Every alias (password, accessToken) is rewritten with the new token in this same version.
      const value = buildValue(currentCheck.parsed, creds, settings.consumers);
      stagedJson = value.json;
      aliasKeys = value.aliasKeys;
      await out.track('Staging the new value as AWSPENDING', () => write.stage(value.json), {
        done: (id) => `Staged as AWSPENDING (version ${id}); CI still reads the current value`,
        failed: 'Staging failed',
      });
      if (ctx.isCancelled()) throw cancelled();
    }

    // 5. Test the staged value: still staged, still ours, exactly what was validated, and AWSCURRENT not moved.
    const staged = await write.confirmStaged(creds, stagedJson);
    out.ok(`Read back AWSPENDING: ${staged.username}, token ${staged.tokenLength} characters, as validated`);

    // 6. Promote, as a compare-and-swap against the version read in step 1.
    await out.track('Promoting AWSPENDING to AWSCURRENT', () => write.promote(), {
      done: () => `AWSCURRENT is now version ${write.versionId}; the old value is AWSPREVIOUS`,
      failed: 'Promotion failed',
    });
  } catch (e) {
    // Undefined: the stages show the promotion went through after all; carry on and report it.
    const failure = await write.failure(e, discarded);
    if (failure) throw failure;
  }

  const stagedId = write.versionId!;
  await write.unstageOrWarn();
  const rollbackLine = commandLine(ctx, 'rollback', secretId);
  if (ctx.isCancelled()) throw cancelled(`the new value was already stored as AWSCURRENT (version ${stagedId}); to undo: ${rollbackLine}`);
  await recordMeta(ctx, store, info, stagedId, meta);

  // 7. Verify and hand over.
  const after = await readBackAfterWrite(ctx, store, 'Rotated', `the new value is AWSCURRENT (version ${stagedId}), confirmed by Secrets Manager; to undo: ${rollbackLine}`);
  const drift = aliasDrift(after.check);
  const ok = after.check.problems.length === 0 && drift.length === 0 && after.currentVersionId === stagedId && sameSecret(after.check.token ?? '', creds.token);
  if (settings.json) {
    out.json({
      ok,
      secretId,
      arn: after.info.arn,
      currentVersionId: after.currentVersionId,
      previousVersionId: currentId,
      username: after.check.username,
      tokenLength: after.check.tokenLength,
      resumed: mode === 'resume',
      consumers: settings.consumers,
      aliasKeys,
      validation,
      // The token to revoke in Docker Hub once CI has used the new one.
      oldToken: { username: currentCheck.username, label: metaOf(info, currentId).label ?? null, storedAt: created?.toISOString() ?? null, expiresAt: expiryFacts(metaOf(info, currentId), 0).expiresAt },
      problems: [...after.check.problems, ...drift],
    });
    return ok ? ExitCode.Ok : ExitCode.Aws;
  }
  const c = out.out;
  const old = metaOf(info, currentId);
  out.data('');
  out.data(`${ok ? c.green('✓') : c.red('✗')} ${c.bold('Rotated.')} CI now reads the new token (${after.check.username}, ${after.check.tokenLength} characters).`);
  out.data(`  The previous value is kept as AWSPREVIOUS. To restore it: ${rollbackLine}`);
  out.data('');
  out.data(`  The old token to revoke in Docker Hub: ${currentCheck.username}, ${describeToken(old)}, stored ${created ? formatDate(created) : 'at an unknown time'}.`);
  out.data('  Revoke it only after CI has used the new one (check a pipeline run), at');
  out.data('  https://app.docker.com/settings/personal-access-tokens (a PAT cannot manage other tokens).');
  if (!old.label) out.data('  Its label was not recorded: Docker Hub lists tokens with their last-used dates; it is the one CI stops using now.');
  if (aliasKeys.length) out.data(`  Also rewritten with the new token: ${aliasKeys.join(', ')}.`);
  for (const p of drift) out.data(`  ${c.red('✗')} ${p}`);
  out.data(`  CI jobs log in with: ${agentLoginCommand(after.info.arn, settings.region)}`);
  out.data(`  or let docker read the secret itself: ${agentHelperCommand(after.info.arn, settings.region)}`);
  for (const line of handOverSnippets(settings.consumers, { arn: after.info.arn, name: after.info.name, region: settings.region, secretId })) out.data(`  ${line}`);
  return ok ? ExitCode.Ok : ExitCode.Aws;
}
