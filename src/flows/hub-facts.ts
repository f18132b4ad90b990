import type { Context } from '../context.js';
import type { SecretStore } from '../aws/store.js';
import type { SecretInfo } from '../domain/secret.js';
import type { HubToken } from '../hub/manage.js';
import { renderWarning } from '../ui/render.js';

// Which Docker Hub token a version holds, as Docker Hub answered when the tool
// created (or identified) it: its id, kind, organization, exact expiry, scopes,
// and its state once `retire` or `rollback` changed it. One tag per version,
// beside the lifecycle tag (`dockerhub-credentials:version:<id>`), so that tag
// keeps its 256-character room for the label. Never secret: no token value.

const PREFIX = 'dockerhub-credentials:hub:';
export const hubTagKey = (versionId: string) => `${PREFIX}${versionId}`;

// When this tool itself opened a session with a version's token (to read its `source` claim: REFERENCE 7),
// which moves the token's last-used date: retire must not take that session for a consumer's use. A tag of
// its own, as the token may not be known yet (its facts need an id).
const TOUCHED = /:touched$/;
export const touchTagKey = (versionId: string) => `${PREFIX}${versionId}:touched`;
export const touchedAtOf = (info: SecretInfo, versionId: string): string | undefined => time(info.tags[touchTagKey(versionId)]);

/** Records this tool's own session with the version's token; a failure is a warning (the next retire may then refuse, never wrongly go on). */
export async function recordTouch(ctx: Context, store: SecretStore, versionId: string, at: string): Promise<void> {
  try {
    await store.tag({ [touchTagKey(versionId)]: at });
  } catch (e) {
    renderWarning(ctx.out, `That this tool opened a session with version ${versionId}'s token could not be recorded; the next retire may take it for a use after the rotation.`, e);
  }
}

export type HubState = 'active' | 'inactive' | 'deleted';

export interface HubFacts {
  id: string;
  kind: 'pat' | 'oat';
  org?: string;
  /** Docker Hub's own answer, exactly (RFC 3339), or null: never expires. */
  expiresAt?: string | null;
  createdAt?: string;
  /** PAT scopes, or the OAT's resources' scopes. */
  scopes?: string[];
  /** Created by this tool (`--create`), as opposed to identified later. */
  created?: boolean;
  /** When AWSCURRENT moved to this version (rotate --create records it). */
  promotedAt?: string;
  state?: HubState;
  stateAt?: string;
}

const ID = /^[A-Za-z0-9-]{1,64}$/;
const ORG = /^[a-z0-9][a-z0-9_-]{1,254}$/;
const TIME = /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)$/;
const time = (v: unknown) => (typeof v === 'string' && TIME.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined);

/** A tag value holds at most 256 characters (Secrets Manager's limit). */
export const MAX_TAG_VALUE = 256;

// Tag values allow letters, digits, spaces and _ . : / = + - @: the facts travel as
// `key=value` words (ids, times, scopes and organization names use only those), so
// they fit in 256 characters where base64 JSON would not.
export function encodeHubFacts(f: HubFacts): string {
  const v: Record<string, string | undefined> = {
    i: f.id,
    k: f.kind === 'pat' ? 'p' : 'o',
    o: f.org,
    x: f.expiresAt === null ? 'never' : f.expiresAt,
    c: f.createdAt,
    s: f.scopes?.length ? f.scopes.join('+') : undefined,
    n: f.created ? '1' : undefined,
    pt: f.promotedAt,
    st: f.state?.[0],
    sa: f.stateAt,
  };
  const encode = () => Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}=${x}`).join(' ');
  // What can be read again elsewhere goes first when it does not fit: the organization is the
  // secret's username, the scopes and creation date are in Docker Hub's list. The id, kind,
  // expiry, promotion and state stay.
  for (const drop of ['o', 's', 'c']) {
    if (encode().length <= MAX_TAG_VALUE) break;
    delete v[drop];
  }
  return encode();
}

/** The facts recorded for a version, held to the rules they were written by (anyone with TagResource can write a tag). */
export function hubFactsOf(info: SecretInfo, versionId: string): HubFacts | undefined {
  const raw = info.tags[hubTagKey(versionId)];
  if (!raw) return undefined;
  const v: Record<string, string> = {};
  for (const word of raw.split(' ')) {
    const eq = word.indexOf('=');
    if (eq > 0) v[word.slice(0, eq)] = word.slice(eq + 1);
  }
  if (!v.i || !ID.test(v.i) || (v.k !== 'p' && v.k !== 'o')) return undefined;
  const state = ({ a: 'active', i: 'inactive', d: 'deleted' } as const)[v.st as 'a' | 'i' | 'd'];
  return {
    id: v.i,
    kind: v.k === 'p' ? 'pat' : 'oat',
    org: v.o !== undefined && ORG.test(v.o) ? v.o : undefined,
    expiresAt: v.x === 'never' ? null : time(v.x),
    createdAt: time(v.c),
    scopes: v.s ? v.s.split('+').filter((x) => /^[a-z:_-]{1,40}$/.test(x)) : undefined,
    created: v.n === '1',
    promotedAt: time(v.pt),
    state,
    stateAt: time(v.sa),
  };
}

export const factsFrom = (t: HubToken, extra: Partial<HubFacts> = {}): HubFacts => ({
  id: t.id,
  kind: t.kind,
  org: t.org,
  expiresAt: t.expiresAt,
  createdAt: t.createdAt,
  scopes: t.scopes,
  ...extra,
});

/**
 * Records the facts of one version, and drops those of versions that no longer
 * exist. As with the lifecycle tag, a failure here is a warning: the write it
 * describes has happened.
 */
export async function recordHubFacts(ctx: Context, store: SecretStore, info: SecretInfo, versionId: string, facts: HubFacts): Promise<void> {
  try {
    await store.tag({ [hubTagKey(versionId)]: encodeHubFacts(facts) });
    const ours = Object.keys(info.tags).filter((k) => k.startsWith(PREFIX) && k !== hubTagKey(versionId) && k !== touchTagKey(versionId));
    if (ours.length) {
      const existing = new Set((await store.listVersions(info.name)).map((v) => v.versionId));
      await store.untag(ours.filter((k) => !existing.has(k.slice(PREFIX.length).replace(TOUCHED, ''))));
    }
  } catch (e) {
    renderWarning(ctx.out, `Which Docker Hub token version ${versionId} holds could not be recorded; retire will look it up by its label.`, e);
  }
}

/** The JSON form of a version's Hub token, for verify, retire and tokens. */
export const hubFactsJson = (f: HubFacts | undefined) =>
  f ? { id: f.id, kind: f.kind, org: f.org ?? null, expiresAt: f.expiresAt ?? null, createdAt: f.createdAt ?? null, scopes: f.scopes ?? [], createdByTool: Boolean(f.created), state: f.state ?? 'active', stateAt: f.stateAt ?? null } : null;
