import { basename } from 'node:path';
import { CliError, ExitCode, usageError } from '../errors.js';
import { validateRepository } from './tokens.js';
import type { SecretInfo } from './secret.js';

/** What a check against Docker Hub found about access (a HubReport of src/flows/validate.ts has it). */
export interface AccessFound {
  push: 'granted' | 'not-checked';
  repository: string | null;
  accessLevel: string | null;
}

// The token's lifecycle: when it expires and its label in Docker Hub. Both are
// chosen when the token is created and cannot be read back from Docker Hub with
// the token itself, so the tool records what the user says, per version.
//
// Where: a tag on the secret per version (`dockerhub-credentials:version:<id>`),
// not keys in the value. The value stays exactly what ECS, ECR pull-through cache
// and CodeBuild read (REFERENCE section 6; whether ECR and CodeBuild tolerate
// extra keys is not documented), metadata is readable with DescribeSecret alone,
// and a rollback brings the restored version's metadata back by its version id.

export interface TokenMeta {
  /** 'YYYY-MM-DD', 'never' (no expiry was set), or undefined (unknown). */
  expires?: string;
  label?: string;
  /** Docker Hub's access level for the token when it was stored, as the Hub API named it ('Read & Write'). */
  access?: string;
  /** Push to the secret's repository was granted when this version was stored. */
  push?: boolean;
  /** The Docker ID or organization the version's token logs in as (status shows it without reading the value). */
  username?: string;
  /** What was recorded but breaks the rules it was written by (a tag edited outside the tool): read as unknown. */
  invalid?: ('expiry' | 'label')[];
}

export const TAG_PREFIX = 'dockerhub-credentials:version:';
/**
 * The repository CI pushes to, remembered for the whole secret (not per version:
 * it is where CI pushes, whichever token it uses), so rotate checks push rights
 * to it by default. A tag value allows letters, digits and _ . : / = + - @, so a
 * repository name travels as it is.
 */
export const REPOSITORY_TAG = 'dockerhub-credentials:repository';
const DAY_MS = 86_400_000;
/** Docker Hub's own presets (REFERENCE section 2): none, 30 days, 90 days, or a date up to a year away. */
const EXPIRES_IN: Record<string, number | 'never'> = { '30d': 30, '90d': 90, '365d': 365, never: 'never' };

export const tagKey = (versionId: string) => `${TAG_PREFIX}${versionId}`;

/** Docker Hub's access levels, lowest first (REFERENCE 2, "Tokens and usernames"), with their one-letter tag codes. */
const ACCESS = [
  ['p', 'Public Repo Read-only'],
  ['r', 'Read-only'],
  ['w', 'Read & Write'],
  ['a', 'Read, Write, Delete'],
] as const;

/** The rank of an access level as the Hub API names it (several: the highest), or undefined when unknown. */
export function accessRank(level: string | undefined | null): number | undefined {
  if (!level) return undefined;
  const ranks = ACCESS.map(([, name], i) => (level.split(', ').includes(name) || level === name ? i : -1)).filter((i) => i >= 0);
  return ranks.length ? Math.max(...ranks) : undefined;
}

/** Tag values allow only letters, digits, spaces and _ . : / = + - @, so the JSON travels as base64url. */
export function encodeMeta(meta: TokenMeta): string {
  const rank = accessRank(meta.access);
  const fields = { e: meta.expires, l: meta.label, a: rank === undefined ? undefined : ACCESS[rank]![0], p: meta.push ? 1 : undefined };
  const withUser = Buffer.from(JSON.stringify({ ...fields, u: meta.username })).toString('base64url');
  // A tag value holds 256 characters: the username is the one field status can do without.
  return withUser.length <= 256 ? withUser : Buffer.from(JSON.stringify(fields)).toString('base64url');
}

/** A real calendar date as YYYY-MM-DD (2026-13-45 and 2027-02-30 are not). */
function calendarDate(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  return date && isoDay(date) === value ? date : undefined;
}

/**
 * A version's recorded metadata, held to the rules it was written by: anyone with
 * secretsmanager:TagResource can write a tag, so a label or expiry that the tool
 * would not have written is read as unknown and named in `invalid`.
 */
export function metaOf(info: SecretInfo, versionId: string): TokenMeta {
  const raw = info.tags[tagKey(versionId)];
  if (!raw) return {};
  let v: { e?: unknown; l?: unknown; a?: unknown; p?: unknown; u?: unknown };
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as typeof v;
    if (typeof v !== 'object' || v === null) throw new Error('not an object');
  } catch {
    return { invalid: ['expiry', 'label'] };
  }
  const invalid: ('expiry' | 'label')[] = [];
  const expires = v.e === undefined ? undefined : typeof v.e === 'string' && (v.e === 'never' || calendarDate(v.e)) ? v.e : undefined;
  if (v.e !== undefined && expires === undefined) invalid.push('expiry');
  const label = v.l === undefined ? undefined : typeof v.l === 'string' && v.l.trim() === v.l && v.l !== '' && validateLabel(v.l) === true ? v.l : undefined;
  if (v.l !== undefined && label === undefined) invalid.push('label');
  const access = ACCESS.find(([code]) => code === v.a)?.[1];
  // The same rule as a typed username: a Docker ID or an organization name, nothing else.
  const username = typeof v.u === 'string' && /^[a-z0-9][a-z0-9_-]{1,254}$/.test(v.u) ? v.u : undefined;
  return { expires, label, access, push: v.p === 1 ? true : undefined, ...(username ? { username } : {}), ...(invalid.length ? { invalid } : {}) };
}

