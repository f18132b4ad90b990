import { CliError, ExitCode } from '../errors.js';
import type { Context } from '../context.js';
import { commandLine } from './secret-id.js';
import type { SecretStore } from '../aws/store.js';
import { rotateNow } from '../aws/fleet.js';
import { scheduleOf, type SecretInfo } from '../domain/secret.js';
import { newRequestToken } from '../domain/write-value.js';
import { functionName, hasRotationFunction, strayPendingByFunction } from './schedule.js';

/**
 * rotate on a secret that a rotation function rotates (REFERENCE 10): a rotation by
 * hand would race the function, so rotate offers to run it now (RotateSecret).
 * Returns the exit code when it handled the run, undefined when rotate goes on by hand
 * (--force, or no function). A token given (stdin, DOCKERHUB_TOKEN) without --force is refused.
 */
export async function handToRotationFunction(
  ctx: Context,
  store: SecretStore,
  info: SecretInfo,
  o: { force?: boolean; tokenGiven: boolean; pending?: string; yes?: boolean },
): Promise<number | undefined> {
  if (!hasRotationFunction(info) || o.force) return undefined;
  const name = functionName(scheduleOf(info)!.functionArn)!;
  const secretId = store.secretId;
  const byHand = `${commandLine(ctx, 'rotate', secretId)} --force`;
  if (o.tokenGiven) {
    throw new CliError(
      'rotation-function',
      `${secretId} is rotated by the rotation function ${name} (Secrets Manager's schedule), so a token given by hand would race it.`,
      `Run ${commandLine(ctx, 'rotate', secretId)} --yes to have Secrets Manager run the function now (RotateSecret), or add --force to rotate to the given token by hand.`,
      ExitCode.Usage,
    );
  }
  const stray = o.pending ? strayPendingByFunction(info, o.pending) : undefined;
  if (stray) {
    throw new CliError(
      'rotation-function',
      stray,
      `After fixing the cause: ${commandLine(ctx, 'rotate', secretId)} --discard-pending --force --yes, then ${commandLine(ctx, 'rotate', secretId)} --yes.`,
      ExitCode.Usage,
    );
  }
  const question = `${secretId} is rotated by the rotation function ${name}. Run it now (RotateSecret) instead of rotating by hand?`;
  let run: boolean;
  if (ctx.prompter.interactive && !o.yes) run = await ctx.prompter.confirm({ message: question, default: true, flag: '--yes' });
  else if (o.yes) run = true;
  else {
    throw new CliError(
      'rotation-function',
      `${secretId} is rotated by the rotation function ${name}; running it needs a confirmation, and there is no terminal.`,
      `Pass --yes to run it now (RotateSecret), or rotate by hand with ${byHand}.`,
      ExitCode.Usage,
    );
  }
  if (!run) throw new CliError('not-rotated', `Left the rotation to ${name}'s schedule; nothing was changed.`, `To rotate by hand anyway: ${byHand}`, ExitCode.Usage);
  const versionId = await ctx.critical(() => rotateNow(store, newRequestToken()));
  const log = `/aws/lambda/${name}`;
  if (ctx.settings.json) {
    ctx.out.json({ ok: true, secretId, rotateSecret: true, versionId: versionId ?? null, function: scheduleOf(info)!.functionArn, written: false });
  } else {
    ctx.out.ok(`Secrets Manager is rotating ${secretId} now (RotateSecret, version ${versionId}): the function ${name} runs its four steps.`);
    ctx.out.info(`  See the outcome with ${commandLine(ctx, 'verify', secretId)} in a minute; the function's log is CloudWatch Logs ${log}.`);
  }
  return ExitCode.Ok;
}
