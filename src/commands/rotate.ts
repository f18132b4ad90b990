import { CliError, ExitCode, cancelled, usageError, isCliError } from '../errors.js';
import { askSecretId, commandLine, openStore, type Context } from '../context.js';
import { CURRENT, PENDING, versionWithStage, type SecretStore } from '../aws/store.js';
import { checkCredentialValue, age, formatDate } from '../flows/check.js';
import { collectCredentials } from '../flows/collect.js';
import { validateAgainstHub, type HubReport } from '../flows/validate.js';
import { buildValue, newRequestToken } from '../flows/store.js';
import { inspectCurrent } from '../flows/inspect.js';
import { confirmOrYes } from '../flows/describe.js';
import { sameSecret } from '../ui/redact.js';
import type { Credentials } from '../hub/registry.js';

interface RotateOptions {
  tokenStdin?: boolean;
  resume?: boolean;
  discardPending?: boolean;
}

function conflict(secretId: string, detail: string): CliError {
  return new CliError(
    'rotation-conflict',
    `Another rotation of ${secretId} ran at the same time (${detail}); this one stopped and AWSCURRENT is as the other left it.`,
    `Run npx dockerhub-credentials verify --secret-id ${secretId} to see the current state.`,
    ExitCode.Transient,
  );
}

/** What to do with a stray AWSPENDING: finish it, drop it, or stop. */
async function resolveStray(ctx: Context, store: SecretStore, pendingId: string, o: RotateOptions): Promise<'resume' | 'fresh'> {
  let choice: 'resume' | 'discard' | undefined = o.resume ? 'resume' : o.discardPending ? 'discard' : undefined;
  ctx.out.warn(`A stray AWSPENDING version (${pendingId}) exists: an earlier rotation did not finish.`);
  if (!choice) {
    if (!ctx.prompter.interactive) {
      throw new CliError(
        'stray-pending',
        `${store.secretId} has an unfinished rotation (AWSPENDING on version ${pendingId}).`,
        'Run rotate --resume to validate and finish it, or rotate --discard-pending to drop it (add --yes without a terminal).',
        ExitCode.Aws,
      );
    }
    choice = await ctx.prompter.select<'resume' | 'discard'>({
      message: 'What should happen to it?',
      choices: [
        { name: 'Resume: validate the pending token and make it current', value: 'resume' },
        { name: 'Discard it and start a new rotation', value: 'discard' },
      ],
      flag: '--resume or --discard-pending',
    });
  } else if (!(await confirmOrYes(ctx, choice === 'resume' ? 'Validate and promote the pending value?' : 'Discard the pending value?'))) {
    throw new CliError('not-rotated', 'Nothing was changed.', undefined, ExitCode.Usage);
  }
  if (choice === 'discard') {
    await ctx.critical(() => store.moveStage(PENDING, { from: pendingId }));
    ctx.out.ok(`Removed AWSPENDING from version ${pendingId}`);
    return 'fresh';
  }
  return 'resume';
}

/**
 * `rotate`: validate the new token, stage it as AWSPENDING, read it back, then
 * move AWSCURRENT with RemoveFromVersionId as a compare-and-swap. Until that
 * last call succeeds CI keeps reading the old value; any failure before it
 * removes the stage this run created.
 */
