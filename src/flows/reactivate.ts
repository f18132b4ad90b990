import type { Context } from '../context.js';
import { failure, isCliError, withState } from '../errors.js';
import type { SecretStore } from '../aws/store.js';
import type { SecretInfo } from '../domain/secret.js';
import type { TokenOwner } from '../hub/manage.js';
import type { Credentials } from '../domain/tokens.js';
import { printable } from '../ui/redact.js';
import { hubFactsOf, recordHubFacts } from './hub-facts.js';
import { hubSignIn, type SignInFlags } from './signin.js';

/**
 * Before a rollback validates AWSPREVIOUS: a token that `retire` deactivated is
 * re-activated with a password (Docker Hub refuses it until then), read back,
 * and recorded; without a way to sign in, the rollback stops and says why it
 * would fail. A deleted token cannot come back.
 */
export async function reactivatePrevious(ctx: Context, flags: SignInFlags, store: SecretStore, info: SecretInfo, previousId: string, previous: Credentials): Promise<Reactivated | undefined> {
  const facts = hubFactsOf(info, previousId);
  if (!facts || !facts.state || facts.state === 'active') return undefined;
  const when = facts.stateAt ? ` on ${facts.stateAt.slice(0, 10)}` : '';
  if (facts.state === 'deleted') {
    throw failure(
      'previous-deactivated',
      `The previous token (Docker Hub id ${facts.id}) was deleted by retire${when}, so rolling back to it would break CI.`,
      'Nothing was changed. Store a working token instead: npx dockerhub-credentials rotate --create --secret-id ' + store.secretId,
    );
  }
  if (!ctx.password && !flags.adminSecretId && !ctx.prompter.interactive) {
    throw failure(
      'previous-deactivated',
      `The previous token (Docker Hub id ${facts.id}) was deactivated by retire${when}: Docker Hub refuses it until it is re-activated, so the rollback would fail.`,
      `Nothing was changed. Give the Docker Hub password to re-activate it first: DOCKERHUB_PASSWORD=... npx dockerhub-credentials rollback --secret-id ${store.secretId} --yes (or --password-stdin, or --admin-secret-id).`,
    );
  }
  const owner: TokenOwner = facts.kind === 'oat' ? { kind: 'oat', org: facts.org ?? previous.username } : { kind: 'pat' };
  const client = await hubSignIn(ctx, flags, { kind: facts.kind, account: owner.kind === 'oat' ? owner.org : previous.username, purpose: 'to re-activate the previous token' });
  const after = await client.setActive(owner, facts.id, true);
  if (!after.isActive) throw failure('hub-error', `Docker Hub still shows the previous token "${printable(after.label)}" as deactivated after re-activating it.`, 'Try again in a moment, or re-activate it in Docker Hub.');
  await recordHubFacts(ctx, store, info, previousId, { ...facts, state: 'active', stateAt: new Date().toISOString() });
  ctx.out.ok(`Re-activated the previous token "${printable(after.label)}" in Docker Hub (read back: active)`);
  return {
    // The rollback did not happen (declined, refused, a signal): the token goes back to how retire left it.
    undo: async (e: unknown) => {
      const c = client.withSignal(AbortSignal.timeout(30_000));
      let sentence: string;
      try {
        const again = await c.setActive(owner, facts.id, false);
        await recordHubFacts(ctx, store, info, previousId, { ...facts, state: 'inactive' });
        sentence = again.isActive ? `the previous token "${printable(after.label)}" is still active in Docker Hub: deactivate it there, or run retire again` : `the previous token "${printable(after.label)}" was deactivated again (read back), as retire left it`;
      } catch {
        sentence = `the previous token "${printable(after.label)}" could not be deactivated again: run retire again, or deactivate it in Docker Hub`;
      }
      if (!isCliError(e)) {
        ctx.out.warn(`${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`);
        return e;
      }
      return withState(e, e.state ? `${e.state}; ${sentence}` : sentence);
    },
  };
}

export interface Reactivated {
  undo(e: unknown): Promise<unknown>;
}
