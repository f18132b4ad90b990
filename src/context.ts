import type { Settings } from './config.js';
import type { Output, Streams } from './ui/output.js';
import type { Prompter } from './ui/prompter.js';
import { SecretStore } from './aws/store.js';
import { usageError } from './errors.js';

/** Everything a command needs, so commands never reach for globals and tests can swap parts. */
export interface Context {
  settings: Settings;
  out: Output;
  prompter: Prompter;
  streams: Streams;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Whether Ctrl-C was pressed (checked after steps that must not be interrupted). */
  isCancelled(): boolean;
  /** Runs `fn` with Ctrl-C deferred until it finishes: for writes that must not be cut in half. */
  critical<T>(fn: () => Promise<T>): Promise<T>;
}

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
export async function askSecretId(ctx: Context): Promise<string> {
  ctx.settings.secretId ??= await ctx.prompter.input({
    message: 'Secrets Manager secret name or ARN:',
    flag: '--secret-id (or DOCKERHUB_CREDENTIALS_SECRET_ID)',
  });
  return ctx.settings.secretId;
}

export function openStore(ctx: Context, secretId: string): Promise<SecretStore> {
  return SecretStore.open({
    secretId,
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
