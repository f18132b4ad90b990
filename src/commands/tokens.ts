import { usageError } from '../errors.js';
import type { Context } from '../context.js';
import { openStore } from '../flows/secret-id.js';
import { CURRENT, PENDING, PREVIOUS, type SecretInfo } from '../domain/secret.js';
import { hubFactsOf } from '../flows/hub-facts.js';
import { expiryFacts, metaOf, sameLabel } from '../domain/lifecycle.js';
import { checkAnswer } from '../flows/inputs.js';
import type { HubToken, TokenOwner } from '../hub/manage.js';
import { tokenKind } from '../domain/tokens.js';
import { checkCredentialValue } from '../domain/value.js';
import { askDockerId, hubSignIn, type SignInFlags } from '../flows/signin.js';
import { printable } from '../ui/redact.js';

export interface TokensOptions extends SignInFlags {
  org?: string;
  unusedDays?: string;
  warnDays?: string;
}

const DAY_MS = 86_400_000;
const STAGES = [CURRENT, PREVIOUS, PENDING];

interface Holder {
  secretId: string;
  stage: string;
  versionId: string;
  /** How the version is tied to the token: its recorded id, or its recorded label (one listed token carries it). */
  by: 'recorded-id' | 'label';
}

const days = (value: string | undefined, flag: string, fallback: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 3650) throw usageError(`${flag} must be a whole number of days from 0 to 3650.`, `For example ${flag} ${fallback}.`);
  return n;
};

/**
 * Which versions of `secrets` hold each listed token: the recorded id, or a label only that
 * token carries. A version with a recorded id is never matched by its label, and a version
 * recorded as another account's never matches this account's list: two accounts' tokens
 * share labels easily (`app-ci-2026-12` for any `*\/app`; the second stranger's trial, session 3,
 * saw a PAT's secret named as the holder of an organization's OAT).
 */
function holders(listed: HubToken[], secrets: SecretInfo[], account: string): Map<string, Holder[]> {
  const out = new Map<string, Holder[]>(listed.map((t) => [t.id, []]));
  for (const s of secrets) {
    for (const [versionId, stages] of Object.entries(s.versions)) {
      for (const stage of stages.filter((x) => STAGES.includes(x))) {
        const id = hubFactsOf(s, versionId)?.id;
        const meta = metaOf(s, versionId);
        const label = id || (meta.username !== undefined && meta.username !== account) ? undefined : meta.label;
        const byLabel = label ? listed.filter((t) => sameLabel(t.label, label)) : [];
        const token = (id && listed.find((t) => t.id === id)) || (byLabel.length === 1 ? byLabel[0] : undefined);
        if (token) out.get(token.id)!.push({ secretId: s.name, stage, versionId, by: id && token.id === id ? 'recorded-id' : 'label' });
      }
    }
  }
  return out;
}

/**
 * `tokens` (issue 18, item 5): the account's PATs (or an organization's OATs)
 * held against the secrets that store them, flagging tokens no secret holds
 * and nothing used for --unused-days, and tokens that expire within --warn-days.
 */
