import type { Context } from '../context.js';
import { failure } from '../errors.js';
import { HUB_CLAIM } from '../domain/docker-hub.js';
import { jwtPayload, readJson, request } from '../hub/http.js';
import type { HubClient, HubToken, TokenOwner } from '../hub/manage.js';
import type { Credentials } from '../domain/tokens.js';
import type { HubFacts } from './hub-facts.js';
import { sameLabel } from '../domain/lifecycle.js';
import { printable } from '../ui/redact.js';

// Which listed Docker Hub token a secret's version holds (issue 18, item 3):
// the recorded id; failing that, the `source` claim of a /v2/auth/token session
// opened with the token (REFERENCE 7: whether its id is the API's is unconfirmed,
// so it counts only when it matches a listed token); failing that, the recorded
// label when exactly one listed token carries it (not enough before a deletion);
// at a terminal, the user's choice. Never a silent guess.

export type HowKnown = 'recorded-id' | 'source-claim' | 'label' | 'chosen';

/** The `source` claim's token id: `docker_pat|<id>`, `docker_oat|<id>`, or the older `{type, id}` (REFERENCE 7). */
export function sourceClaimId(claim: unknown): string | undefined {
  if (typeof claim === 'string') return /^docker_(pat|oat)\|([A-Za-z0-9-]{1,64})$/.exec(claim)?.[2];
  if (typeof claim === 'object' && claim !== null) {
    const { type, id } = claim as { type?: unknown; id?: unknown };
    if (typeof id === 'string' && (type === 'docker_pat' || type === 'docker_oat' || type === 'pat' || type === 'oat')) return id;
  }
  return undefined;
}

/** The id in the `source` claim of a session opened with the token itself; undefined when there is none. Moves its last-used date. */
async function sourceOf(ctx: Context, creds: Credentials): Promise<string | undefined> {
  try {
    const res = await request(
      new URL('/v2/auth/token', ctx.settings.hubUrl).toString(),
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: creds.username, secret: creds.token }) },
      { signal: ctx.signal, what: 'the Docker Hub API', log: (l) => ctx.out.debug(l), account: creds.username, maxRateLimitWaitSeconds: 0 },
    );
    const body = await readJson(res);
    if (res.status !== 200) return undefined;
    const claim = jwtPayload(body.access_token)?.[HUB_CLAIM] as { source?: unknown } | undefined;
    return sourceClaimId(claim?.source);
  } catch {
    return undefined;
  }
}

export interface Identified {
  token: HubToken;
  how: HowKnown;
}

/**
 * The listed token a version holds, or undefined (said in a warning) when it
 * cannot be told. `creds` (the version's own token) is used when no recorded id
 * decides; opening a session with it moves its last-used date, so callers read
 * the dates they compare before calling this, and record what it found.
 */
export async function identifyHubToken(
  ctx: Context,
  listed: HubToken[],
  o: {
    facts?: HubFacts;
    label?: string;
    creds?: Credentials;
    what: string;
    /** No choice asked, no warning: a lookup on the side. */
    quiet?: boolean;
    /** Something that cannot be undone follows (retire --delete): a label alone does not do; at a terminal it is the default of the choice. */
    needProof?: boolean;
  },
): Promise<Identified | undefined> {
  if (o.facts) {
    const byId = listed.find((t) => t.id === o.facts!.id);
    if (byId) return { token: byId, how: 'recorded-id' };
  }
  // The claim proves which token it is; a label only suggests it (issue 18, item 3). Absent, or naming a
  // token the list does not have (REFERENCE 7: unconfirmed that its id is the API's), the label is next.
  if (o.creds) {
    const id = await sourceOf(ctx, o.creds);
    const bySource = id ? listed.find((t) => t.id === id) : undefined;
    if (bySource) return { token: bySource, how: 'source-claim' };
  }
  const byLabel = o.label ? listed.filter((t) => sameLabel(t.label, o.label)) : [];
  if (byLabel.length === 1 && !o.needProof) return { token: byLabel[0]!, how: 'label' };
  if (o.quiet) return undefined;
  if (ctx.prompter.interactive && listed.length) {
    const none = '\u0000none';
    const suggested = byLabel.length === 1 ? byLabel[0] : undefined;
    if (suggested) ctx.out.info(`  Only the label "${printable(o.label!)}" was recorded for ${o.what}, which does not prove which token it holds: choose it to go on.`);
    const choice = await ctx.prompter.select<string>({
      message: suggested ? `Which Docker Hub token does ${o.what} hold?` : `Which Docker Hub token does ${o.what} hold? (its id and label were not recorded)`,
      choices: [
        ...listed.map((t) => ({ name: `${printable(t.label)} (${t.scopes.join(', ') || 'no scopes listed'}, created ${t.createdAt?.slice(0, 10) ?? '?'}, last used ${t.lastUsed?.slice(0, 10) ?? 'never'}${t.isActive ? '' : ', deactivated'})`, value: t.id })),
        { name: 'None of these / I do not know', value: none },
      ],
      ...(suggested ? { default: suggested.id } : {}),
      flag: '--yes',
    });
    const chosen = listed.find((t) => t.id === choice);
    if (chosen) return { token: chosen, how: 'chosen' };
  }
  if (byLabel.length === 1) return undefined; // needProof: the caller says why a label alone does not do
  ctx.out.warn(
    `Which Docker Hub token ${o.what} holds cannot be told: no id was recorded${o.label ? `, ${byLabel.length} listed tokens carry its label "${printable(o.label)}"` : ', no label was recorded'}, and the token's session names none of the listed ones.`,
  );
  return undefined;
}

export const unknownHubToken = (what: string, owner: TokenOwner) =>
  failure(
    'hub-token-unknown',
    `Which Docker Hub token ${what} holds cannot be told, so it is not touched.`,
    `Run at a terminal to choose it from the list (npx dockerhub-credentials tokens${owner.kind === 'oat' ? ` --org ${owner.org}` : ''} shows them), or manage it in Docker Hub.`,
  );

/** Lists the tokens for `owner`, for identification. */
export const listFor = (client: HubClient, owner: TokenOwner) => client.listTokens(owner);
