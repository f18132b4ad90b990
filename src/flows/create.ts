import type { Context } from '../context.js';
import { cancelled, isCliError, failure, withState } from '../errors.js';
import { oatScopes, type CreatedToken, type HubClient, type OatResource, type PatScope, type TokenOwner } from '../hub/manage.js';
import { OAT_PLACE, PAT_PAGE } from '../domain/docker-hub.js';
import type { Credentials } from '../domain/tokens.js';
import { printable } from '../ui/redact.js';
import { factsFrom, type HubFacts } from './hub-facts.js';
import { identifyHubToken, unknownHubToken } from './identify.js';
import { expiresIn, parseExpiryDate, sameLabel, type TokenMeta } from '../domain/lifecycle.js';
import type { LabelContext } from './lifecycle.js';
import { hubSignIn, type SignInFlags } from './signin.js';
import { renderWarning } from '../ui/render.js';

// `--create` (issue 18, item 2): the tool creates the token through Docker
// Hub's API (REFERENCE 7), and the new token then goes through exactly the
// validation, staging and promotion of a pasted one. If anything after the
// creation fails, the token is deleted again and the deletion read back.

export interface CreateRequest {
  kind: 'pat' | 'oat';
  /** PAT: the Docker ID; OAT: the organization. */
  account: string;
  repository?: string;
  /** An OAT's repositories when --repository was repeated (the last is `repository`). */
  repositories?: string[];
  /** Whether CI pushes (a repository was given): Read & Write, or push on the OAT's repository. */
  push: boolean;
  labels: LabelContext;
  given: TokenMeta;
  /** On rotate: the token replaced, to keep its scope (PAT) or repositories and scopes (OAT). */
  replaced?: { facts?: HubFacts; meta: TokenMeta; creds: Credentials; what: string };
}

export interface Created {
  client: HubClient;
  token: CreatedToken;
  owner: TokenOwner;
  creds: Credentials;
  /** The label and expiry Docker Hub answered, for the lifecycle tag. */
  meta: TokenMeta;
  facts: HubFacts;
  /** Deletes the token (on a fresh, bounded signal), reads the deletion back, and returns the sentence saying so. */
  undo(): Promise<{ deleted: boolean; sentence: string; /** Why the deletion failed, in its own words. */ error?: unknown }>;
}

/** The expiry for the new token: the flags', or asked at a terminal (checkInputs refuses none unattended). */
async function chooseExpiry(ctx: Context, given: TokenMeta): Promise<string> {
  if (given.expires) return given.expires;
  const choice = await ctx.prompter.select<string>({
    message: 'Expiry of the new token (Docker Hub cannot change it later):',
    choices: [
      { name: '30 days', value: '30d' },
      { name: '90 days', value: '90d' },
      { name: '1 year', value: '365d' },
      { name: 'A custom date', value: 'custom' },
      { name: 'None (never expires)', value: 'never' },
    ],
    default: '90d',
    flag: '--expires-in or --expires-at',
  });
  if (choice !== 'custom') return expiresIn(choice);
  const typed = await ctx.prompter.input({
    message: 'Expiry date (YYYY-MM-DD):',
    validate: (v) => {
      try {
        parseExpiryDate(v, 'The date');
        return true;
      } catch (e) {
        return (e as Error).message;
      }
    },
    flag: '--expires-at',
  });
  return parseExpiryDate(typed, '--expires-at');
}

/** Docker Hub's access level names (as the lifecycle tag records them) as PAT scopes. */
const SCOPE_OF: Record<string, PatScope> = { 'Public Repo Read-only': 'repo:public_read', 'Read-only': 'repo:read', 'Read & Write': 'repo:write', 'Read, Write, Delete': 'repo:admin' };