export async function tokens(ctx: Context, o: TokensOptions): Promise<number> {
  const { out, settings } = ctx;
  const unusedDays = days(o.unusedDays, '--unused-days', 90);
  const warnDays = days(o.warnDays, '--warn-days', 30);
  if (o.org !== undefined && checkAnswer('username', o.org) !== true) throw usageError(`--org "${printable(o.org.slice(0, 60))}" is not an organization name.`, 'Pass the organization\'s name, for example --org myorg.');
  out.heading('dockerhub-credentials tokens');
  // Whose tokens: --org, --username, the given secret's own account, the admin secret's username, or, only
  // when none of those exists, a question asked before the password's (the second stranger typed the
  // password into a Docker ID prompt that came right after the password prompt).
  const fromFlag = Boolean(settings.secretId && settings.origin.secretId?.from === 'flag');
  const mayKnow = o.org !== undefined || settings.username !== undefined || fromFlag || o.adminSecretId !== undefined;
  let account: string | undefined = o.org ?? settings.username ?? (mayKnow ? undefined : await askDockerId(ctx));
  let kind: 'pat' | 'oat' = o.org ? 'oat' : 'pat';

  // The secrets to hold them against: the one given on the command line, or every secret of the region with
  // this tool's tags. A secret id from the environment or a config file (a single-secret default) does not
  // narrow a listing of every token (the second stranger saw every OAT "held by none").
  let secrets: SecretInfo[];
  if (fromFlag) {
    const store = await openStore(ctx, settings.secretId!);
    secrets = [await store.describeLive()];
    if (account === undefined) {
      const held = checkCredentialValue((await store.get({ stage: CURRENT })).secretString);
      if (held.username && held.token) {
        account = held.username;
        kind = tokenKind(held.token) === 'oat' ? 'oat' : 'pat';
        out.ok(`Listing the tokens of ${account}, whose ${kind === 'oat' ? 'organization' : 'personal'} access token ${settings.secretId} holds`);
      }
    }
  } else {
    const store = await openStore(ctx, 'dockerhub-credentials-list');
    secrets = await out.track('Finding the secrets this tool wrote', async () => (store.toolSecrets ? store.toolSecrets() : []), { done: (l) => `Found ${l.length} secret${l.length === 1 ? '' : 's'} with this tool's tags`, failed: 'Could not list the secrets' });
  }
  const owner: TokenOwner = kind === 'oat' ? { kind: 'oat', org: account! } : { kind: 'pat' };
  // A personal account still unknown: the admin secret's username, else asked, in the sign-in, before the password.
  const client = await hubSignIn(ctx, o, { kind, account, purpose: 'to list the tokens' });
  account ??= client.username;
  const listed = await out.track('Listing the Docker Hub tokens', () => client.listTokens(owner), { done: (l) => `Docker Hub lists ${l.length} token${l.length === 1 ? '' : 's'}`, failed: 'Could not list the tokens' });

  const held = holders(listed, secrets, account);
  const now = ctx.clock().getTime();
  const rows = listed.map((t) => {
    const heldBy = held.get(t.id) ?? [];
    const lastTouch = Date.parse(t.lastUsed ?? t.createdAt ?? '');
    const idle = Number.isNaN(lastTouch) || now - lastTouch > unusedDays * DAY_MS;
    // One rule with status and verify (expiryFacts): whole UTC days left, due when within --warn-days.
    const expiry = expiryFacts({ expires: t.expiresAt ? t.expiresAt.slice(0, 10) : undefined }, warnDays, new Date(now));
    return {
      id: t.id,
      kind: t.kind,
      label: t.label,
      scopes: t.scopes,
      createdAt: t.createdAt ?? null,
      expiresAt: t.expiresAt ?? null,
      lastUsed: t.lastUsed ?? null,
      isActive: t.isActive,
      heldBy,
      orphan: heldBy.length === 0 && idle,
      expiresSoon: expiry.rotationDue || expiry.expired,
    };
  });
  if (settings.json) {
    out.json({ ok: true, account, kind, unusedDays, warnDays, tokens: rows, secretsSearched: secrets.map((s) => s.name) });
    return 0;
  }
  out.data('');
  for (const r of rows) {
    const flags = [r.isActive ? undefined : 'deactivated', r.orphan ? `no secret holds it and unused for ${unusedDays}+ days` : undefined, r.expiresSoon ? `expires within ${warnDays} days` : undefined].filter(Boolean);
    out.data(`${r.orphan || r.expiresSoon ? out.out.yellow('!') : ' '} "${printable(r.label)}" (${r.scopes.join(', ') || 'no scopes listed'}), id ${r.id}`);
    out.data(`    created ${r.createdAt?.slice(0, 10) ?? '?'}, expires ${r.expiresAt === null ? 'never' : r.expiresAt.slice(0, 10)}, last used ${r.lastUsed?.slice(0, 10) ?? 'never'}`);
    out.data(`    held by: ${r.heldBy.length ? r.heldBy.map((h) => `${h.secretId} ${h.stage}`).join(', ') : 'none of the secrets searched'}${flags.length ? `; ${flags.join('; ')}` : ''}`);
  }
  out.data('');
  out.data(`Searched ${secrets.length} secret${secrets.length === 1 ? '' : 's'}: ${secrets.map((s) => s.name).join(', ') || 'none'}.`);
  return 0;
}
