import type { SecretStore } from '../aws/store.js';
import { arnRegion, type SecretInfo } from '../domain/secret.js';
import { isCliError, usageError } from '../errors.js';
import { printable } from '../ui/redact.js';
import type { Context } from '../context.js';
import { checkAnswer } from './inputs.js';

// Which secret a command works on: from the settings, asked at a terminal, opened,
// and the command line that names it again.

export function requireSecretId(ctx: Context): string {
  const id = ctx.settings.secretId;
  if (!id) {
    throw usageError(
      'No secret id was given.',
      'Pass --secret-id NAME, set DOCKERHUB_CREDENTIALS_SECRET_ID, or add "secretId" to .dockerhub-credentials.json.',
    );
  }
  return id;
}

/** The secret id from flags, environment or config file, or asked for at a terminal. */
export async function askSecretId(ctx: Context, suggestion?: string): Promise<string> {
  ctx.settings.secretId ??= await ctx.prompter.input({
    message: 'Secrets Manager secret name or ARN:',
    default: suggestion,
    validate: (v) => checkAnswer('secretId', v),
    flag: '--secret-id (or DOCKERHUB_CREDENTIALS_SECRET_ID)',
  });
  return ctx.settings.secretId;
}

export function openStore(ctx: Context, secretId: string): Promise<SecretStore> {
  // AWS finds a secret given by ARN only in the ARN's region: say so when the settings name another, and use the ARN's.
  const inArn = arnRegion(secretId);
  const region = ctx.settings.region;
  if (inArn && region && inArn !== region) {
    ctx.out.warn(`The secret's ARN is in region ${inArn}, but ${ctx.settings.origin.region?.name ?? 'the region given'} says ${region}: the regions differ, so ${inArn} (the ARN's) is used.`);
    ctx.settings.region = inArn;
  }
  return ctx.secrets({
    secretId,
    env: ctx.env,
    profile: ctx.settings.profile,
    region: ctx.settings.region,
    signal: ctx.signal,
    log: (line) => ctx.out.debug(line),
    warn: (line) => ctx.out.warn(line),
  });
}

/** The exact command line to re-run something, with the options the user gave. */
export function commandLine(ctx: Context, command: string, secretId: string): string {
  const s = ctx.settings;
  return [
    `npx dockerhub-credentials ${command} --secret-id ${secretId}`,
    s.region ? `--region ${s.region}` : '',
    s.profile ? `--profile ${s.profile}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** How many times a mistyped secret name is asked again before the run ends. */
const SECRET_NAME_TRIES = 5;

/**
 * Opens the secret and runs `check` on it (setup's describe). A name typed at the
 * prompt that does not exist is asked again, naming close matches from one page of
 * ListSecrets when listing is allowed; a name from a flag, variable or the config
 * file, or a run without a terminal, fails as before.
 */
export async function openAskedSecret(
  ctx: Context,
  secretId: string,
  asked: boolean,
  check: (store: SecretStore) => Promise<SecretInfo>,
): Promise<{ store: SecretStore; info: SecretInfo }> {
  for (let tries = 1; ; tries++) {
    const store = await openStore(ctx, secretId);
    try {
      return { store, info: await check(store) };
    } catch (e) {
      if (!asked || !ctx.prompter.interactive || !isCliError(e) || e.code !== 'secret-not-found' || tries >= SECRET_NAME_TRIES) throw e;
      ctx.out.warn(e.message);
      const near = arnRegion(secretId) ? { names: [], listed: false } : await store.closeNames(secretId);
      if (near.names.length) ctx.out.info(`  Close matches: ${near.names.map((n) => printable(n)).join(', ')}`);
      else if (near.listed) ctx.out.info('  No secret with a close name in this region.');
      ctx.settings.secretId = undefined;
      secretId = await askSecretId(ctx, near.names[0]);
    }
  }
}
