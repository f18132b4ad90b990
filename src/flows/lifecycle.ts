import { basename } from 'node:path';
import { CliError, ExitCode, usageError } from '../errors.js';
import { validateRepository } from '../hub/tokens.js';
import type { Context } from '../context.js';
import type { SecretInfo, SecretStore } from '../aws/store.js';
import type { HubReport } from './validate.js';

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
  /** The Hub token's id in the management API (REFERENCE 7), when the tool or the rotation function created it. */
  id?: string;
  /** What was recorded but breaks the rules it was written by (a tag edited outside the tool): read as unknown. */
  invalid?: ('expiry' | 'label')[];
}

const TAG_PREFIX = 'dockerhub-credentials:version:';
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
  return Buffer.from(JSON.stringify({ e: meta.expires, l: meta.label, a: rank === undefined ? undefined : ACCESS[rank]![0], p: meta.push ? 1 : undefined, i: meta.id, u: meta.username })).toString('base64url');
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
  let v: { e?: unknown; l?: unknown; a?: unknown; p?: unknown; i?: unknown; u?: unknown };
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
  // A token id is a UUID or a short id of letters, digits and dashes; anything else is not one.
  const id = typeof v.i === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(v.i) ? v.i : undefined;
  // The same rule as a typed username: a Docker ID or an organization name, nothing else.
  const username = typeof v.u === 'string' && /^[a-z0-9][a-z0-9_-]{1,254}$/.test(v.u) ? v.u : undefined;
  return { expires, label, access, push: v.p === 1 ? true : undefined, ...(id ? { id } : {}), ...(username ? { username } : {}), ...(invalid.length ? { invalid } : {}) };
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

export interface LabelContext {
  /** The one suggestion of this run (suggestLabel), also shown in the guide. */
  suggestion: string;
  /** The label of the token being replaced: the new one must differ. */
  current?: string;
}

/** What the flags did not say, asked at a terminal once the token is validated. Unattended, both stay optional. */
export async function askLifecycle(ctx: Context, given: TokenMeta, labels: LabelContext): Promise<TokenMeta> {
  let { expires, label } = given;
  const { prompter } = ctx;
  if (!prompter.interactive) {
    if (expires === undefined) {
      ctx.out.warn("No expiry was given (--expires-in or --expires-at), so verify cannot tell when this token is due; pass the expiry Docker Hub showed.");
    }
    return { expires, label };
  }
  if (expires === undefined) {
    const choice = await prompter.select<string>({
      message: 'Expiration date chosen for this token in Docker Hub:',
      choices: [
        { name: 'None (never expires)', value: 'never' },
        { name: '30 days', value: '30d' },
        { name: '90 days', value: '90d' },
        { name: '1 year', value: '365d' },
        { name: 'A custom date', value: 'custom' },
        { name: "I don't know", value: 'unknown' },
      ],
      default: '90d',
      flag: '--expires-in or --expires-at',
    });
    if (choice === 'custom') {
      expires = parseExpiryDate(
        await prompter.input({
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
        }),
        '--expires-at',
      );
    } else if (choice !== 'unknown') {
      expires = expiresIn(choice);
    }
  }
  label ??=
    (await prompter.input({
      message: "The token's description in Docker Hub (its label):",
      default: labels.suggestion,
      validate: (v) =>
        sameLabel(v, labels.current)
          ? `That is the current token's label; the new token needs its own description in Docker Hub (for example ${labels.suggestion}).`
          : validateLabel(v.trim()),
      optional: true,
      flag: '--label',
    })) || undefined;
  return { expires, label };
}

/**
 * The ways a new token could do less than the one CI uses now: a lower access
 * level, or push rights that can no longer be checked. Empty when nothing drops
 * or nothing was recorded to compare with.
 */
export function accessDrops(old: TokenMeta, remembered: string | undefined, now: HubReport): string[] {
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

/**
 * Says what drops and asks, as for a change of account; unattended, only --yes goes on.
 * For setup (`setup` gives the command that replaces the token anyway), --yes does not
 * accept it: setup needs --yes to replace any value unattended, so it would accept every
 * drop unseen. At a terminal it is asked; unattended it is refused, and rotate --yes is the way.
 */
export async function confirmAccessDrops(ctx: Context, reasons: string[], setup?: { rotateLine: string }): Promise<void> {
  if (!reasons.length) return;
  for (const r of reasons) ctx.out.warn(r);
  if (ctx.settings.yes && !setup) return;
  const see = reasons.length === 1 ? 'see the warning above' : 'see the warnings above';
  if (!ctx.prompter.interactive) {
    throw new CliError(
      'access-drop',
      setup
        ? `Not stored: the new token may not do what CI does now (${see}), and setup does not accept that unattended, not even with --yes.`
        : `Not rotated: the new token may not do what CI does now (${see}), and there is no terminal to confirm it.`,
      setup
        ? `Check the token in Docker Hub (Read & Write for CI that pushes) and pass --repository; to replace the token anyway: ${setup.rotateLine}`
        : 'Check the token in Docker Hub (Read & Write for CI that pushes) and pass --repository; to rotate to it anyway, add --yes.',
      ExitCode.Usage,
    );
  }
  if (!(await ctx.prompter.confirm({ message: setup ? 'Replace the stored token with this one anyway?' : 'Rotate to this token anyway?', default: false, flag: '--yes' }))) {
    throw new CliError(setup ? 'not-replaced' : 'not-rotated', 'Kept the current token; nothing was changed.', 'Create a token with the access CI needs (Read & Write to push), and check it with --repository.', ExitCode.Usage);
  }
}

/**
 * Records the metadata of a version just written, and drops the metadata of
 * versions that no longer exist. Metadata is a convenience: a failure here is a
 * warning, never a reason to call the write failed.
 */
export async function recordMeta(ctx: Context, store: SecretStore, info: SecretInfo, versionId: string, meta: TokenMeta, repository?: string): Promise<void> {
  try {
    const tags: Record<string, string> = {};
    if (meta.expires !== undefined || meta.label !== undefined || meta.access !== undefined || meta.push || meta.username) tags[tagKey(versionId)] = encodeMeta(meta);
    if (repository && info.tags[REPOSITORY_TAG] !== repository) tags[REPOSITORY_TAG] = repository;
    if (Object.keys(tags).length) await store.tag(tags);
    const ours = Object.keys(info.tags).filter((k) => k.startsWith(TAG_PREFIX) && k !== tagKey(versionId));
    if (ours.length) {
      const existing = new Set((await store.listVersions(info.name)).map((v) => v.versionId));
      await store.untag(ours.filter((k) => !existing.has(k.slice(TAG_PREFIX.length))));
    }
  } catch (e) {
    ctx.out.warn(`The token's expiry and label could not be recorded (${(e as Error).message.replace(/\.$/, '')}); verify will show them as unknown.`);
  }
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

/**
 * When a rotation is due by default: 30 days before expiry, or a third of the
 * token's lifetime if that is shorter, so a 30-day token is not due the day it
 * is stored. The lifetime counts from when the version was written.
 */
export function defaultWarnDays(meta: TokenMeta, storedAt: Date | undefined): number {
  const expires = meta.expires && meta.expires !== 'never' ? calendarDate(meta.expires) : undefined;
  if (!expires || !storedAt) return 30;
  const lifetime = Math.round((expires.getTime() - today(storedAt).getTime()) / DAY_MS);
  return Math.max(0, Math.min(30, Math.floor(lifetime / 3)));
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
