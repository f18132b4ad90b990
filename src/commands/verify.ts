import { CliError, ExitCode, isCliError, usageError } from '../errors.js';
import { hubFactsJson, hubFactsOf } from '../flows/hub-facts.js';
import { commandLine, openStore, requireSecretId } from '../flows/secret-id.js';
import type { Context } from '../context.js';
import { inspectCurrent, factLines } from '../flows/inspect.js';
import { age, formatDate } from '../domain/value.js';
import { validateAgainstHub, type HubReport } from '../flows/validate.js';
import { defaultWarnDays, expiryFacts, invalidMetaWarning, metaOf } from '../domain/lifecycle.js';
import { aliasDrift, consumerReports, consumersToReport, declaredConsumers } from '../domain/consumers.js';
import { verifyHelper } from './verify-helper.js';
import { rotationJson, rotationLine, strayPendingByFunction } from '../flows/schedule.js';
import { scheduleOf } from '../domain/secret.js';
import { renderHint } from '../ui/render.js';

export interface VerifyOptions {
  live?: boolean;
  warnDays?: string;
  failWhenDue?: boolean;
  requireExpiry?: boolean;
  helper?: boolean;
}

/** `verify`: the check runbooks and CI run. Exit 0 only when everything holds. */
export async function verify(ctx: Context, options: VerifyOptions): Promise<number> {
  if (options.helper) return verifyHelper(ctx, options);
  const secretId = requireSecretId(ctx);
  const { out, settings } = ctx;
  const givenWarnDays = options.warnDays === undefined ? undefined : Number(options.warnDays);
  if (givenWarnDays !== undefined && (!Number.isInteger(givenWarnDays) || givenWarnDays < 0)) throw usageError('--warn-days must be a whole number of days, 0 or more.', 'For example --warn-days 30.');
  const store = await openStore(ctx, secretId);

  const inspection = await out.track(`Reading ${secretId} from Secrets Manager`, () => inspectCurrent(ctx, store), {
    // The report's first line says it was read.
    done: () => undefined,
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
  const byFunction = pendingVersionId ? strayPendingByFunction(info, pendingVersionId) : undefined;
  if (byFunction) warnings.push(byFunction);
  else if (pendingVersionId) {
    warnings.push(
      `A stray AWSPENDING version (${pendingVersionId}) exists: a rotation did not finish. Run rotate --resume or rotate --discard-pending.`,
    );
  }

  // The token's expiry as recorded when it was stored (Docker Hub sends no warning of its own).
  const meta = metaOf(info, inspection.currentVersionId);
  const invalid = invalidMetaWarning(meta);
  if (invalid) warnings.push(invalid);
  // By default 30 days, or a third of the token's lifetime when that is shorter (a 30-day token is not due at once).
  const expiry = expiryFacts(meta, givenWarnDays ?? defaultWarnDays(meta, inspection.created), ctx.clock());
  const unknownExpiry = meta.expires === undefined;
  if (unknownExpiry) {
    // Unknown is not "never": a token whose expiry was not recorded can expire with no warning at all.
    warnings.push(
      `The token's expiry is unknown (${meta.invalid?.includes('expiry') ? 'the one recorded is not a date' : 'none was recorded when it was stored'}), so no rotation can be called due before Docker Hub refuses it. The next rotate records it (--expires-in or --expires-at); --require-expiry makes verify exit 6 meanwhile.`,
    );
    if (options.requireExpiry) expiry.rotationDue = true;
  }
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
  // --fail-when-due makes a due rotation a failure: "ok" says what the exit code says (jq -e .ok).
  const failsDue = ok && expiry.rotationDue && Boolean(options.failWhenDue || (options.requireExpiry && unknownExpiry));
  if (settings.json) {
    out.json({
      ok: ok && !failsDue,
      secretId,
      arn: info.arn,
      region: settings.region ?? null,
      hasUsername: check.hasUsername,
      hasToken: check.hasToken,
      username: check.username,
      tokenLength: check.tokenLength,
      // When AWSCURRENT's version was written (LastChangedDate also moves when only a stage is written).
      lastChanged: (inspection.created ?? info.lastChanged)?.toISOString() ?? null,
      versionId: inspection.currentVersionId,
      pendingVersionId: pendingVersionId ?? null,
      expiresAt: expiry.expiresAt,
      expiryKnown: !unknownExpiry,
      daysLeft: expiry.daysLeft,
      label: expiry.label,
      // The Docker Hub token this version holds, as Docker Hub answered when the tool created it (--create): its exact expiry.
      hubToken: hubFactsJson(hubFactsOf(info, inspection.currentVersionId)),
      rotationDue: expiry.rotationDue,
      rotation: rotationJson(scheduleOf(info)),
      live: options.live ? (live ?? { ok: false, error: liveError?.code ?? 'skipped' }) : undefined,
      consumers,
      problems,
      warnings,
    });
  } else {
    const c = out.out;
    // The headline says what the exit code says: ✓ only for exit 0; a due rotation under --fail-when-due
    // is "!" (exit 6), and an interrupted check says so rather than calling the secret bad (stranger, session 3).
    const interrupted = liveError?.code === 'cancelled';
    const mark = ok ? (failsDue ? c.yellow('!') : c.green('✓')) : interrupted ? c.yellow('!') : c.red('✗');
    const after = failsDue ? ': rotation due' : interrupted ? ': the Docker Hub check was interrupted; nothing was changed' : '';
    out.data(`${mark} ${c.bold(info.name)}${settings.region ? ` (${settings.region})` : ''}${after}`);
    const facts = factLines(check);
    const changed = inspection.created ?? info.lastChanged;
    if (changed) facts.push(['last changed', `${formatDate(changed)} (${age(changed)})`]);
    facts.push(expiry.text === 'unknown' ? ['expiry', 'unknown'] : ['expires', expiry.text]);
    facts.push(['label', expiry.label ?? 'unknown']);
    facts.push(['rotation', rotationLine(scheduleOf(info))]);
    if (live) {
      facts.push(['docker hub', live.summary]);
    }
    for (const [name, report] of Object.entries(consumers)) facts.push([name, report.ok ? 'served' : 'not served (see below)']);
    const width = Math.max(...facts.map(([k]) => k.length)) + 1;
    for (const [key, value] of facts) out.data(`  ${`${key}:`.padEnd(width)} ${value}`);
    for (const p of problems) out.data(`  ${c.red('✗')} ${p}`);
    for (const w of warnings) out.warn(w);
    if (liveError) renderHint(out, liveError);
  }
  if (ok) return failsDue ? ExitCode.RotationDue : ExitCode.Ok;
  if (liveError) return liveError.exitCode;
  if (expiry.expired) return ExitCode.Rejected;
  if (!settings.json) out.info(`  Store a valid value with: ${commandLine(ctx, 'setup', secretId)}`);
  return ExitCode.Aws;
}