/** A rotation keeps the replaced token's scope: recorded, or read from the API; a first token gets Read & Write when CI pushes. */
async function patScope(ctx: Context, client: HubClient, r: CreateRequest): Promise<PatScope> {
  const recorded = r.replaced?.facts?.scopes?.find((s): s is PatScope => Object.values(SCOPE_OF).includes(s as PatScope));
  if (recorded) return recorded;
  if (r.replaced) {
    const listed = await client.listTokens({ kind: 'pat' });
    const old = await identifyHubToken(ctx, listed, { facts: r.replaced.facts, label: r.replaced.meta.label, creds: r.replaced.creds, what: r.replaced.what });
    const scope = old?.token.scopes.find((s): s is PatScope => Object.values(SCOPE_OF).includes(s as PatScope));
    if (scope) return scope;
    const byLevel = r.replaced.meta.access ? SCOPE_OF[r.replaced.meta.access.split(', ').at(-1)!] : undefined;
    if (byLevel) return byLevel;
  }
  return r.push ? 'repo:write' : 'repo:read';
}

/** A rotation keeps the replaced OAT's repositories and scopes, read from the API; a first one lists the repository. */
async function oatResources(ctx: Context, client: HubClient, r: CreateRequest, owner: TokenOwner & { kind: 'oat' }): Promise<OatResource[]> {
  if (r.replaced) {
    const listed = await client.listTokens(owner);
    const old = await identifyHubToken(ctx, listed, { facts: r.replaced.facts, label: r.replaced.meta.label, creds: r.replaced.creds, what: r.replaced.what });
    if (!old) throw unknownHubToken(r.replaced.what, owner);
    // The list has no resources; the one-token read has them (REFERENCE 7).
    const full = await client.getToken(owner, old.token.id);
    if (full.resources?.length) return full.resources;
  }
  const paths = r.repositories ?? (r.repository ? [r.repository] : []);
  if (!paths.length) {
    throw failure('missing-input', `An organization access token lists the repositories it may use, and none was given for ${r.account}.`, `Pass --repository ${r.account}/NAME (once per repository).`);
  }
  return [...new Set(paths)].map((path) => ({ type: 'TYPE_REPO' as const, path, scopes: oatScopes(r.push) }));
}

/**
 * A label no active token of the account (or organization) has, read from Docker Hub's list: two active
 * tokens under one label make "revoke the old one by its label" revoke either (the second stranger's
 * trial, session 3, finding 13). The suggested label gets the first free `-2`, `-3`… suffix, said; a label
 * given with --label is refused with a free one to pass instead.
 */
async function freeLabel(ctx: Context, client: HubClient, owner: TokenOwner, given: string | undefined, suggestion: string): Promise<string> {
  const wanted = given ?? suggestion;
  const active = (await client.listTokens(owner)).filter((t) => t.isActive).map((t) => t.label);
  const taken = (l: string) => active.some((a) => sameLabel(a, l));
  if (!taken(wanted)) return wanted;
  let free = wanted;
  for (let n = 2; n < 100 && taken(free); n++) free = `${wanted.slice(0, 96)}-${n}`;
  if (given !== undefined || taken(free)) {
    throw failure(
      'same-label',
      `An active token ${owner.kind === 'oat' ? `of ${owner.org}` : `of ${client.username}`} in Docker Hub already has the label "${printable(wanted)}": with two tokens under one label, retiring one by its label could retire the other.`,
      taken(free) ? 'Pass a label of its own with --label.' : `Pass a label of its own, for example --label ${free}.`,
    );
  }
  ctx.out.info(`  An active token already has the label "${printable(wanted)}": the new one is "${printable(free)}".`);
  return free;
}

