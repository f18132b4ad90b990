import { CliError, ExitCode, cancelled, isCliError } from '../errors.js';
import { commandLine, openStore, requireSecretId } from '../flows/secret-id.js';
import type { Context } from '../context.js';
import { CURRENT, PREVIOUS, versionWithStage } from '../domain/secret.js';
import { age, checkCredentialValue, formatDate } from '../domain/value.js';
import { describeToken, metaOf } from '../domain/lifecycle.js';
import { recordMeta } from '../flows/lifecycle.js';
import { noValueYet } from '../flows/inspect.js';
import { confirmOrYes, describeValue } from '../flows/describe.js';
import { validateAgainstHub } from '../flows/validate.js';
import { StagedWrite, readBackAfterWrite } from '../flows/write.js';
import { buildValue } from '../domain/write-value.js';
import { aliasDrift, aliasRepairs, assertConsumerRules } from '../domain/consumers.js';
import { reactivatePrevious } from '../flows/reactivate.js';
import { hubFactsOf, recordHubFacts } from '../flows/hub-facts.js';
import type { SignInFlags } from '../flows/signin.js';

export interface RollbackOptions extends SignInFlags {
  skipValidation?: boolean;
}

/**
 * `rollback`: move AWSCURRENT to the AWSPREVIOUS version, after checking that
 * Docker Hub still accepts that token (the rotation guide says to revoke the
 * old token, and rolling back to a revoked one breaks CI). Secrets Manager
 * moves AWSPREVIOUS along, so a second rollback returns to where the first started.
 */
