import { basename } from 'node:path';
import { usageError } from '../errors.js';
import type { Context } from '../context.js';
import type { SecretInfo, SecretStore } from '../aws/store.js';

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
}

const TAG_PREFIX = 'dockerhub-credentials:version:';
const DAY_MS = 86_400_000;
/** Docker Hub's own presets (REFERENCE section 2): none, 30 days, 90 days, or a date up to a year away. */
const EXPIRES_IN: Record<string, number | 'never'> = { '30d': 30, '90d': 90, '365d': 365, never: 'never' };

export const tagKey = (versionId: string) => `${TAG_PREFIX}${versionId}`;

/** Tag values allow only letters, digits, spaces and _ . : / = + - @, so the JSON travels as base64url. */
export function encodeMeta(meta: TokenMeta): string {
  return Buffer.from(JSON.stringify({ e: meta.expires, l: meta.label })).toString('base64url');
}

export function metaOf(info: SecretInfo, versionId: string): TokenMeta {
  const raw = info.tags[tagKey(versionId)];
  if (!raw) return {};
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { e?: unknown; l?: unknown };
    return {
      expires: typeof v.e === 'string' && (v.e === 'never' || /^\d{4}-\d{2}-\d{2}$/.test(v.e)) ? v.e : undefined,
      label: typeof v.l === 'string' ? v.l : undefined,
    };
  } catch {
    return {};
  }
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const today = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/** A calendar date, checked: real, and not in the past. */
export function parseExpiryDate(value: string, where: string, now = new Date()): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!date || isoDay(date) !== value.trim()) throw usageError(`${where} must be a date as YYYY-MM-DD.`, `For example ${where} ${isoDay(new Date(now.getTime() + 90 * DAY_MS))}.`);
  if (date < today(now)) throw usageError(`${where} ${value} is in the past.`, 'Give the expiry date Docker Hub showed when the token was created.');
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
  if (/[\u0000-\u001f\u007f]/.test(label)) return 'A label cannot hold control characters.';
  return true;
}

/** The label the guide suggests, so the one in Docker Hub and the one recorded match. */
export function suggestedLabel(repository: string | undefined, now = new Date()): string {
  const name = repository?.split('/')[1] ?? (basename(process.cwd()) || 'ci');
  return `${name}-ci-${isoDay(now).slice(0, 7)}`;
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

/** What the flags did not say, asked at a terminal once the token is validated. Unattended, both stay optional. */
export async function askLifecycle(ctx: Context, given: TokenMeta, repository: string | undefined): Promise<TokenMeta> {
  let { expires, label } = given;
  const { prompter } = ctx;
  if (!prompter.interactive) return { expires, label };
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
      default: suggestedLabel(repository),
      validate: (v) => validateLabel(v.trim()),
      optional: true,
      flag: '--label',
    })) || undefined;
  return { expires, label };
}

/**
 * Records the metadata of a version just written, and drops the metadata of
 * versions that no longer exist. Metadata is a convenience: a failure here is a
 * warning, never a reason to call the write failed.
 */
export async function recordMeta(ctx: Context, store: SecretStore, info: SecretInfo, versionId: string, meta: TokenMeta): Promise<void> {
  try {
    if (meta.expires !== undefined || meta.label !== undefined) await store.tag({ [tagKey(versionId)]: encodeMeta(meta) });
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
