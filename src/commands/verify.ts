import { CliError, ExitCode, isCliError } from '../errors.js';
import { openStore, requireSecretId, type Context } from '../context.js';
import { inspectCurrent, factLines } from '../flows/inspect.js';
import { age, formatDate } from '../flows/check.js';
import { validateAgainstHub, type HubReport } from '../flows/validate.js';
import { aliasDrift, consumerReports, consumersToReport } from '../flows/consumers.js';

export interface VerifyOptions {
  live?: boolean;
}

/** `verify`: the check runbooks and CI run. Exit 0 only when everything holds. */
export async function verify(ctx: Context, options: VerifyOptions): Promise<number> {
  const secretId = requireSecretId(ctx);
  const { out, settings } = ctx;
  const store = await openStore(ctx, secretId);

  const inspection = await out.track(`Reading ${secretId} from Secrets Manager`, () => inspectCurrent(ctx, store), {
    done: () => `Read ${secretId}`,
    failed: `Could not read ${secretId}`,
  });
  const { check, info, pendingVersionId } = inspection;
  const problems = [...check.problems, ...aliasDrift(check)];
  const warnings: string[] = [];
  // Per consumer: those asked for (--consumers, environment, config file) and those whose keys the value holds.
  const consumers = consumerReports(consumersToReport(settings.consumers, check), check, info.name);
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

  let live: HubReport | undefined;
  let liveError: CliError | undefined;
  if (options.live && check.hasToken && check.hasUsername) {
    try {
      live = await validateAgainstHub(ctx, { username: check.username!, token: check.token! }, settings.repository);
    } catch (e) {
      if (!isCliError(e)) throw e;
      liveError = e;
      problems.push(e.message);
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
  if (ok) return ExitCode.Ok;
  if (liveError) return liveError.exitCode;
  if (!settings.json) out.info(`  Store a valid value with: npx dockerhub-credentials setup --secret-id ${secretId}`);
  return ExitCode.Aws;
}