/** The warning for metadata read as unknown because it breaks the tool's own rules; never quoting it. */
export function invalidMetaWarning(meta: TokenMeta): string | undefined {
  if (!meta.invalid?.length) return undefined;
  return `The ${meta.invalid.join(' and ')} recorded for this version ${meta.invalid.length > 1 ? 'are' : 'is'} not valid (the tag was not written by this tool), so ${meta.invalid.length > 1 ? 'they are' : 'it is'} shown as unknown.`;
}

/** The repository remembered for the secret, if it is a repository name at all. */
export function rememberedRepository(info: SecretInfo): string | undefined {
  const raw = info.tags[REPOSITORY_TAG];
  return raw !== undefined && validateRepository(raw) === true ? raw : undefined;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const today = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/** A calendar date, checked: real, not in the past, and at most a year away (Docker Hub's longest expiry, REFERENCE 2). */
export function parseExpiryDate(value: string, where: string, now = new Date()): string {
  const date = calendarDate(value.trim());
  if (!date) throw usageError(`${where} must be a date as YYYY-MM-DD.`, `For example ${where} ${isoDay(new Date(now.getTime() + 90 * DAY_MS))}.`);
  if (date < today(now)) throw usageError(`${where} ${value.trim()} is in the past.`, 'Give the expiry date Docker Hub showed when the token was created.');
  const t = today(now);
  const yearAway = new Date(Date.UTC(t.getUTCFullYear() + 1, t.getUTCMonth(), t.getUTCDate()));
  if (date > yearAway) {
    throw usageError(
      `${where} ${value.trim()} is more than a year away, and a Docker Hub token expires within a year at most.`,
      'Give the expiry date Docker Hub showed when the token was created.',
    );
  }
  return isoDay(date);
}

/** `--expires-in 30d|90d|365d|never` as the date it means, counted from today. */
export function expiresIn(value: string, now = new Date()): string {
  const preset = EXPIRES_IN[value.trim()];
  if (preset === undefined) throw usageError(`--expires-in must be one of ${Object.keys(EXPIRES_IN).join(', ')}.`, 'Or give the exact date with --expires-at YYYY-MM-DD.');
  return preset === 'never' ? 'never' : isoDay(new Date(today(now).getTime() + preset * DAY_MS));
}

export function validateLabel(label: string): true | string {
  if (label.length > 100) return 'A label is at most 100 characters.';
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(label)) return 'A label cannot hold control characters or text-direction marks.';
  return true;
}

export const sameLabel = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Every label recorded on the secret, per version. */
export function recordedLabels(info: SecretInfo): Map<string, string> {
  const labels = new Map<string, string>();
  for (const key of Object.keys(info.tags)) {
    if (!key.startsWith(TAG_PREFIX)) continue;
    const id = key.slice(TAG_PREFIX.length);
    const label = metaOf(info, id).label;
    if (label) labels.set(id, label);
  }
  return labels;
}

/** The versions other than `versionId` that carry the same label. */
export function sharingLabel(info: SecretInfo, versionId: string, label: string | undefined): string[] {
  return [...recordedLabels(info)].filter(([id, l]) => id !== versionId && sameLabel(l, label)).map(([id]) => id);
}

/**
 * The label to suggest, computed once per run and shown both in the guide and at
 * the label question, so the description typed into Docker Hub and the one
 * recorded are the same. One already recorded on the secret gets a suffix: two
 * tokens with one description cannot be told apart when the old one is revoked.
 */
export function suggestLabel(repository: string | undefined, taken: Iterable<string> = [], now = new Date()): string {
  const name = repository?.split('/')[1] ?? (basename(process.cwd()) || 'ci');
  const base = `${name}-ci-${isoDay(now).slice(0, 7)}`;
  const used = [...taken];
  let label = base;
  for (let n = 2; used.some((t) => sameLabel(t, label)); n++) label = `${base}-${n}`;
  return label;
}

function sameLabelError(label: string, suggestion: string): CliError {
  return new CliError(
    'same-label',
    `The label "${label}" is the current token's: with two tokens under one label, revoking the old one by its label could revoke the one CI uses.`,
    `Give the new token its own description in Docker Hub, and pass it with --label (for example --label ${suggestion}).`,
    ExitCode.Usage,
  );
}

