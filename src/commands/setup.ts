import { CliError, ExitCode, cancelled } from '../errors.js';
import { askSecretId, commandLine, openStore, type Context } from '../context.js';
import { CURRENT, strayPending, versionWithStage, type SecretStore } from '../aws/store.js';
import { checkCredentialValue, age, formatDate } from '../flows/check.js';
import { collectCredentials } from '../flows/collect.js';
import { validateAgainstHub } from '../flows/validate.js';
import { agentLoginCommand, buildValue, newRequestToken } from '../flows/store.js';
import { inspectCurrent } from '../flows/inspect.js';
import { sameSecret } from '../ui/redact.js';

interface SetupOptions {
  tokenStdin?: boolean;
}

/** Step 1: which secret, and may we write it? */
async function preflight(ctx: Context): Promise<{ store: SecretStore; existing?: Record<string, unknown>; replacing: boolean }> {
  const { prompter, out, settings } = ctx;
  const secretId = await askSecretId(ctx);
  // A profile usually names its region; otherwise ask (settings.region already holds flag, environment and file).
  if (!settings.region && prompter.interactive && !settings.profile) {
    settings.region = await prompter.input({ message: 'AWS region:', default: 'eu-west-2', flag: '--region' });
  }
  const store = await openStore(ctx, secretId);

  const info = await out.track(`Checking ${secretId} in Secrets Manager`, () => store.describeLive(), {
    done: (i) => `Secret ${i.name} exists (${i.arn})`,
    failed: `Cannot use ${secretId}`,
  });
  const pending = strayPending(info);
  if (pending) out.warn(`A stray AWSPENDING version (${pending}) exists from an unfinished rotation; setup leaves it alone.`);
  if (!versionWithStage(info, CURRENT)) return { store, replacing: false };

  const current = await store.get({ stage: CURRENT });
  const check = checkCredentialValue(current.secretString);
  if (check.problems.length === 0) {
    out.warn(
      `${info.name} already holds a token for ${check.username} (${check.tokenLength} characters, changed ${
        info.lastChanged ? `${formatDate(info.lastChanged)}, ${age(info.lastChanged)}` : 'at an unknown time'
      }).`,
    );
    out.info(`  To replace a working token safely, use rotate: ${commandLine(ctx, 'rotate', secretId)}`);
  } else {
    out.warn(`${info.name} already holds a value that is not a valid credential: ${check.problems.join(' ')}`);
  }
  const replace =
    settings.yes ||
    (await prompter.confirm({ message: 'Replace the stored value with a new one?', default: false, flag: '--yes' }));
  if (!replace) throw new CliError('not-replaced', 'Left the stored value as it was.', `Use ${commandLine(ctx, 'rotate', secretId)} to replace it safely.`, ExitCode.Usage);
  return { store, existing: check.parsed, replacing: true };
}

/** `setup`: probe, guide, collect, validate, store, verify, hand over. */
export async function setup(ctx: Context, opts: SetupOptions): Promise<number> {
  const { out, settings } = ctx;
  out.heading('dockerhub-credentials setup');
  const { store, existing, replacing } = await preflight(ctx);
  const secretId = store.secretId;

  const { creds, repository } = await collectCredentials(ctx, { tokenStdin: Boolean(opts.tokenStdin), rotation: false });

  out.info('');
  out.heading('Validating against Docker Hub');
  const validation = await validateAgainstHub(ctx, creds, repository);

  if (ctx.signal.aborted) throw cancelled();
  const value = buildValue(existing, creds);
  const requestToken = newRequestToken();
  const versionId = await out.track(`Storing the token in ${secretId}`, () => ctx.critical(() => store.put(value.json, requestToken)), {
    done: (id) => `Stored as a new AWSCURRENT version (${id})${replacing ? '; the old value is now AWSPREVIOUS' : ''}`,
    failed: `Could not store the token in ${secretId}; the stored value is unchanged`,
  });
  if (value.keptKeys.length) out.info(`  Kept the other keys of the existing value: ${value.keptKeys.join(', ')}`);
  if (ctx.isCancelled()) {
    throw new CliError(
      'cancelled',
      'Cancelled after the new value was stored.',
      replacing ? `To restore the previous value: ${commandLine(ctx, 'rollback', secretId)}` : undefined,
      ExitCode.Cancelled,
    );
  }

  const readBack = await out.step('Reading the value back');
  const inspection = await inspectCurrent(ctx, store);
  const { check } = inspection;
  const problems = [...check.problems];
  if (inspection.currentVersionId !== versionId) problems.push(`AWSCURRENT is version ${inspection.currentVersionId}, not the one just written: someone else wrote meanwhile.`);
  if (check.token === undefined || !sameSecret(check.token, creds.token) || check.username !== creds.username) {
    problems.push('The stored value differs from the token just validated.');
  }
  if (problems.length) {
    readBack.fail('The stored value did not check out');
    throw new CliError('verify-failed', problems.join(' '), `Run ${commandLine(ctx, 'verify', secretId)} to see the current state.`, ExitCode.Aws);
  }
  readBack.succeed(`Verified: username ${check.username}, token ${check.tokenLength} characters`);

  const arn = inspection.info.arn;
  if (settings.json) {
    out.json({
      ok: true,
      secretId,
      arn,
      versionId,
      replaced: replacing,
      username: check.username,
      tokenLength: check.tokenLength,
      keptKeys: value.keptKeys,
      validation,
    });
    return ExitCode.Ok;
  }
  const c = out.out;
  out.data('');
  out.data(`${c.green('✓')} ${c.bold('Done.')} CI can now read the Docker Hub token from Secrets Manager.`);
  out.data(`  secret:       ${arn}`);
  out.data(`  username:     ${check.username}`);
  out.data(`  token length: ${check.tokenLength} characters`);
  out.data('');
  out.data('Next:');
  out.data('  1. Give CI agents the read policy from terraform/ (GetSecretValue and DescribeSecret on this secret only).');
  out.data('  2. In the CI job, log in with:');
  out.data(`     ${agentLoginCommand(arn, creds.username, settings.region)}`);
  out.data(`  3. Check it any time with: ${commandLine(ctx, 'verify', secretId)}`);
  return ExitCode.Ok;
}