/** Signs in, creates the token, and returns it with its undo. */
export async function createToken(ctx: Context, flags: SignInFlags, r: CreateRequest): Promise<Created> {
  const { out } = ctx;
  const client = await hubSignIn(ctx, flags, { kind: r.kind, account: r.account, purpose: 'to create the token' });
  const owner: TokenOwner = r.kind === 'pat' ? { kind: 'pat' } : { kind: 'oat', org: r.account };
  const label = await freeLabel(ctx, client, owner, r.given.label, r.labels.suggestion);
  const expires = await chooseExpiry(ctx, r.given);
  const expiresAt = expires === 'never' ? undefined : `${expires}T00:00:00Z`;
  let token: CreatedToken;
  if (owner.kind === 'pat') {
    const scope = await patScope(ctx, client, r);
    if (ctx.signal.aborted) throw cancelled();
    token = await client.createPat({ label, scopes: [scope], expiresAt });
  } else {
    const resources = await oatResources(ctx, client, r, owner);
    if (ctx.signal.aborted) throw cancelled();
    token = await client.createOat(owner.org, { label, resources, expiresAt });
  }
  const shownScopes = token.resources?.length ? token.resources.map((x) => `${x.path}: ${x.scopes.map((s) => s.replace(/^scope-image-/, '')).join('+')}`).join(', ') : token.scopes.join(', ');
  out.ok(`Created ${owner.kind === 'pat' ? 'a personal' : `an organization (${r.account})`} access token "${printable(token.label)}" (${shownScopes}; expires ${token.expiresAt ?? 'never'}, as Docker Hub answered; id ${token.id})`);
  const creds: Credentials = { username: r.kind === 'pat' ? client.username : r.account, token: token.token };
  const facts = factsFrom(token, { created: true, state: 'active' });
  const meta: TokenMeta = { label: token.label, expires: token.expiresAt ? token.expiresAt.slice(0, 10) : token.expiresAt === null ? 'never' : undefined };
  ctx.createdToken = { label: token.label, id: token.id, page: owner.kind === 'pat' ? PAT_PAGE : OAT_PLACE };
  const undo = async () => {
    // A fresh, bounded signal: this runs after a Ctrl-C too, which aborted the run's own.
    const c = client.withSignal(AbortSignal.timeout(30_000));
    const name = `"${printable(token.label)}" (id ${token.id})`;
    const where = owner.kind === 'pat' ? PAT_PAGE : OAT_PLACE;
    try {
      const deleted = await c.deleteToken(owner, token.id);
      if (deleted) return { deleted, sentence: `the token created for this run, ${name}, was deleted in Docker Hub (read back: gone)` };
      return { deleted, sentence: `the token created for this run, ${name}, is still listed by Docker Hub after its deletion: delete it by hand at ${where}` };
    } catch (e) {
      // The refusal is shown in its own words (a Cause line), not re-worded into this sentence.
      return { deleted: false, sentence: `the token created for this run, ${name}, could not be deleted, so it is still active in Docker Hub: delete it by hand at ${where}`, error: e };
    }
  };
  return { client, token, owner, creds, meta, facts, undo };
}

/**
 * The failure of a run that created a token: the token is deleted, and the
 * failure says so in its state (an unexpected error is rethrown as it was,
 * after a warning that says what became of the token).
 */
export async function undoCreated(ctx: Context, created: Created | undefined, e: unknown): Promise<unknown> {
  if (!created) return e;
  // Progress while Docker Hub is asked (up to 30 s after a Ctrl-C; the second stranger saw a silent wait).
  ctx.out.info(`  Deleting the token this run created ("${printable(created.token.label)}", id ${created.token.id}) in Docker Hub`);
  const undone = await created.undo();
  if (undone.deleted) ctx.createdToken = undefined;
  if (undone.error !== undefined) renderWarning(ctx.out, `Docker Hub did not delete the token this run created ("${printable(created.token.label)}", id ${created.token.id}).`, undone.error);
  const sentence = undone.sentence.replace(/^the/, 'The') + '.';
  if (!isCliError(e)) {
    ctx.out.warn(sentence);
    return e;
  }
  // Said once, in the State line (it was printed twice).
  return withState(e, e.state ? `${e.state}; ${undone.sentence}` : undone.sentence);
}
