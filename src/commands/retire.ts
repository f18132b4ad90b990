import { CliError, ExitCode, failure } from '../errors.js';
import type { Context } from '../context.js';
import { askSecretId, commandLine, openStore } from '../flows/secret-id.js';
import { CURRENT, PREVIOUS, versionWithStage } from '../domain/secret.js';
import { checkCredentialValue, formatDate } from '../domain/value.js';
import { confirmOrYes } from '../flows/describe.js';
import { factsFrom, hubFactsOf, recordHubFacts, recordTouch, touchedAtOf, type HubState } from '../flows/hub-facts.js';
import { identifyHubToken, unknownHubToken } from '../flows/identify.js';
import { metaOf, sameLabel } from '../domain/lifecycle.js';
import { hubSignIn, type SignInFlags } from '../flows/signin.js';
import type { HubToken, TokenOwner } from '../hub/manage.js';
import { tokenKind } from '../domain/tokens.js';
import { printable, sameSecret } from '../ui/redact.js';

export interface RetireOptions extends SignInFlags {
  force?: boolean;
  delete?: boolean;
}

const day = (t: string | null | undefined) => (t ? formatDate(new Date(t)) : undefined);

/**
 * `retire` (issue 18, item 4): AWSPREVIOUS's Docker Hub token, retired only
 * when nothing has used it since AWSCURRENT was promoted. Deactivation (can be
 * undone: rollback re-activates it) or, with --delete, deletion; read back, and
 * recorded in the version's metadata.
 */
