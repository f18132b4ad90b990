import { ExitCode, isCliError } from '../errors.js';
import type { Context } from '../context.js';
import { ownerOf, type Credentials } from '../hub/registry.js';
import { validateUsername } from '../hub/tokens.js';
import { askToken, releaseReplacedToken } from './collect.js';
import { validateAgainstHub, type HubReport } from './validate.js';

type Next = 'username' | 'token' | 'quit';

/**
 * Validation that forgives a mistake at a terminal. When Docker Hub rejects the
 * Docker ID or the token, the person chooses: type the Docker ID again, paste
 * another token, or stop; when the token is good but someone else's, using its
 * owner is one keypress. Without a terminal the first failure ends the run, with
 * its exit code, as before.
 */
export async function validateWithRecovery(ctx: Context, first: Credentials, repository: string | undefined): Promise<{ creds: Credentials; validation: HubReport }> {
  let creds = first;
  for (;;) {
    try {
      return { creds, validation: await validateAgainstHub(ctx, creds, repository) };
    } catch (e) {
      if (!ctx.prompter.interactive || !isCliError(e) || e.exitCode !== ExitCode.Rejected || e.code === 'no-push' || ctx.signal.aborted) throw e;
      const { out, prompter } = ctx;
      out.fail(e.message);
      const owner = ownerOf(e);
      if (owner && (await prompter.confirm({ message: `This token belongs to ${owner}, not ${creds.username}: use ${owner}?`, default: true, flag: '--username' }))) {
        creds = { ...creds, username: owner };
        continue;
      }
      if (e.hint) out.info(`  ${e.hint}`);
      const next = await prompter.select<Next>({
        message: 'What now?',
        choices: [
          { name: `Type the Docker ID again (now ${creds.username})`, value: 'username' },
          { name: 'Paste another token', value: 'token' },
          { name: 'Stop', value: 'quit' },
        ],
        default: owner ? 'token' : 'username',
        flag: '--username',
      });
      if (next === 'quit') throw e;
      if (next === 'username') {
        creds = {
          ...creds,
          username: await prompter.input({ message: 'Docker ID (or organization name for an organization token):', default: creds.username, validate: validateUsername, flag: '--username' }),
        };
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
