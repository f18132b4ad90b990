import { isDockerId, tokenKind, validateRepository } from '../domain/tokens.js';
import { looksSecret, printable, registerSecret } from '../ui/redact.js';

// The sign-in's inputs, checked with every other input before anything is sent
// (src/flows/inputs.ts), in the CLI's front bundle: nothing here loads the AWS
// SDK or the Hub client. The password is registered for redaction the moment
// it is read, and DOCKERHUB_PASSWORD leaves the environment before anything runs.

/** The options of a command that signs in to Docker Hub with a password. */
export interface SignInFlags {
  create?: boolean;
  passwordStdin?: boolean;
  adminSecretId?: string;
  owner?: string;
}

export interface SuppliedPassword {
  value: string;
  source: 'env' | 'stdin';
}

/** Reads DOCKERHUB_PASSWORD and removes it from the environment, like DOCKERHUB_TOKEN (the first thing a run does). */
export function takeEnvPassword(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.DOCKERHUB_PASSWORD;
  delete env.DOCKERHUB_PASSWORD;
  if (value !== undefined) registerSecret(value);
  return value;
}

/** Whether the command signs in with a password: `--create`, `retire`, `tokens`; `rollback` may (to re-activate). */
export const signsIn = (command: string, opts: Record<string, unknown>) => (Boolean(opts.create) && (command === 'setup' || command === 'rotate')) || command === 'retire' || command === 'tokens';

/** A problem with the sign-in inputs, as checkInputs lists them (code, sentence, fix). */
export interface SignInProblem {
  code: 'missing-input' | 'invalid-token-input' | 'token-stdin-terminal' | 'invalid-username' | 'secret-in-wrong-field' | 'invalid-option';
  message: string;
  fix: string;
}

/**
 * Checks the sign-in inputs before anything is sent, and reads a piped password.
 * Unattended, a password source must be given (DOCKERHUB_PASSWORD, --password-stdin
 * or --admin-secret-id), and `--create` needs the expiry.
 */
