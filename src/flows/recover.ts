import { CliError, ExitCode, isCliError, type ErrorCode } from '../errors.js';
import type { CodeIn } from '../catalogue.js';
import type { Context } from '../context.js';
import { ownerOf } from '../hub/registry.js';
import { type Credentials, validateUsername } from '../domain/tokens.js';
import { askRepository, askToken, releaseReplacedToken } from './collect.js';
import { validateAgainstHub, type HubReport } from './validate.js';
import { renderHeadline, renderHint } from '../ui/render.js';

type Next = 'username' | 'token' | 'repository' | 'skip' | 'quit';

/** The Docker Hub refusals (exit 3, src/hub/registry.ts) that recovery branches on: rows of the catalogue, so a typo here does not compile. */
export type Rejection = Extract<CodeIn<'hub'>, 'credentials-rejected' | 'wrong-user' | 'token-expired' | 'password-2fa' | 'no-push' | 'no-push-namespace'>;

/**
 * What can fix each refusal, the likeliest first (the default). A namespace
 * without push is not the token's fault: only the repository can change. A
 * token whose access level lacks push (Read-only) needs another token, or
 * another repository (none skips the push check).
 */
const FIXES: Record<Rejection, readonly Next[]> = {
  'credentials-rejected': ['username', 'token', 'quit'],
  'wrong-user': ['username', 'token', 'quit'],
  'token-expired': ['token', 'username', 'quit'],
  'password-2fa': ['token', 'quit'],
  'no-push': ['token', 'repository', 'quit'],
  'no-push-namespace': ['repository', 'quit'],
};

const isRejection = (code: ErrorCode): code is Rejection => Object.hasOwn(FIXES, code);

export interface Recovered {
  creds: Credentials;
  validation: HubReport;
  /** The repository the push check ran against: the one given, or the one typed during recovery (undefined: skipped). */
  repository: string | undefined;
}

/**
 * Validation that forgives a mistake at a terminal. When Docker Hub refuses,
 * the person chooses among the fixes for that refusal: type the Docker ID
 * again, paste another token, change the repository, or stop; when the token
 * is good but someone else's, using its owner is one keypress. Without a
 * terminal the first failure ends the run, with its exit code, as before.
 */
export async function validateWithRecovery(
  ctx: Context,
  first: Credentials,
  firstRepository: string | undefined,
  /** A token this run created (--create): only the repository can change (another Docker ID or a pasted token is not it). */
  o: { created?: boolean } = {},
): Promise<Recovered> {
  let creds = first;
  let repository = firstRepository;
  for (;;) {
    try {
      return { creds, validation: await validateAgainstHub(ctx, creds, repository), repository };
    } catch (e) {
      if (!ctx.prompter.interactive || !isCliError(e) || e.exitCode !== ExitCode.Rejected || !isRejection(e.code) || ctx.signal.aborted) throw e;
      const fixes = FIXES[e.code].filter((f) => !o.created || f === 'repository' || f === 'quit');
      // Nothing the person can change here (a created token refused at sign-in): the run ends with the failure.
      if (!fixes.includes('repository') && o.created) throw e;
      const { out, prompter } = ctx;
      renderHeadline(out, e);
      const owner = o.created ? undefined : ownerOf(e);
      if (owner && (await prompter.confirm({ message: `This token belongs to ${owner}, not ${creds.username}: use ${owner}?`, default: true, flag: '--username' }))) {
        creds = { ...creds, username: owner };
        continue;
      }
      renderHint(out, e);
      const names: Record<Next, string> = {
        username: `Type the Docker ID again (now ${creds.username})`,
        token: 'Paste another token',
        repository: `Change the repository (now ${repository})`,
        // An explicit choice: an emptied answer at the repository prompt is easy to get wrong (stranger finding 10).
        skip: `Skip the push check (do not check ${repository})`,
        quit: 'Stop',
      };
      const next = await prompter.select<Next>({
        message: 'What now?',
        choices: fixes.flatMap((value): Next[] => (value === 'repository' ? ['repository', 'skip'] : [value])).map((value) => ({ name: names[value], value })),
        default: owner && fixes.includes('token') ? 'token' : fixes[0],
        flag: '--username',
      });
      // The failure and its fix are on screen already: the run ends with one line, not a second copy.
      if (next === 'quit') throw new CliError(e.code, 'Stopped at your choice.', undefined, e.exitCode);
      if (next === 'username') {
        creds = {
          ...creds,
          username: await prompter.input({ message: 'Docker ID (or organization name for an organization token):', default: creds.username, validate: validateUsername, flag: '--username' }),
        };
      } else if (next === 'repository') {
        repository = (await askRepository(ctx, repository))?.trim() || undefined;
      } else if (next === 'skip') {
        repository = undefined;
      } else {
        const token = await askToken(ctx, 'Access token (input hidden):', creds.username);
        // The answer replaced is no longer the token: a name typed there by mistake is shown again.
        if (token !== creds.token) releaseReplacedToken(creds.token);
        creds = { ...creds, token };
      }
      out.info('');
      out.heading('Validating against Docker Hub again');
    }
  }
}
