import { ExitCode, isCancellation, usageError } from '../errors.js';
import { openStore, requireSecretId } from '../flows/secret-id.js';
import type { Context } from '../context.js';
import { CURRENT, type VersionListing } from '../domain/secret.js';
import type { SecretStore } from '../aws/store.js';
import { checkCredentialValue, formatDate, type ValueCheck } from '../domain/value.js';
import { expiryFacts, metaOf } from '../domain/lifecycle.js';
import { sameSecret } from '../ui/redact.js';

export interface HistoryOptions {
  limit?: string;
}

interface Row {
  versionId: string;
  stages: string[];
  created: string | null;
  username: string | null;
  tokenLength: number | null;
  label: string | null;
  expiresAt: string | null;
  /** 'never', 'unknown', or the date. */
  expiry: string;
  sameAsCurrent: boolean | null;
  /** Why this version is not a credential, if it is not one. */
  problem: string | null;
}

/** Reads every version's value, a few at a time (there can be up to 100). */
async function readAll(store: SecretStore, versions: VersionListing[]): Promise<Map<string, { check: ValueCheck; created?: Date } | { error: string }>> {
  const out = new Map<string, { check: ValueCheck; created?: Date } | { error: string }>();
  const queue = [...versions];
  const worker = async () => {
    for (let v = queue.shift(); v; v = queue.shift()) {
      try {
        const got = await store.get({ versionId: v.versionId });
        out.set(v.versionId, { check: checkCredentialValue(got.secretString), created: got.created });
      } catch (e) {
        if (isCancellation(e)) throw e;
        out.set(v.versionId, { error: (e as Error).message });
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

/**
 * `history`: what CI read, version by version, newest first. Never a character
 * of a token: only usernames, lengths, and whether a token equals the current one.
 */
export async function history(ctx: Context, o: HistoryOptions): Promise<number> {
  const secretId = requireSecretId(ctx);
  const limit = o.limit === undefined ? 20 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1) throw usageError('--limit must be a whole number of versions, 1 or more.', 'For example --limit 10.');
  const { out, settings } = ctx;
  const store = await openStore(ctx, secretId);
  const info = await store.describeLive();
  const listed = await out.track(`Listing the versions of ${secretId}`, () => store.listVersions(info.name), {
    // The report's first line counts them.
    done: () => undefined,
    failed: `Could not list the versions of ${secretId}`,
  });
  const values = await readAll(store, listed);
  const currentId = Object.entries(info.versions).find(([, s]) => s.includes(CURRENT))?.[0];
  const current = currentId ? values.get(currentId) : undefined;
  const currentToken = current && 'check' in current ? current.check.token : undefined;

  // Newest first by creation time; versions written in the same second keep the listing's order, reversed.
  const order = listed.map((v, i) => ({ v, i, at: (values.get(v.versionId) as { created?: Date } | undefined)?.created ?? v.created }));
  order.sort((a, b) => (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0) || b.i - a.i);
  const rows: Row[] = order.slice(0, limit).map(({ v, at }) => {
    const read = values.get(v.versionId);
    const check = read && 'check' in read ? read.check : undefined;
    const facts = expiryFacts(metaOf(info, v.versionId), 0);
    const problem = !read ? 'not read' : 'error' in read ? `its value could not be read: ${read.error}` : check!.problems.length ? check!.problems.join(' ') : null;
    return {
      versionId: v.versionId,
      stages: [...(info.versions[v.versionId] ?? v.stages)].sort(),
      created: at?.toISOString() ?? null,
      username: check?.username ?? null,
      tokenLength: check?.tokenLength ?? null,
      label: facts.label,
      expiresAt: facts.expiresAt,
      expiry: facts.expiresAt ?? (facts.text === 'unknown' ? 'unknown' : 'never'),
      sameAsCurrent: check?.token !== undefined && currentToken !== undefined ? sameSecret(check.token, currentToken) : null,
      problem,
    };
  });

  if (settings.json) {
    out.json({ ok: true, secretId, arn: info.arn, total: listed.length, versions: rows });
    return ExitCode.Ok;
  }
  const c = out.out;
  out.data(`${c.bold(info.name)}: ${listed.length} version${listed.length === 1 ? '' : 's'}${listed.length > rows.length ? `, newest ${rows.length} shown (--limit)` : ''}`);
  for (const r of rows) {
    const stages = r.stages.length ? r.stages.join(', ') : 'no stage';
    out.data('');
    out.data(`  ${c.bold(r.versionId)}  ${stages}`);
    out.data(`    written:  ${r.created ? formatDate(new Date(r.created)) : 'unknown'}`);
    if (r.problem) {
      out.data(`    value:    not a credential (${r.problem})`);
      continue;
    }
    const same = r.sameAsCurrent === null ? '' : r.sameAsCurrent ? (r.stages.includes(CURRENT) ? '' : '; the same token as AWSCURRENT') : '';
    out.data(`    username: ${r.username}; token ${r.tokenLength} characters${same}`);
    out.data(`    label:    ${r.label ?? 'unknown'}; expires: ${r.expiry}`);
  }
  return ExitCode.Ok;
}