export async function rollback(ctx: Context, o: RollbackOptions = {}): Promise<number> {
  const secretId = requireSecretId(ctx);
  const { out, settings } = ctx;
  assertConsumerRules(settings.consumers, secretId);
  out.heading('dockerhub-credentials rollback');
  const store = await openStore(ctx, secretId);
  const info = await out.track(`Reading the versions of ${secretId}`, () => store.describeLive(), {
    done: (i) => `Read the versions of ${i.name}`,
    failed: `Could not read ${secretId}`,
  });
  const currentId = versionWithStage(info, CURRENT);
  if (!currentId) throw noValueYet(ctx, secretId, info);
  const previousId = versionWithStage(info, PREVIOUS);
  if (!previousId) {
    throw new CliError(
      'nothing-to-roll-back',
      `${secretId} has no previous version (AWSPREVIOUS), so there is nothing to roll back to.`,
      'Rollback restores the value that the last setup or rotate replaced; none has been replaced yet.',
      ExitCode.Aws,
    );
  }
  const [current, previous] = await out.track(
    'Reading the current and the previous value',
    () => Promise.all([store.get({ stage: CURRENT }), store.get({ versionId: previousId })]),
    { done: () => 'Read the current and the previous value', failed: 'Could not read the values' },
  );
  const currentCheck = checkCredentialValue(current.secretString);
  const previousCheck = checkCredentialValue(previous.secretString);
  // Short lines: the preview must fit an 80-column terminal.
  const preview = (title: string, check: typeof currentCheck, version: typeof current, id: string) => {
    const meta = metaOf(info, id);
    out.info(`${title.padEnd(21)}${check.username ?? '(no username)'}, ${check.tokenLength === null ? 'no token' : `token ${check.tokenLength} characters`}`);
    out.info(`${''.padEnd(21)}written ${version.created ? `${formatDate(version.created)} (${age(version.created)})` : 'at an unknown time'}`);
    if (meta.label || meta.expires) out.info(`${''.padEnd(21)}${describeToken(meta)}`);
    out.info(`${''.padEnd(21)}version ${id}`);
  };
  out.info('');
  preview('Will become current:', previousCheck, previous, previousId);
  preview('Will be replaced:', currentCheck, current, currentId);
  if (previousCheck.problems.length) {
    throw new CliError(
      'previous-invalid',
      `The previous value of ${secretId} is not a valid credential, so rolling back to it would break CI: ${previousCheck.problems.join(' ')}`,
      'Nothing was changed. Store a working token with rotate instead.',
      ExitCode.Aws,
    );
  }

  // A token that retire deactivated is re-activated first (with a password), or the rollback says why it would fail.
  const reactivated = await reactivatePrevious(ctx, o, store, info, previousId, { username: previousCheck.username!, token: previousCheck.token! });
  const undoReactivation = async (e: unknown) => (reactivated ? reactivated.undo(e) : e);
  // The token CI would read after the rollback must still work.
  if (o.skipValidation) {
    out.warn('--skip-validation: the previous token is not checked against Docker Hub; if it was revoked, CI breaks after the rollback.');
  } else {
    out.info('');
    out.heading('Validating the previous token against Docker Hub');
    try {
      await validateAgainstHub(ctx, { username: previousCheck.username!, token: previousCheck.token! }, settings.repository);
    } catch (e) {
      if (!isCliError(e) || e.exitCode !== ExitCode.Rejected) throw await undoReactivation(e);
      throw await undoReactivation(new CliError(
        'rollback-target-rejected',
        `Docker Hub rejects the previous token (AWSPREVIOUS, ${previousCheck.username}), and rolling back to it would break CI, so nothing was changed.`,
        `Store a working token with ${commandLine(ctx, 'rotate', secretId)}; in an emergency, roll back anyway with --skip-validation.`,
        ExitCode.Rejected,
        undefined,
        e,
      ));
    }
  }
  // Aliases never drift: a previous value whose password/accessToken differ from its
  // token (or that lacks a declared consumer's key) is restored as a new version with
  // them rewritten, rather than made current as it is.
  const previousCreds = { username: previousCheck.username!, token: previousCheck.token! };
  const repaired = aliasRepairs(previousCheck, settings.consumers).length > 0 ? buildValue(previousCheck.parsed, previousCreds, settings.consumers) : undefined;
  if (repaired) {
    out.warn(`The previous value's ${repaired.aliasKeys.join(', ')} ${repaired.aliasKeys.length === 1 ? 'does' : 'do'} not all hold its token: it is restored as a new version with them rewritten, not made current as it is.`);
  }
  if (!(await confirmOrYes(ctx, 'Roll back to the previous value?'))) {
    throw await undoReactivation(new CliError('not-rolled-back', 'Nothing was changed.', undefined, ExitCode.Usage));
  }

  // The same compare-and-swap as a rotation: AWSCURRENT moves only from the version shown above.
  const move = new StagedWrite(ctx, store, currentId);
  if (!repaired) move.adopt(previousId);
  try {
    if (repaired) {
      await out.track(`Staging the previous token with its aliases rewritten`, () => move.stage(repaired.json), {
        done: (id) => `Staged as AWSPENDING (version ${id})`,
        failed: 'Staging failed',
      });
      if (ctx.isCancelled()) throw cancelled();
      await move.confirmStaged(previousCreds, repaired.json);
    }
    await out.track(`Moving AWSCURRENT of ${secretId} to version ${move.versionId}`, () => move.promote(), {
      done: () => `AWSCURRENT is version ${move.versionId}${repaired ? ` (the token of version ${previousId})` : ' again'}; the replaced value is now AWSPREVIOUS`,
      failed: 'Rollback failed',
    });
  } catch (e) {
    const failure = await move.failure(e);
    if (failure) throw await undoReactivation(failure);
  }
  if (repaired) await move.unstageOrWarn();
  const restoredId = move.versionId!;
  // The restored copy carries the token of the previous version, so its expiry and label too.
  if (repaired) await recordMeta(ctx, store, info, restoredId, metaOf(info, previousId));
  // The promotion time retire measures "used after the rotation" against: a rollback promotes too, so a
  // later retire does not take the version's first write for it and refuse for the rotation's own check
  // (the second stranger's trial, session 3).
  // Read live: a re-activation just above may have recorded the token's new state.
  const live = hubFactsOf(info, previousId) ? await store.describeLive().catch(() => undefined) : undefined;
  const facts = live && (hubFactsOf(live, restoredId) ?? hubFactsOf(live, previousId));
  if (live && facts) await recordHubFacts(ctx, store, live, restoredId, { ...facts, promotedAt: new Date().toISOString() });
  const undoLine = `to undo, run the same command again: ${commandLine(ctx, 'rollback', secretId)}`;
  if (ctx.isCancelled()) throw cancelled(`the rollback was done: AWSCURRENT is version ${restoredId}; ${undoLine}`);

  const after = await readBackAfterWrite(ctx, store, 'Rolled back', `AWSCURRENT is version ${restoredId}, confirmed by Secrets Manager; ${undoLine}`, restoredId);
  const problems = [...after.check.problems, ...aliasDrift(after.check)];
  const ok = problems.length === 0;
  if (settings.json) {
    out.json({
      ok,
      secretId,
      currentVersionId: after.currentVersionId,
      previousVersionId: currentId,
      username: after.check.username,
      tokenLength: after.check.tokenLength,
      validated: !o.skipValidation,
      restoredFromVersionId: previousId,
      aliasesRewritten: repaired ? repaired.aliasKeys : [],
      problems,
    });
  } else {
    out.data(`${ok ? out.out.green('✓') : out.out.red('✗')} Rolled back ${secretId}: ${describeValue(after.check)}.`);
    for (const p of problems) out.data(`  ${out.out.red('✗')} ${p}`);
    out.data(`  Undo with the same command: ${commandLine(ctx, 'rollback', secretId)}`);
  }
  return ok ? ExitCode.Ok : ExitCode.Aws;
}
