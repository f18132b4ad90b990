import { usageError, isCliError, ExitCode, type CliError } from '../errors.js';
import type { Context } from '../context.js';
import { AwsSecretStore } from '../aws/store.js';
import { listSecrets } from '../aws/fleet.js';
import { CURRENT, strayPending, versionWithStage, type ListedSecret } from '../domain/secret.js';
import { defaultWarnDays, expiryFacts, metaOf } from '../domain/lifecycle.js';
import { declaredConsumers, recordedConsumers } from '../domain/consumers.js';
import { formatDate } from '../domain/value.js';
import { rotationJson, rotationLine, strayPendingByFunction, type RotationJson } from '../flows/schedule.js';
import { printable } from '../ui/redact.js';

// `status`: every secret the tool manages, in one region or all, from ListSecrets
// alone. ListSecrets carries tags (the tool's metadata), stages and dates, so the
// fleet is seen with list permission only, and no token is ever read.

/** The tag-key prefix every secret the tool wrote to carries (ListSecrets' tag-key filter matches a prefix). */
const TOOL_TAG_PREFIX = 'dockerhub-credentials';

/** Secrets Manager's commercial regions (opt-in regions answer "not enabled", which status reports per region). */
export const SECRETS_MANAGER_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'sa-east-1', 'mx-central-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'me-south-1', 'me-central-1', 'il-central-1', 'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
] as const;

export interface StatusOptions {
  allRegions?: boolean;
  regions?: string;
  warnDays?: string;
  failWhenDue?: boolean;
}

export interface SecretStatus {
  name: string;
  arn: string;
  region: string;
  username: string | null;
  expiresAt: string | null;
  daysLeft: number | null;
  label: string | null;
  rotation: RotationJson;
  lastAccessed: string | null;
  lastChanged: string | null;
  consumers: string[];
  due: boolean;
  problems: string[];
}

/** One secret's line of the fleet, from its listing alone. */
export function secretStatus(s: ListedSecret, region: string, warnDays: number | undefined, now = new Date()): SecretStatus {
  const current = versionWithStage(s, CURRENT);
  const meta = current ? metaOf(s, current) : {};
  const expiry = expiryFacts(meta, warnDays ?? defaultWarnDays(meta, s.lastChanged), now);
  const problems: string[] = [];
  if (s.deleted) problems.push(`scheduled for deletion on ${formatDate(s.deleted)}`);
  if (!current) problems.push('no AWSCURRENT version: CI reads nothing');
  if (expiry.expired) problems.push(`the token expired on ${expiry.expiresAt}`);
  else if (expiry.rotationDue) problems.push(`the token expires ${expiry.daysLeft === 0 ? 'today' : `in ${expiry.daysLeft} day${expiry.daysLeft === 1 ? '' : 's'}`}: rotation due`);
  if (meta.invalid?.length) problems.push(`the recorded ${meta.invalid.join(' and ')} ${meta.invalid.length > 1 ? 'are' : 'is'} not valid`);
  const pending = strayPending(s);
  if (pending) problems.push(strayPendingByFunction(s, pending) ? `a failed rotation left AWSPENDING (version ${pending}); see the rotation function's log` : `an unfinished rotation left AWSPENDING (version ${pending})`);
  const r = s.rotation;
  if (r?.enabled && r.next && r.next.getTime() < now.getTime() - 86_400_000) problems.push(`the scheduled rotation is overdue (next was ${formatDate(r.next)}): see the rotation function's log`);
  const consumers = [...new Set([...(recordedConsumers(s.tags) ?? []), ...declaredConsumersQuiet(s.tags)])];
  return {
    name: s.name,
    arn: s.arn,
    region,
    username: meta.username ?? null,
    expiresAt: expiry.expiresAt,
    daysLeft: expiry.daysLeft,
    label: expiry.label,
    rotation: rotationJson(r),
    lastAccessed: s.lastAccessed?.toISOString() ?? null,
    lastChanged: s.lastChanged?.toISOString() ?? null,
    consumers,
    due: expiry.rotationDue || expiry.expired,
    problems,
  };
}

/** Declared consumers, where a tag edited by hand never fails the listing. */
function declaredConsumersQuiet(tags: Record<string, string>): string[] {
  try {
    return declaredConsumers([], tags);
  } catch {
    return [];
  }
}

function regionsToList(ctx: Context, o: StatusOptions): string[] {
  if (o.regions !== undefined) {
    const list = o.regions.split(',').map((r) => r.trim()).filter(Boolean);
    for (const r of list) if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(r)) throw usageError(`--regions: "${printable(r)}" is not an AWS region code.`, 'For example --regions eu-west-1,us-east-1.');
    if (!list.length) throw usageError('--regions names no region.', 'For example --regions eu-west-1,us-east-1.');
    return list;
  }
  if (o.allRegions) return [...SECRETS_MANAGER_REGIONS];
  const region = ctx.settings.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
  if (!region) throw usageError('status needs a region.', 'Pass --region REGION, set AWS_REGION, or list every region with --all-regions.');
  return [region];
}

