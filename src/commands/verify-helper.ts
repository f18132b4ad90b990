import { ExitCode, usageError } from '../errors.js';
import type { Context } from '../context.js';
import { dockerConfigLocationProblem, dockerConfigPath } from '../docker/config.js';
import { HELPER_COMMAND, HELPER_NAME, INSTALL_LINE, checkHelperAnswers, helperEntryOf, helperExitCode, helperFix, readDockerConfigForWrite } from '../docker/helper-config.js';
import { HELPER_LOG_VARIABLE, helperLogProblem } from '../docker/helper-protocol.js';
import { dockerServerFor, HUB_AUTH_KEY } from '../domain/docker-hub.js';
import { looksSecret, printable } from '../ui/redact.js';
import type { Field } from '../config.js';

const FLAG_FIELDS: [Field, string][] = [
  ['secretId', '--secret-id'],
  ['region', '--region'],
  ['profile', '--profile'],
  ['registry', '--registry'],
];

/**
 * `verify --helper`: what docker would get from the credential helper, found and
 * run exactly as docker runs it: the helper on PATH (Go's lookup), this
 * environment, the server name docker sends. docker 28 discards a helper's error
 * and pulls anonymously, so this says why it would.
 */
export async function verifyHelper(ctx: Context, options: { live?: boolean; failWhenDue?: boolean; warnDays?: string }): Promise<number> {
  const { out, settings } = ctx;
  const other = [options.live && '--live', options.failWhenDue && '--fail-when-due', options.warnDays !== undefined && '--warn-days'].filter(Boolean);
  if (other.length) throw usageError(`--helper checks only what docker would get from the helper, so it cannot be combined with ${other.join(', ')}.`, 'Run verify --helper and verify (with those options) separately.');
  const server = dockerServerFor(settings.registry);
  const key = server ?? HUB_AUTH_KEY;
  const serverName = server ?? 'Docker Hub';
  const configPath = dockerConfigPath(ctx.env);
  const problems: string[] = [];
  const warnings: string[] = [];
  let code: number = ExitCode.Ok;
  const fail = (line: string, exit: number) => {
    problems.push(line);
    if (code === ExitCode.Ok) code = exit;
  };

  // Does docker ask the helper at all?
  const location = dockerConfigLocationProblem(configPath, ctx.env);
  let configured = false;
  // What docker uses when it does not ask this helper: another helper, or a login stored in
  // config.json itself (stranger trial, session 3: "nothing: an anonymous pull" was untrue there).
  let instead: { kind: 'other-helper' | 'stored-login'; text: string } | undefined;
  if (location) fail(`${location.message} ${location.hint}`, ExitCode.Usage);
  else {
    let config: Record<string, unknown> | undefined;
    try {
      config = readDockerConfigForWrite(configPath).config;
    } catch (e) {
      fail((e as Error).message, ExitCode.Usage);
    }
    if (config) {
      const named = helperEntryOf(config, key) ?? config.credsStore;
      configured = named === HELPER_NAME;
      if (!configured) instead = insteadOfHelper(config, key, named, configPath);
      if (!configured) {
        fail(
          `docker does not ask ${HELPER_COMMAND} for ${key}: ${configPath} names ${named === undefined ? 'no credential helper for it' : `"${printable(String(named))}"`}. Run: dockerhub-credentials login --helper (installed with ${INSTALL_LINE})`,
          ExitCode.Usage,
        );
      }
    }
  }
  if (ctx.env.DOCKER_AUTH_CONFIG) warnings.push('DOCKER_AUTH_CONFIG is set: docker reads it before config.json, so its entries win.');
  for (const [field, flag] of FLAG_FIELDS) {
    if (settings.origin[field]?.from === 'flag') warnings.push(`${flag} is not passed to the helper: docker runs it with its environment only, as this check does.`);
  }

  // What the helper answers, run as docker runs it.
  const answer = await checkHelperAnswers(key, ctx.env, ctx.signal, configPath);
  let reason: string | undefined;
  if (!answer.ok) {
    reason = answer.problem;
    fail(
      `docker would pull ${serverName} anonymously: ${answer.problem} ${helperFix(answer, { secretId: settings.secretId ?? 'NAME', registry: server && settings.registry, region: settings.region, env: ctx.env })}`,
      helperExitCode(answer),
    );
  }
  const logProblem = helperLogProblem(ctx.env);
  if (logProblem) warnings.push(`The helper writes no log: ${logProblem}.`);

  const ok = problems.length === 0;
  if (settings.json) {
    out.json({
      ok,
      server: key,
      dockerConfig: configPath,
      configured,
      helperPath: answer.helperPath ?? null,
      username: answer.ok ? answer.username : null,
      dockerGets: configured ? (answer.ok ? 'helper' : 'anonymous') : (instead?.kind ?? 'anonymous'),
      problem: reason ?? null,
      log: ctx.env[HELPER_LOG_VARIABLE] ?? null,
      logProblem: logProblem ?? null,
      problems,
      warnings,
    });
  } else {
    const c = out.out;
    out.data(`${ok ? c.green('✓') : c.red('✗')} ${c.bold(HELPER_COMMAND)} for ${key}`);
    out.data(`  helper:        ${answer.helperPath ?? 'not found on PATH'}`);
    out.data(`  docker config: ${configPath}${configured ? ` (credHelpers["${key}"] = "${HELPER_NAME}")` : ''}`);
    // What docker gets depends on docker asking the helper at all; what the helper would answer is apart.
    // The problem lines come below; a helper that was never run said nothing (stranger trial, session 3).
    const helperSays = answer.ok ? `username ${answer.username} (and the token)` : answer.code === 'helper-missing' || answer.code === 'helper-temporary' ? 'nothing: it was not run (see below)' : 'an error (see below)';
    const gets = configured ? (answer.ok ? helperSays : 'nothing: an anonymous pull') : (instead?.text ?? `nothing: an anonymous pull (docker does not ask ${HELPER_COMMAND})`);
    out.data(`  docker gets:   ${gets}`);
    if (!configured) out.data(`  helper says:   ${helperSays}`);
    if (ctx.env[HELPER_LOG_VARIABLE]) out.data(`  log:           ${printable(ctx.env[HELPER_LOG_VARIABLE]!)}${logProblem ? ' (refused)' : ''}`);
    for (const p of problems) out.data(`  ${c.red('✗')} ${p}`);
    for (const w of warnings) out.warn(w);
  }
  return code;
}

/** When docker does not ask this helper for `key`: what it uses instead, named without any secret. */
function insteadOfHelper(config: Record<string, unknown>, key: string, named: unknown, configPath: string): { kind: 'other-helper' | 'stored-login'; text: string } | undefined {
  if (typeof named === 'string' && named !== '') {
    return { kind: 'other-helper', text: `what docker-credential-${printable(named)} holds for ${key} (not this tool's helper)` };
  }
  const auths = config.auths;
  const entry = auths && typeof auths === 'object' ? (auths as Record<string, unknown>)[key] : undefined;
  if (!entry || typeof entry !== 'object') return undefined;
  const { auth, identitytoken } = entry as { auth?: unknown; identitytoken?: unknown };
  if (typeof auth === 'string' && auth !== '') {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon > 0 ? decoded.slice(0, colon) : undefined;
    const shown = user && !looksSecret(user) ? ` (username ${printable(user)})` : '';
    return { kind: 'stored-login', text: `the login stored in ${configPath}${shown}, not through the helper` };
  }
  if (typeof identitytoken === 'string' && identitytoken !== '') return { kind: 'stored-login', text: `the identity token stored in ${configPath}, not through the helper` };
  return undefined;
}