export async function checkSignInInputs(
  c: { prompter: { interactive: boolean }; stdin: NodeJS.ReadableStream & { isTTY?: boolean }; env: NodeJS.ProcessEnv },
  command: string,
  opts: Record<string, unknown>,
  envPassword: string | undefined,
  readStdin: (stdin: NodeJS.ReadableStream) => Promise<string | undefined>,
): Promise<{ password?: SuppliedPassword; problems: SignInProblem[] }> {
  const problems: SignInProblem[] = [];
  // Commands that may sign in, the password optional: rollback (to re-activate), rotate --discard-pending (to delete a token the tool created).
  const rollback = command === 'rollback' || (command === 'rotate' && Boolean(opts.discardPending) && !opts.create);
  const repositories = Array.isArray(opts.repositories) ? (opts.repositories as string[]) : undefined;
  if (repositories && !(opts.create && (command === 'setup' || command === 'rotate'))) {
    problems.push({ code: 'invalid-option', message: `--repository is given ${repositories.length} times, but only an organization access token made with --create lists several repositories.`, fix: 'Give --repository once.' });
  }
  for (const r of repositories ?? []) {
    if (looksSecret(r)) {
      registerSecret(r);
      problems.push({ code: 'secret-in-wrong-field', message: '--repository holds what looks like a secret.', fix: 'Give a repository name, for example myorg/myapp.' });
    } else if (validateRepository(r) !== true) {
      problems.push({ code: 'invalid-option', message: `--repository "${printable(r.slice(0, 60))}" is not a repository name.`, fix: 'A repository is namespace/name in lowercase, for example myorg/myapp.' });
    }
  }
  if (!signsIn(command, opts) && !rollback) {
    for (const flag of ['passwordStdin', 'adminSecretId', 'owner'] as const) {
      if (opts[flag] !== undefined && opts[flag] !== false) {
        problems.push({ code: 'invalid-option', message: `--${flag.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`)} is for signing in to Docker Hub, which this run does not do.`, fix: 'Add --create (setup, rotate), or leave the option out.' });
      }
    }
    return { problems };
  }
  if (opts.create && opts.tokenStdin) {
    problems.push({ code: 'invalid-option', message: '--create makes the token, so no token is read: --token-stdin contradicts it.', fix: 'Drop --token-stdin (pipe the password with --password-stdin), or drop --create to store a token you made.' });
  }
  const owner = typeof opts.owner === 'string' ? opts.owner : c.env.DOCKERHUB_OWNER;
  if (owner !== undefined && !looksSecret(owner) && !isDockerId(owner.trim())) {
    problems.push({ code: 'invalid-username', message: `--owner "${printable(owner.slice(0, 60))}" is not a Docker ID.`, fix: 'The owner is the Docker ID of an owner of the organization (4 to 30 lowercase letters and digits).' });
  } else if (owner !== undefined && looksSecret(owner)) {
    registerSecret(owner);
    problems.push({ code: 'secret-in-wrong-field', message: '--owner (or DOCKERHUB_OWNER) holds what looks like a secret.', fix: 'Give the owner\'s Docker ID; the password goes in through DOCKERHUB_PASSWORD, --password-stdin or the prompt.' });
  }
  let password: SuppliedPassword | undefined;
  if (opts.passwordStdin) {
    if (c.stdin.isTTY) {
      problems.push({ code: 'token-stdin-terminal', message: '--password-stdin needs the password piped in, not typed at a terminal where it would be echoed.', fix: 'Leave out --password-stdin to get a masked prompt, or pipe it: printf %s "$PASSWORD" | dockerhub-credentials ...' });
    } else {
      const raw = await readStdin(c.stdin);
      const value = raw?.replace(/\r?\n$/, '');
      if (value) registerSecret(value);
      if (!value) problems.push({ code: 'missing-input', message: '--password-stdin was given, but stdin was empty.', fix: 'Pipe the password: printf %s "$PASSWORD" | dockerhub-credentials ...' });
      else if (/[\r\n]/.test(value)) problems.push({ code: 'invalid-token-input', message: 'The password from stdin is several lines, so it was not used.', fix: 'Pipe only the password.' });
      else password = { value, source: 'stdin' };
    }
  } else if (envPassword !== undefined) {
    if (envPassword === '') problems.push({ code: 'missing-input', message: 'DOCKERHUB_PASSWORD is set but empty.', fix: 'Set it to the password, or unset it to be asked.' });
    else {
      registerSecret(envPassword);
      password = { value: envPassword, source: 'env' };
    }
  }
  // An access token given as the password is refused here, before anything is sent, as the prompt refuses it
  // (Docker Hub refuses PAT sessions for token management: REFERENCE 7; the second stranger's trial, session 3).
  const tokenAsPassword = Boolean(password && tokenKind(password.value.trim()) !== 'other');
  if (tokenAsPassword) {
    problems.push({
      code: 'invalid-token-input',
      message: `The password from ${password!.source === 'env' ? 'DOCKERHUB_PASSWORD' : 'stdin'} is an access token, but signing in to manage tokens needs the account's password (Docker Hub refuses token sessions there).`,
      fix: 'Give the Docker Hub account password instead; to store an existing token, run without --create and pass the token with --token-stdin or DOCKERHUB_TOKEN.',
    });
    password = undefined;
  }
  if (!c.prompter.interactive && !rollback) {
    if (!password && !opts.adminSecretId && !tokenAsPassword) {
      problems.push({
        code: 'missing-input',
        message: 'No Docker Hub password was given, and there is no terminal to ask for it.',
        fix: 'Set DOCKERHUB_PASSWORD, pipe it with --password-stdin, or name an admin secret ({"username","password"}) with --admin-secret-id; it is never accepted as an argument.',
      });
    }
    if (opts.create && opts.expiresAt === undefined && opts.expiresIn === undefined) {
      problems.push({ code: 'missing-input', message: '--create needs the new token\'s expiry, and there is no terminal to ask for it.', fix: 'Pass --expires-in 30d|90d|365d|never or --expires-at YYYY-MM-DD.' });
    }
  }
  return { password, problems };
}

