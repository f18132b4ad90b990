import { CliError, failure, usageError } from '../errors.js';
import type { Context } from '../context.js';
import { openStore } from './secret-id.js';
import { isDockerId, tokenKind } from '../domain/tokens.js';
import { signIn, type HubClient } from '../hub/manage.js';
import { printable, registerSecret } from '../ui/redact.js';
import { totp } from '../domain/totp.js';

// Where the Docker Hub password comes from, and the sign-in (REFERENCE 7). The
// password is read once, kept in memory for this run only (to sign in again
// when the 10-minute session ends), and registered for redaction the moment it
// is read: never from an argument, never printed, never in a child's argv or
// environment (DOCKERHUB_PASSWORD leaves the environment before anything runs),
// never on disk.

import type { SignInFlags } from './signin-inputs.js';
export type { SignInFlags } from './signin-inputs.js';

interface AdminSecret {
  username?: string;
  password: string;
  /** The account's two-factor seed (base32), as the rotation function reads it: codes are computed, never asked. */
  totpSeed?: string;
}

/** The admin secret named by --admin-secret-id: {"username","password"} (REFERENCE 7: the password is only kept in memory). */
async function readAdminSecret(ctx: Context, secretId: string): Promise<AdminSecret> {
  const store = await openStore(ctx, secretId);
  const { secretString } = await store.get({ stage: 'AWSCURRENT' });
  let v: unknown;
  try {
    v = JSON.parse(secretString ?? '');
  } catch {
    v = undefined;
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (typeof o.password !== 'string' || !o.password) {
    throw failure('invalid-value', `The admin secret ${printable(secretId)} does not hold {"username","password"} (no "password" string).`, 'Store the Docker Hub account\'s password as {"username":"ID","password":"..."} in that secret.');
  }
  registerSecret(o.password);
  const username = typeof o.username === 'string' && isDockerId(o.username) ? o.username : undefined;
  // The same admin secret serves the rotation function and an unattended CLI run (the second
  // stranger's trial found the CLI ignored the seed and advised turning two-factor off).
  const totpSeed = typeof o.totpSeed === 'string' && o.totpSeed ? o.totpSeed : undefined;
  if (totpSeed) registerSecret(totpSeed);
  return { username, password: o.password, totpSeed };
}

/** The Docker ID whose tokens are managed, asked with an echoing prompt: only ever before the password's. */
export const askDockerId = (ctx: Context): Promise<string> =>
  ctx.prompter.input({
    message: 'Docker ID whose tokens to list (your Docker Hub username; the password is asked next, hidden):',
    validate: (v) => (isDockerId(v.trim()) ? true : 'A Docker ID is 4 to 30 lowercase letters and digits.'),
    flag: '--username (or DOCKERHUB_USERNAME)',
  }).then((v) => v.trim());

export interface SignInTarget {
  /** PAT: the Docker ID the token belongs to (it signs in). OAT: the organization (an owner signs in). */
  kind: 'pat' | 'oat';
  /** Unknown (a PAT only): the admin secret's username, or asked before the password. */
  account?: string;
  /** What the password is for, said in the prompt: "to create the token". */
  purpose: string;
}

/**
 * Signs in to Docker Hub for `target`: the password from DOCKERHUB_PASSWORD,
 * --password-stdin, the admin secret, or a masked prompt that says what it is
 * for; the two-factor code asked at a terminal when Docker Hub asks for it.
 */
export async function hubSignIn(ctx: Context, flags: SignInFlags, target: SignInTarget): Promise<HubClient> {
  const { prompter, out } = ctx;
  const admin = flags.adminSecretId ? await readAdminSecret(ctx, flags.adminSecretId) : undefined;
  let username: string;
  if (target.kind === 'pat') {
    username = target.account ?? admin?.username ?? (await askDockerId(ctx));
    if (admin?.username && admin.username !== username) {
      throw usageError(
        `The admin secret is the account ${admin.username}'s, but the token is ${username}'s: a personal access token is created by its own account.`,
        `Use an admin secret of ${username}, or sign in as ${username} with DOCKERHUB_PASSWORD or --password-stdin.`,
      );
    }
  } else {
    const owner = flags.owner ?? ctx.env.DOCKERHUB_OWNER ?? admin?.username;
    username =
      owner?.trim() ??
      (await prompter.input({
        message: `Docker ID of an owner of ${target.account ?? 'the organization'} (it signs in to manage the organization's tokens):`,
        validate: (v) => (isDockerId(v.trim()) ? true : 'A Docker ID is 4 to 30 lowercase letters and digits.'),
        flag: '--owner (or DOCKERHUB_OWNER)',
      }));
  }
  const password =
    ctx.password?.value ??
    admin?.password ??
    (await prompter.password({
      message: `Docker Hub password of ${username} (used once, ${target.purpose}; never stored):`,
      validate: (v) => (v ? (tokenKind(v.trim()) !== 'other' ? 'That is an access token; Docker Hub needs the account password here.' : true) : 'Type the password of the account.'),
      flag: 'DOCKERHUB_PASSWORD, --password-stdin or --admin-secret-id',
    }));
  registerSecret(password);
  const seed = admin?.totpSeed && admin.password === password ? admin.totpSeed : undefined;
  const twoFactorCode = seed
    ? async () => totp(seed)
    : prompter.interactive
    ? async () => {
        const code = await prompter.password({
          message: `Two-factor code for ${username} (six digits from your authenticator app):`,
          validate: (v) => (/^[A-Za-z0-9-]{6,40}$/.test(v.trim()) ? true : 'Type the six-digit code (or a recovery code).'),
          flag: 'a terminal',
        });
        registerSecret(code.trim());
        return code.trim();
      }
    : undefined;
  // No spinner: the two-factor question may be asked in the middle of it.
  out.info(`  Signing in to Docker Hub (${new URL(ctx.settings.hubUrl).host}) as ${username}`);
  const client = await signIn({ hubUrl: ctx.settings.hubUrl, signal: ctx.signal, username, password, twoFactorCode, log: (l) => out.debug(l), warn: (l) => out.warn(l) });
  out.ok(`Signed in to Docker Hub as ${username} (the password stays in memory for this run only)`);
  return client;
}

/** Whether a refusal means the API cannot help, so the manual path is the way (SSO, a PAT as password). */
export const manualPathOnly = (e: unknown) => e instanceof CliError && (e.code === 'sso-enforced' || e.code === 'pat-session');