/** A --label equal to the current token's is refused before anything is sent. */
export function assertNewLabel(given: TokenMeta, current: string | undefined, suggestion: string): void {
  if (sameLabel(given.label, current)) throw sameLabelError(given.label!, suggestion);
}

export interface LifecycleFlags {
  expiresAt?: string;
  expiresIn?: string;
  label?: string;
}

/** Expiry and label from the flags, checked before anything is sent. */
export function lifecycleFromFlags(flags: LifecycleFlags): TokenMeta {
  if (flags.expiresAt !== undefined && flags.expiresIn !== undefined) {
    throw usageError('--expires-at and --expires-in both say when the token expires.', 'Give one of them.');
  }
  const expires = flags.expiresAt !== undefined ? parseExpiryDate(flags.expiresAt, '--expires-at') : flags.expiresIn !== undefined ? expiresIn(flags.expiresIn) : undefined;
  const label = flags.label?.trim() || undefined;
  if (label !== undefined) {
    const ok = validateLabel(label);
    if (ok !== true) throw usageError(`--label is not usable: ${ok}`, 'Pass the token description shown in Docker Hub.');
  }
  return { expires, label };
}

/**
 * The ways a new token could do less than the one CI uses now: a lower access
 * level, or push rights that can no longer be checked. Empty when nothing drops
 * or nothing was recorded to compare with.
 */
export function accessDrops(old: TokenMeta, remembered: string | undefined, now: AccessFound): string[] {
  const reasons: string[] = [];
  const before = accessRank(old.access);
  const after = accessRank(now.accessLevel);
  if (before !== undefined && after !== undefined && after < before) {
    reasons.push(`The new token's access level is ${now.accessLevel}, lower than the current token's ${old.access}.`);
  }
  if (now.push !== 'granted') {
    const repo = remembered ?? 'its repository';
    if (old.push && now.repository) {
      reasons.push(`Push rights to ${now.repository} could not be checked for the new token, but were for the current one, so CI's pushes may fail.`);
    } else if (old.push) {
      reasons.push(`Push rights to ${repo} were checked for the current token, but not for the new one (no repository was given), so CI's pushes may fail.`);
    } else if (remembered && !now.repository) {
      reasons.push(`CI pushes to ${remembered} (remembered from an earlier run), but push rights were not checked for the new token (no repository was given), so CI's pushes may fail.`);
    }
  }
  return reasons;
}

export interface ExpiryFacts {
  expiresAt: string | null;
  daysLeft: number | null;
  label: string | null;
  rotationDue: boolean;
  expired: boolean;
  /** "2027-03-01 (in 97 days)", "never (no expiry was set)" or "unknown". */
  text: string;
}

/** A token with this many days left, or fewer, is always due, whatever its lifetime. */
export const ALWAYS_DUE_DAYS = 7;

/**
 * When a rotation is due by default: 30 days before expiry, or a third of the
 * token's lifetime if that is shorter, so a 30-day token is not due the day it
 * is stored. The lifetime counts from when the version was written, which can be
 * much later than the token's creation (`rotate --same-token --expires-at`, or a
 * token stored with little life left), so the window never drops below
 * ALWAYS_DUE_DAYS: a scheduled `verify --fail-when-due` turns red at least a week
 * before CI breaks (the stranger's trial, session 3, saw it green the day before).
 */
export function defaultWarnDays(meta: TokenMeta, storedAt: Date | undefined): number {
  const expires = meta.expires && meta.expires !== 'never' ? calendarDate(meta.expires) : undefined;
  if (!expires || !storedAt) return 30;
  const lifetime = Math.round((expires.getTime() - today(storedAt).getTime()) / DAY_MS);
  return Math.max(ALWAYS_DUE_DAYS, Math.min(30, Math.floor(lifetime / 3)));
}

export function expiryFacts(meta: TokenMeta, warnDays: number, now = new Date()): ExpiryFacts {
  const label = meta.label ?? null;
  if (meta.expires === 'never') return { expiresAt: null, daysLeft: null, label, rotationDue: false, expired: false, text: 'never (no expiry was set)' };
  if (!meta.expires) return { expiresAt: null, daysLeft: null, label, rotationDue: false, expired: false, text: 'unknown' };
  const daysLeft = Math.round((Date.parse(`${meta.expires}T00:00:00Z`) - today(now).getTime()) / DAY_MS);
  const when = daysLeft < 0 ? `expired ${-daysLeft} day${daysLeft === -1 ? '' : 's'} ago` : daysLeft === 0 ? 'today' : `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
  return { expiresAt: meta.expires, daysLeft, label, rotationDue: daysLeft <= warnDays, expired: daysLeft < 0, text: `${meta.expires} (${when})` };
}

/** How the hand-over names a token in Docker Hub. */
export function describeToken(meta: TokenMeta): string {
  const facts = expiryFacts(meta, 0);
  return [meta.label ? `"${meta.label}"` : 'label unknown', facts.expiresAt ? `expires ${facts.expiresAt}` : meta.expires === 'never' ? 'no expiry' : undefined].filter(Boolean).join(', ');
}