export async function rotate(ctx: Context, o: RotateOptions): Promise<number> {
  const { out, settings } = ctx;
  out.heading('dockerhub-credentials rotate');
  const secretId = await askSecretId(ctx);
  const store = await openStore(ctx, secretId);

  // 1. Preflight: a valid current value to rotate from.
  const { info, currentVersionId: currentId, check: currentCheck, created, pendingVersionId: stray } = await inspectCurrent(ctx, store);
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

  const mode = stray ? await resolveStray(ctx, store, stray, o) : 'fresh';

  // 2-3. Collect and validate, exactly as setup does. Nothing is written before this passes.
  let creds: Credentials;
  let repository = settings.repository;
  let stagedId: string | undefined;
  let validation: HubReport;
  if (mode === 'resume') {
    stagedId = stray!;
    const pending = checkCredentialValue((await store.get({ versionId: stagedId })).secretString);
    if (pending.problems.length) {
      throw new CliError('pending-invalid', `The pending value is not a valid credential: ${pending.problems.join(' ')}`, 'Run rotate --discard-pending.', ExitCode.Aws);
    }
    creds = { username: pending.username!, token: pending.token! };
    out.info('');
    out.heading('Validating the pending token against Docker Hub');
    validation = await validateAgainstHub(ctx, creds, repository);
  } else {
    const collected = await collectCredentials(ctx, { tokenStdin: Boolean(o.tokenStdin), defaultUsername: currentCheck.username ?? undefined, rotation: true });
    creds = collected.creds;
    repository = collected.repository;
    if (sameSecret(creds.token, currentCheck.token!)) {
      throw usageError('That is the token already stored.', 'Create a new token in Docker Hub and rotate to it.');
    }
    out.info('');
    out.heading('Validating the new token against Docker Hub');
    validation = await validateAgainstHub(ctx, creds, repository);
  }
  if (ctx.signal.aborted) throw cancelled();

  let promoted = false;
  let createdStage = false;
  try {
    // 4. Stage: CI keeps reading AWSCURRENT.
    if (mode === 'fresh') {
      const value = buildValue(currentCheck.parsed, creds);
      const requestToken = newRequestToken();
      const staged = await out.step('Staging the new value as AWSPENDING');
      stagedId = await ctx.critical(() => store.put(value.json, requestToken, [PENDING]));
      createdStage = true;
      staged.succeed(`Staged as AWSPENDING (version ${stagedId}); CI still reads the current value`);
      if (ctx.isCancelled()) throw cancelled();
    }

    // 5. Test the staged value: it must be ours, and exactly what was validated.
    const readBack = await store.get({ stage: PENDING });
    if (readBack.versionId !== stagedId) throw conflict(secretId, `AWSPENDING moved to version ${readBack.versionId}`);
    const staged = checkCredentialValue(readBack.secretString);
    if (staged.problems.length || !sameSecret(staged.token ?? '', creds.token) || staged.username !== creds.username) {
      throw new CliError('staged-mismatch', 'The staged value differs from the token just validated.', 'Run rotate again.', ExitCode.Unexpected);
    }
    out.ok(`Read back AWSPENDING: ${staged.username}, token ${staged.tokenLength} characters, as validated`);

    // 6. Promote, as a compare-and-swap against the version read in step 1.
    const now = await store.describeLive();
    const nowCurrent = versionWithStage(now, CURRENT);
    if (nowCurrent !== currentId) throw conflict(secretId, `AWSCURRENT moved to version ${nowCurrent}`);
    const promote = await out.step('Promoting AWSPENDING to AWSCURRENT');
    try {
      await ctx.critical(() => store.moveStage(CURRENT, { to: stagedId, from: currentId }));
    } catch (e) {
      promote.fail('Promotion failed');
      if (isCliError(e) && e.code === 'stage-conflict') throw conflict(secretId, 'AWSCURRENT moved during promotion');
      throw e;
    }
    promoted = true;
    promote.succeed(`AWSCURRENT is now version ${stagedId}; the old value is AWSPREVIOUS`);
    await ctx.critical(() => store.moveStage(PENDING, { from: stagedId })).catch(() => {
      out.warn(`AWSCURRENT moved, but AWSPENDING could not be removed from version ${stagedId}; it is harmless.`);
    });
  } catch (e) {
    if (!promoted) await undoStage(ctx, store, stagedId, createdStage, currentId);
    throw e;
  }

  // 7. Verify and hand over.
  const after = await inspectCurrent(ctx, store);
  const ok = after.check.problems.length === 0 && after.currentVersionId === stagedId && sameSecret(after.check.token ?? '', creds.token);
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
      validation,
      problems: after.check.problems,
    });
    return ok ? ExitCode.Ok : ExitCode.Aws;
  }
  const c = out.out;
  out.data('');
  out.data(`${ok ? c.green('✓') : c.red('✗')} ${c.bold('Rotated.')} CI now reads the new token (${after.check.username}, ${after.check.tokenLength} characters).`);
  out.data(`  The previous value is kept as AWSPREVIOUS. To restore it: ${commandLine(ctx, 'rollback', secretId)}`);
  out.data('  Revoke the old token in Docker Hub only after CI has used the new one');
  out.data('  (https://app.docker.com/settings/personal-access-tokens; a PAT cannot manage other tokens).');
  return ok ? ExitCode.Ok : ExitCode.Aws;
}

/** After a failure before promotion: remove the stage this run created, if it is still ours, and say so. */
async function undoStage(ctx: Context, store: SecretStore, stagedId: string | undefined, ours: boolean, currentId: string): Promise<void> {
  if (!stagedId || !ours) {
    ctx.out.warn(`AWSCURRENT never changed (still version ${currentId}).`);
    return;
  }
  try {
    const info = await store.describe();
    if (info.versions[stagedId]?.includes(PENDING)) await ctx.critical(() => store.moveStage(PENDING, { from: stagedId }));
    ctx.out.warn(`AWSCURRENT never changed (still version ${currentId}); the staged value was removed.`);
  } catch {
    ctx.out.warn(
      `AWSCURRENT never changed (still version ${currentId}), but the staged AWSPENDING version ${stagedId} could not be removed; the next rotate will offer to resume or discard it.`,
    );
  }
}