export async function retire(ctx: Context, o: RetireOptions): Promise<number> {
  const { out, settings } = ctx;
  out.heading('dockerhub-credentials retire');
  const secretId = await askSecretId(ctx);
  const store = await openStore(ctx, secretId);
  const info = await out.track(`Reading the versions of ${secretId}`, () => store.describeLive(), { done: (i) => `Read the versions of ${i.name}`, failed: `Could not read ${secretId}` });
  const currentId = versionWithStage(info, CURRENT);
  const previousId = versionWithStage(info, PREVIOUS);
  if (!currentId || !previousId) {
    throw new CliError('no-previous', `${secretId} has no previous version (AWSPREVIOUS), so there is no old token to retire.`, 'retire acts on the token a rotation replaced; run it after rotate.', ExitCode.Aws);
  }
  const [current, previous] = await Promise.all([store.get({ versionId: currentId }), store.get({ versionId: previousId })]);
  const cur = checkCredentialValue(current.secretString);
  const prev = checkCredentialValue(previous.secretString);
  if (!prev.token || !prev.username) {
    throw new CliError('previous-invalid', `The previous value of ${secretId} is not a valid credential: ${prev.problems.join(' ')}`, 'Nothing was changed; retire the old token in Docker Hub by hand.', ExitCode.Aws);
  }
  if (cur.token && sameSecret(cur.token, prev.token)) {
    out.ok(`AWSPREVIOUS (version ${previousId}) holds the token CI uses now: nothing to retire.`);
    if (settings.json) out.json({ ok: true, secretId, previousVersionId: previousId, action: 'none', reason: 'same-token' });
    return ExitCode.Ok;
  }
  const prevFacts = hubFactsOf(info, previousId);
  const owner: TokenOwner = tokenKind(prev.token) === 'oat' ? { kind: 'oat', org: prev.username } : { kind: 'pat' };
  if (prevFacts?.state === 'deleted') {
    out.ok(`The old token of AWSPREVIOUS (id ${prevFacts.id}) was already deleted ${day(prevFacts.stateAt) ?? ''}: nothing to retire.`);
    if (settings.json) out.json({ ok: true, secretId, previousVersionId: previousId, action: 'none', reason: 'already-deleted' });
    return ExitCode.Ok;
  }

  const client = await hubSignIn(ctx, o, { kind: owner.kind, account: prev.username, purpose: 'to retire the old token' });
  // Read first: identifying the token by its own session would move its last-used date.
  const listed = await out.track('Listing the Docker Hub tokens', () => client.listTokens(owner), { done: (l) => `Docker Hub lists ${l.length} token${l.length === 1 ? '' : 's'}${owner.kind === 'oat' ? ` of ${owner.org}` : ` of ${client.username}`}`, failed: 'Could not list the tokens' });
  const currentToken = await identifyHubToken(ctx, listed, { facts: hubFactsOf(info, currentId), label: metaOf(info, currentId).label, what: `AWSCURRENT (version ${currentId})`, quiet: true });
  const prevLabel = metaOf(info, previousId).label;
  const touchedAt = new Date().toISOString();
  const promotedAt = hubFactsOf(info, currentId)?.promotedAt ?? current.created?.toISOString();
  // A last use after AWSCURRENT's promotion is a consumer's, unless it is no later than this tool's own
  // session with the token (an earlier retire reading its claim, a minute's leeway for Docker Hub's clock).
  const touchedBefore = touchedAtOf(info, previousId);
  const ours = (used: string) => touchedBefore !== undefined && Date.parse(used) <= Date.parse(touchedBefore) + 60_000;
  const usedAfterRotation = (used: string | null | undefined) => Boolean(used && promotedAt && Date.parse(used) > Date.parse(promotedAt) && !ours(used));
  // --delete cannot be undone: the token must be proven (its recorded id, its session's claim) or chosen at a
  // terminal. A label alone suggests it; deactivating by label stays allowed, as rollback undoes it.
  const found = await identifyHubToken(ctx, listed, { facts: prevFacts, label: prevLabel, creds: { username: prev.username, token: prev.token }, what: `AWSPREVIOUS (version ${previousId})`, needProof: o.delete });
  // Whether the claim's session was opened (no recorded id matched): it moved the token's last-used date.
  const touchedNow = !(prevFacts && listed.some((t) => t.id === prevFacts.id));
  if (!found) {
    const byLabel = prevLabel ? listed.filter((t) => sameLabel(t.label, prevLabel)) : [];
    // The session is this tool's: recorded when the label's token, read before it, shows no use after the rotation.
    if (byLabel.length === 1 && promotedAt && !usedAfterRotation(byLabel[0]!.lastUsed)) await recordTouch(ctx, store, previousId, touchedAt);
    if (o.delete && byLabel.length === 1) {
      throw failure(
        'hub-token-unknown',
        `The old token is known only by its recorded label "${printable(prevLabel!)}" (no id was recorded, and its session names no listed token), which does not prove it is the one AWSPREVIOUS holds, so it is not deleted.`,
        `Deactivate it instead (rollback undoes that): ${commandLine(ctx, 'retire', secretId)} without --delete; or run at a terminal to choose it from the list; or delete it in Docker Hub.`,
      );
    }
    throw unknownHubToken(`AWSPREVIOUS (version ${previousId})`, owner);
  }
  const old = found.token;
  if (currentToken && currentToken.token.id === old.id) {
    throw failure('hub-token-unknown', `AWSPREVIOUS and AWSCURRENT point at the same Docker Hub token (id ${old.id}), so retiring it would break CI.`, 'Check the versions with npx dockerhub-credentials history, and retire the old token in Docker Hub by hand.');
  }
  const show = (t: HubToken, title: string) => {
    out.info(`  ${title}: "${printable(t.label)}" (${t.scopes.join(', ') || t.resources?.map((r) => r.path).join(', ') || 'scopes not listed'}), id ${t.id}`);
    out.info(`    created ${day(t.createdAt) ?? 'unknown'}, expires ${t.expiresAt === null ? 'never' : (day(t.expiresAt) ?? 'unknown')}, last used ${t.lastUsed ? day(t.lastUsed) : 'never'}${t.isActive ? '' : ', deactivated'}`);
  };
  out.info('');
  show(old, `Old token (AWSPREVIOUS, found by its ${found.how.replace('-', ' ')})`);
  if (found.how === 'label') out.info('    (known by its recorded label alone: deactivating it is allowed, as rollback undoes it; --delete needs its recorded id, its session\'s claim or a choice at a terminal)');
  if (currentToken) show(currentToken.token, 'Current token (AWSCURRENT)');
  out.info(`  AWSCURRENT was promoted ${promotedAt ? day(promotedAt) : 'at an unknown time'}.`);

  const usedAfter = usedAfterRotation(old.lastUsed);
  // Proven or chosen: recorded, so the next run knows it by its id. The claim's session moved its last-used
  // date: that session is recorded as this tool's only when the dates read before it showed no use after the
  // rotation (otherwise it would hide that use from the next run).
  if (touchedNow && !usedAfter) await recordTouch(ctx, store, previousId, touchedAt);
  if (found.how === 'source-claim' || found.how === 'chosen') {
    await recordHubFacts(ctx, store, info, previousId, factsFrom(old, { created: prevFacts?.created, promotedAt: prevFacts?.promotedAt, state: old.isActive ? 'active' : 'inactive' }));
  }
  if (usedAfter) {
    const why = `The old token was last used ${day(old.lastUsed)}, after AWSCURRENT was promoted (${day(promotedAt)}): something still reads an old copy of it.`;
    if (!o.force) {
      throw failure(
        'old-token-in-use',
        why,
        `Find what still uses it (a CI cache, a copied secret, a local docker login${currentToken?.token.lastUsed ? `; the current token was last used ${day(currentToken.token.lastUsed)}` : ''}), then run retire again; to retire it anyway: ${commandLine(ctx, 'retire', secretId)} --force`,
      );
    }
    out.warn(`${why} --force: retiring it anyway.`);
  }
  if (!old.isActive && !o.delete) {
    await recordHubFacts(ctx, store, info, previousId, factsFrom(old, { created: prevFacts?.created, promotedAt: prevFacts?.promotedAt, state: 'inactive', stateAt: prevFacts?.stateAt ?? new Date().toISOString() }));
    out.ok(`The old token "${printable(old.label)}" is already deactivated; nothing was changed.`);
    if (settings.json) out.json({ ok: true, secretId, previousVersionId: previousId, action: 'none', reason: 'already-deactivated', token: tokenJson(old) });
    return ExitCode.Ok;
  }
  const verb = o.delete ? 'Delete' : 'Deactivate';
  if (!(await confirmOrYes(ctx, `${verb} the old token "${printable(old.label)}" in Docker Hub${o.delete ? ' for good (it cannot be undone)' : ' (rollback re-activates it)'}?`))) {
    throw new CliError('not-retired', `Left the old token "${printable(old.label)}" as it was.`, `Run ${commandLine(ctx, 'retire', secretId)} again when you are ready.`, ExitCode.Usage);
  }
  let state: HubState;
  let after: HubToken | undefined;
  if (o.delete) {
    const gone = await client.deleteToken(owner, old.id);
    if (!gone) throw failure('hub-error', `Docker Hub still lists the old token "${printable(old.label)}" after deleting it.`, 'Try again in a moment, or delete it in Docker Hub.');
    state = 'deleted';
  } else {
    after = await client.setActive(owner, old.id, false);
    if (after.isActive) throw failure('hub-error', `Docker Hub still shows the old token "${printable(old.label)}" as active after deactivating it.`, 'Try again in a moment, or deactivate it in Docker Hub.');
    state = 'inactive';
  }
  const stateAt = new Date().toISOString();
  await recordHubFacts(ctx, store, info, previousId, factsFrom(old, { created: prevFacts?.created, promotedAt: prevFacts?.promotedAt, state, stateAt }));
  const done = state === 'deleted' ? 'deleted (read back: Docker Hub no longer lists it)' : 'deactivated (read back: inactive)';
  if (settings.json) {
    out.json({ ok: true, secretId, previousVersionId: previousId, currentVersionId: currentId, action: state === 'deleted' ? 'deleted' : 'deactivated', state, identifiedBy: found.how, promotedAt: promotedAt ?? null, usedAfterRotation: usedAfter, token: tokenJson(after ?? old), rollback: state === 'inactive' ? commandLine(ctx, 'rollback', secretId) : null });
    return ExitCode.Ok;
  }
  out.data('');
  out.data(`${out.out.green('✓')} ${out.out.bold('Retired.')} The old token "${printable(old.label)}" is ${done}.`);
  if (state === 'inactive') out.data(`  To undo: ${commandLine(ctx, 'rollback', secretId)} re-activates it before it makes it current again.`);
  else out.data('  Deleted tokens cannot be restored: a rollback to AWSPREVIOUS would now fail.');
  return ExitCode.Ok;
}

const tokenJson = (t: HubToken) => ({ id: t.id, kind: t.kind, org: t.org ?? null, label: t.label, scopes: t.scopes, createdAt: t.createdAt ?? null, expiresAt: t.expiresAt ?? null, lastUsed: t.lastUsed ?? null, isActive: t.isActive });