/** `status`: the fleet in one view. Exit 0, or 6 with --fail-when-due when any secret is due or has a problem. */
export async function status(ctx: Context, o: StatusOptions): Promise<number> {
  // --secret-id is every command's option, but status lists them all: a given one must not be silently
  // ignored (a mistyped id exited 0: the second stranger's trial, session 3).
  if (ctx.settings.origin.secretId?.from === 'flag') {
    throw usageError('status lists every secret this tool manages, so it takes no --secret-id.', `For one secret, run: dockerhub-credentials verify --secret-id ${ctx.settings.secretId}`);
  }
  const warnDays = o.warnDays === undefined ? undefined : Number(o.warnDays);
  if (warnDays !== undefined && (!Number.isInteger(warnDays) || warnDays < 0)) throw usageError('--warn-days must be a whole number of days, 0 or more.', 'For example --warn-days 30.');
  const regions = regionsToList(ctx, o);
  const { out, settings } = ctx;
  // The regions at once, a few at a time: 1,000 secrets in 4 regions is 10 pages per region.
  const results: { region: string; secrets?: ListedSecret[]; error?: CliError }[] = [];
  const queue = [...regions];
  const worker = async () => {
    for (let region = queue.shift(); region; region = queue.shift()) {
      try {
        const store = await AwsSecretStore.open({ secretId: `(every secret in ${region})`, profile: settings.profile, region, signal: ctx.signal, log: (l) => out.debug(l), warn: (l) => out.warn(l) });
        results.push({ region, secrets: await listSecrets(store as AwsSecretStore, [TOOL_TAG_PREFIX]) });
      } catch (e) {
        if (!isCliError(e) || e.code === 'cancelled') throw e;
        results.push({ region, error: e });
      }
    }
  };
  await out.track(`Listing the secrets in ${regions.length === 1 ? regions[0] : `${regions.length} regions`}`, () => Promise.all(Array.from({ length: Math.min(8, regions.length) }, worker)), {
    done: () => undefined,
    failed: 'Could not list the secrets',
  });
  results.sort((a, b) => regions.indexOf(a.region) - regions.indexOf(b.region));
  const fleet = results.flatMap((r) => (r.secrets ?? []).map((s) => secretStatus(s, r.region, warnDays, ctx.clock()))).sort((a, b) => a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
  const errors = results.filter((r) => r.error).map((r) => ({ region: r.region, code: r.error!.code, message: r.error!.message }));
  // Every region failing is a failure of the command, not an empty fleet.
  if (errors.length === regions.length) throw results[0]!.error!;
  const flagged = fleet.filter((s) => s.due || s.problems.length);
  const failed = Boolean(o.failWhenDue) && flagged.length > 0;
  if (settings.json) {
    out.json({ ok: !failed, regions, count: fleet.length, due: flagged.length, secrets: fleet, errors });
  } else {
    const c = out.out;
    if (!fleet.length) out.data(`No secret with the tool's tags in ${regions.length === 1 ? regions[0] : `${regions.length} regions`}.`);
    for (const s of fleet) {
      out.data(`${s.problems.length ? c.red('✗') : c.green('✓')} ${c.bold(s.name)} (${s.region})`);
      const facts: [string, string][] = [
        ['username', s.username ?? 'not recorded'],
        ['expires', s.expiresAt ? `${s.expiresAt} (${s.daysLeft! < 0 ? `${-s.daysLeft!} days ago` : `${s.daysLeft} days left`})` : s.label !== null || s.username ? 'unknown' : 'not recorded'],
        ['rotation', rotationLine(fromJson(s.rotation))],
        ['last accessed', s.lastAccessed ? s.lastAccessed.slice(0, 10) : 'never'],
        ['consumers', s.consumers.length ? s.consumers.join(', ') : 'none recorded'],
      ];
      for (const [k, v] of facts) out.data(`  ${`${k}:`.padEnd(15)}${v}`);
      for (const p of s.problems) out.data(`  ${c.red('✗')} ${p}`);
    }
    for (const e of errors) out.warn(`${e.region}: ${e.message}`);
    out.data(`${fleet.length} secret${fleet.length === 1 ? '' : 's'}, ${flagged.length} due or with a problem.`);
  }
  return failed ? ExitCode.RotationDue : ExitCode.Ok;
}

const fromJson = (r: RotationJson) => ({
  enabled: r.enabled,
  functionArn: r.function ?? undefined,
  schedule: r.schedule ?? undefined,
  lastRotated: r.lastRotated ? new Date(r.lastRotated) : undefined,
  next: r.next ? new Date(r.next) : undefined,
});
