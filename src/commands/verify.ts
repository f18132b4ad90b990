import { CliError, ExitCode, isCliError, usageError } from '../errors.js';
import { commandLine, openStore, requireSecretId, type Context } from '../context.js';
import { inspectCurrent, factLines } from '../flows/inspect.js';
import { age, formatDate } from '../flows/check.js';
import { validateAgainstHub, type HubReport } from '../flows/validate.js';
import { expiryFacts, metaOf } from '../flows/lifecycle.js';
import { aliasDrift, consumerReports, consumersToReport, declaredConsumers } from '../flows/consumers.js';

export interface VerifyOptions {
  live?: boolean;
  warnDays?: string;
  failWhenDue?: boolean;
}

/** `verify`: the check runbooks and CI run. Exit 0 only when everything holds. */
export async function verify(ctx: Context, options: VerifyOptions): Promise<number> {
  const secretId = requireSecretId(ctx);
  const { out, settings } = ctx;
  const warnDays = options.warnDays === undefined ? 30 : Number(options.warnDays);
  if (!Number.isInteger(warnDays) || warnDays < 0) throw usageError('--warn-days must be a whole number of days, 0 or more.', 'For example --warn-days 30.');
  const store = await openStore(ctx, secretId);

  const inspection = await out.track(`Reading ${secretId} from Secrets Manager`, () => inspectCurrent(ctx, store), {
    done: () => `Read ${secretId}`,
    failed: `Could not read ${secretId}`,
  });
  const { check, info, pendingVersionId } = inspection;
  const problems = [...check.problems, ...aliasDrift(check)];
  const warnings: string[] = [];
  // Per consumer: those asked for (--consumers, environment, config file) and those whose keys the value holds.
  const consumers = consumerReports(consumersToReport(declaredConsumers(settings.consumers, info.tags), check), check, info.name);
  // A value that is not a valid credential is reported as such; the consumers' own problems count once it is.
  if (check.problems.length === 0) {
    for (const [name, report] of Object.entries(consumers)) {
      for (const p of report.problems) if (!problems.some((q) => q.includes(p))) problems.push(`${name}: ${p}`);
    }
  }
  if (pendingVersionId) {
    warnings.push(
      `A stray AWSPENDING version (${pendingVersionId}) exists: a rotation did not finish. Run rotate --resume or rotate --discard-pending.`,
    );
  }

  // The token's expiry as recorded when it was stored (Docker Hub sends no warning of its own).
  const expiry = expiryFacts(metaOf(info, inspection.currentVersionId), warnDays);
  if (expiry.expired) problems.push(`The token expired on ${expiry.expiresAt}; rotate it: ${commandLine(ctx, 'rotate', secretId)}`);
  else if (expiry.rotationDue) warnings.push(`The token expires ${expiry.text.replace(/^\S+ \((.*)\)$/, '$1')} (${expiry.expiresAt}): rotate it before then: ${commandLine(ctx, 'rotate', secretId)}`);

  let live: HubReport | undefined;
  let liveError: CliError | undefined;
  // Only a well-formed value is sent to Docker Hub: never a swapped or escaped username.
  if (options.live && check.problems.length === 0) {
    try {
      live = await validateAgainstHub(ctx, { username: check.username!, token: check.token! }, settings.repository);
    } catch (e) {
      if (!isCliError(e)) throw e;
      liveError = e;
      problems.push(e.message);
      // Docker Hub's word wins over the recorded date.
      if (e.code === 'token-expired') expiry.rotationDue = expiry.expired = true;
    }
  }

  const ok = problems.length === 0;
  if (settings.json) {
    out.json({
      ok,
      secretId,
      arn: info.arn,
      region: settings.region ?? null,
      hasUsername: check.hasUsername,
      hasToken: check.hasToken,
      username: check.username,
      tokenLength: check.tokenLength,
      lastChanged: info.lastChanged?.toISOString() ?? null,
      versionId: inspection.currentVersionId,
      pendingVersionId: pendingVersionId ?? null,
      expiresAt: expiry.expiresAt,
      daysLeft: expiry.daysLeft,
      label: expiry.label,
      rotationDue: expiry.rotationDue,
      live: options.live ? (live ?? { ok: false, error: liveError?.code ?? 'skipped' }) : undefined,
      consumers,
      problems,
      warnings,
    });
  } else {
    const c = out.out;
    out.data(`${ok ? c.green('✓') : c.red('✗')} ${c.bold(info.name)}${settings.region ? ` (${settings.region})` : ''}`);
    const facts = factLines(check);
    if (info.lastChanged) facts.push(['last changed', `${formatDate(info.lastChanged)} (${age(info.lastChanged)})`]);
    facts.push(expiry.text === 'unknown' ? ['expiry', 'unknown'] : ['expires', expiry.text]);
    facts.push(['label', expiry.label ?? 'unknown']);
    if (live) {
      facts.push(['docker hub', live.summary]);
    }
    for (const [name, report] of Object.entries(consumers)) facts.push([name, report.ok ? 'served' : 'not served (see below)']);
    const width = Math.max(...facts.map(([k]) => k.length)) + 1;
    for (const [key, value] of facts) out.data(`  ${`${key}:`.padEnd(width)} ${value}`);
    for (const p of problems) out.data(`  ${c.red('✗')} ${p}`);
    for (const w of warnings) out.warn(w);
    if (liveError?.hint) out.info(`  ${liveError.hint}`);
  }
  if (ok) return expiry.rotationDue && options.failWhenDue ? ExitCode.RotationDue : ExitCode.Ok;
  if (liveError) return liveError.exitCode;
  if (expiry.expired) return ExitCode.Rejected;
  if (!settings.json) out.info(`  Store a valid value with: ${commandLine(ctx, 'setup', secretId)}`);
  return ExitCode.Aws;
}
