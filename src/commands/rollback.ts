import { CliError, ExitCode } from '../errors.js';
import { commandLine, openStore, requireSecretId, type Context } from '../context.js';
import { CURRENT, PREVIOUS, versionWithStage } from '../aws/store.js';
import { checkCredentialValue } from '../flows/check.js';
import { inspectCurrent, noValueYet } from '../flows/inspect.js';
import { confirmOrYes, describeValue } from '../flows/describe.js';

/**
 * `rollback`: move AWSCURRENT to the AWSPREVIOUS version. Secrets Manager moves
 * AWSPREVIOUS along, so a second rollback returns to where the first started.
 */
export async function rollback(ctx: Context): Promise<number> {
  const secretId = requireSecretId(ctx);
  const { out, settings } = ctx;
  const store = await openStore(ctx, secretId);
  const info = await store.describeLive();
  const currentId = versionWithStage(info, CURRENT);
  if (!currentId) throw noValueYet(ctx, secretId);
  const previousId = versionWithStage(info, PREVIOUS);
  if (!previousId) {
    throw new CliError(
      'nothing-to-roll-back',
      `${secretId} has no previous version (AWSPREVIOUS), so there is nothing to roll back to.`,
      'Rollback restores the value that the last setup or rotate replaced; none has been replaced yet.',
      ExitCode.Aws,
    );
  }
  const [current, previous] = await Promise.all([store.get({ stage: CURRENT }), store.get({ versionId: previousId })]);
  const currentCheck = checkCredentialValue(current.secretString);
  const previousCheck = checkCredentialValue(previous.secretString);
  out.info(`Will become current: ${describeValue(previousCheck, previous.created)}  (version ${previousId})`);
  out.info(`Will be replaced:    ${describeValue(currentCheck, current.created)}  (version ${currentId})`);
  if (previousCheck.problems.length) out.warn(`The previous value is not a valid credential: ${previousCheck.problems.join(' ')}`);
  if (!(await confirmOrYes(ctx, 'Roll back to the previous value?'))) {
    throw new CliError('not-rolled-back', 'Nothing was changed.', undefined, ExitCode.Usage);
  }

  await out.track(`Moving AWSCURRENT of ${secretId} to version ${previousId}`, () => ctx.critical(() => store.moveStage(CURRENT, { to: previousId, from: currentId })), {
    done: () => `AWSCURRENT is version ${previousId} again; the replaced value is now AWSPREVIOUS`,
    failed: 'Rollback failed; AWSCURRENT did not move',
  });

  const after = await inspectCurrent(ctx, store);
  const ok = after.check.problems.length === 0 && after.currentVersionId === previousId;
  if (settings.json) {
    out.json({
      ok,
      secretId,
      currentVersionId: after.currentVersionId,
      previousVersionId: currentId,
      username: after.check.username,
      tokenLength: after.check.tokenLength,
      problems: after.check.problems,
    });
  } else {
    out.data(`${ok ? out.out.green('✓') : out.out.red('✗')} Rolled back ${secretId}: ${describeValue(after.check)}.`);
    for (const p of after.check.problems) out.data(`  ${out.out.red('✗')} ${p}`);
    out.data(`  Undo with the same command: ${commandLine(ctx, 'rollback', secretId)}`);
  }
  return ok ? ExitCode.Ok : ExitCode.Aws;
}
