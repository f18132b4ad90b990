import { CliError, ExitCode, cancelled, usageError } from '../errors.js';
import { commandLine, openStore, requireSecretId, type Context } from '../context.js';
import { CURRENT, PREVIOUS } from '../aws/store.js';
import { checkCredentialValue } from '../flows/check.js';
import { dockerLoginFailure } from '../docker/login.js';
import { dockerConfigPath } from '../docker/config.js';
import { HELPER_NAME, checkHelperAnswers, writeCredHelperEntry } from '../docker/helper-config.js';
import { dockerServerFor, HUB_AUTH_KEY } from '../hub/tokens.js';
import { redact } from '../ui/redact.js';

export interface LoginOptions {
  stage?: string;
  helper?: boolean;
}

/**
 * `login`: the one line a CI job runs. Reads the secret and runs
 * `docker login --username U --password-stdin [server]` against the caller's own
 * docker config (the one command that writes there, on purpose); the token goes
 * only to docker's stdin. `--helper` instead points the config at the credential
 * helper, so the token is never stored on the machine at all.
 */
export async function login(ctx: Context, o: LoginOptions): Promise<number> {
  const secretId = requireSecretId(ctx);
  const { out, settings } = ctx;
  const stage = (o.stage ?? CURRENT).toUpperCase();
  if (stage !== CURRENT && stage !== PREVIOUS) {
    throw usageError(`--stage must be AWSCURRENT or AWSPREVIOUS, not ${o.stage}.`, 'Leave it out to use AWSCURRENT.');
  }
  if (o.helper && stage !== CURRENT) {
    throw usageError('--helper always reads AWSCURRENT, so it cannot be combined with --stage AWSPREVIOUS.', 'Run login --stage AWSPREVIOUS without --helper to log in with the previous token.');
  }
  const server = dockerServerFor(settings.registry);
  const serverName = server ?? 'Docker Hub';
  const configPath = dockerConfigPath(ctx.env);

  const store = await openStore(ctx, secretId);
  const version = await out.track(`Reading ${secretId} (${stage})`, () => store.get({ stage }), {
    // The one success line (below) names the version.
    done: () => undefined,
    failed: `Could not read ${secretId}`,
  });
  const check = checkCredentialValue(version.secretString);
  if (check.problems.length) {
    throw new CliError(
      'invalid-value',
      `${secretId} (${stage}) is not a valid credential: ${check.problems.join(' ')}`,
      `Store a valid value with ${commandLine(ctx, 'setup', secretId)}`,
      ExitCode.Aws,
    );
  }
  const username = check.username!;

  if (o.helper) {
    const key = server ?? HUB_AUTH_KEY;
    // Ask the helper first: a docker config naming a helper that is not installed breaks every docker pull.
    const answer = await checkHelperAnswers(key, ctx.env, ctx.signal);
    if (!answer.ok && answer.missing) {
      throw new CliError('helper-missing', `${answer.problem} ${configPath} was left as it was.`, 'Install the package where docker runs (npm install -g dockerhub-credentials), then run login --helper again.', ExitCode.Usage);
    }
    const written = writeCredHelperEntry(configPath, key);
    out.ok(`${configPath}: credHelpers["${key}"] = "${HELPER_NAME}"${written.backup ? ` (backup: ${written.backup})` : ''}`);
    if (written.unusedAuth) out.warn(`The login stored for ${key} in "auths" is no longer used (docker asks the helper first); remove it with care, or leave it.`);
    if (answer.ok) out.ok(`docker-credential-${HELPER_NAME} answers for ${key} as ${answer.username}`);
    else out.warn(`docker-credential-${HELPER_NAME} is installed but did not answer with a credential: ${answer.problem}`);
    if (!ctx.env.DOCKERHUB_CREDENTIALS_SECRET_ID && !settings.configPath) {
      out.warn(`docker runs the helper with its own environment: set DOCKERHUB_CREDENTIALS_SECRET_ID=${secretId}${settings.region ? ` and AWS_REGION=${settings.region}` : ''} wherever docker runs, or commit "secretId" in .dockerhub-credentials.json.`);
    }
    if (settings.json) {
      out.json({ ok: answer.ok, secretId, stage, versionId: version.versionId, username, server: key, dockerConfig: configPath, helper: true, backup: written.backup ?? null, problem: answer.ok ? null : answer.problem });
    } else {
      out.data(
        answer.ok
          ? `✓ docker now reads ${serverName} credentials from ${secretId} through docker-credential-${HELPER_NAME}; nothing is stored on this machine.`
          : `! docker will ask docker-credential-${HELPER_NAME} for ${serverName}, which does not answer yet (see above).`,
      );
    }
    return answer.ok ? ExitCode.Ok : ExitCode.Aws;
  }

  const { execa } = await import('execa');
  const args = ['login', '--username', username, '--password-stdin', ...(server ? [server] : [])];
  out.debug(`docker ${args.join(' ')} (DOCKER_CONFIG ${ctx.env.DOCKER_CONFIG ?? '(default)'})`);
  const step = await out.step(`docker login as ${username} to ${serverName}`);
  const r = await execa('docker', args, {
    input: check.token,
    env: { ...ctx.env, DOCKER_CLI_HINTS: 'false' },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
    cancelSignal: ctx.signal,
    stripFinalNewline: true,
  });
  if (ctx.signal.aborted || r.isCanceled) throw cancelled();
  if ((r as { code?: string }).code === 'ENOENT') {
    step.fail(`docker login as ${username}: failed`);
    throw new CliError('docker-missing', 'The docker CLI is not installed (or not on PATH), so there is nothing to log in.', 'Install the docker CLI, or use the ECS, CodeBuild or ECR integrations shown by setup.', ExitCode.Usage);
  }
  const output = redact(`${r.stdout}\n${r.stderr}`);
  out.debug(`docker login exit ${r.exitCode}: ${output.trim().split('\n').pop()}`);
  if (r.exitCode !== 0) {
    step.fail(`docker login as ${username}: failed`);
    const e = dockerLoginFailure(username, output, server);
    if (e.exitCode !== ExitCode.Rejected) throw e;
    throw new CliError(
      e.code,
      `Docker Hub rejected the token stored in ${secretId} (${stage}, version ${version.versionId}): ${e.message.replace(/\.$/, '')}.`,
      `Store a working token with ${commandLine(ctx, 'rotate', secretId)}${stage === PREVIOUS ? '' : `; until then, ${commandLine(ctx, 'login', secretId)} --stage AWSPREVIOUS may still work`}.`,
      ExitCode.Rejected,
    );
  }
  step.end();
  if (settings.json) {
    out.json({ ok: true, secretId, stage, versionId: version.versionId, username, server: server ?? HUB_AUTH_KEY, dockerConfig: configPath, helper: false });
  } else {
    out.data(`✓ docker login as ${username} to ${serverName} succeeded with ${secretId} (${stage}, version ${version.versionId}); docker keeps the login in ${configPath}.`);
  }
  return ExitCode.Ok;
}
