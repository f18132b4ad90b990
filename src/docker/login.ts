import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, ExitCode, cancelled } from '../errors.js';
import { redact } from '../ui/redact.js';
import { rejected, type Credentials } from '../hub/registry.js';
import { isLoginLockout, loginLockout } from '../hub/http.js';

/** Temporary folders alive right now, removed even if the process is torn down mid-step. */
const liveFolders = new Set<string>();
process.once('exit', () => {
  for (const dir of liveFolders) rmSync(dir, { recursive: true, force: true });
});

export type DockerLoginResult = { ran: true } | { ran: false; reason: string };

/** The environment docker runs with: nothing of ours leaks in, and it can reach no user config. */
function dockerEnv(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep = ['PATH', 'LANG', 'LC_ALL', 'TMPDIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];
  const out: NodeJS.ProcessEnv = { DOCKER_CONFIG: dir, HOME: dir, DOCKER_CLI_HINTS: 'false' };
  for (const k of keep) if (env[k] !== undefined) out[k] = env[k];
  return out;
}

/**
 * `docker login --password-stdin` in a private, temporary DOCKER_CONFIG, then
 * `docker logout`, then the folder is deleted. The config starts with a
 * non-empty `auths`: an empty config would make docker fall through to the
 * platform credential helper, which is keyed by server and shared with the
 * user's own login (REFERENCE section 2).
 */
export async function isolatedDockerLogin(
  creds: Credentials,
  server: string | undefined,
  opts: { signal: AbortSignal; env: NodeJS.ProcessEnv; log?: (line: string) => void },
): Promise<DockerLoginResult> {
  const { execa } = await import('execa');
  const dir = mkdtempSync(join(tmpdir(), 'dockerhub-credentials-'));
  liveFolders.add(dir);
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'isolated.dockerhub-credentials.invalid': {} } }), {
      mode: 0o600,
    });
    const env = dockerEnv(dir, opts.env);
    const run = (args: string[], input?: string) =>
      execa('docker', args, {
        input,
        env,
        extendEnv: false,
        reject: false,
        timeout: 60_000,
        cancelSignal: opts.signal,
        // docker ignores SIGTERM mid-request; the folder is deleted right after anyway.
        killSignal: 'SIGKILL',
        stripFinalNewline: true,
      });
    const target = server ? [server] : [];
    const login = await run(['login', '--username', creds.username, '--password-stdin', ...target], creds.token);
    if (opts.signal.aborted || login.isCanceled) throw cancelled();
    const missing = (login as { code?: string }).code === 'ENOENT';
    if (missing) return { ran: false, reason: 'the docker CLI is not installed' };
    const output = redact(`${login.stdout}\n${login.stderr}`);
    opts.log?.(`docker login exit ${login.exitCode}: ${output.trim().split('\n').pop()}`);
    if (login.exitCode !== 0) throw dockerLoginFailure(creds.username, output, server);
    const logout = await run(['logout', ...target]);
    opts.log?.(`docker logout exit ${logout.exitCode}`);
    return { ran: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    liveFolders.delete(dir);
  }
}

/**
 * What docker login's output means. Any 429 is transient, a lockout included
 * (REFERENCE 2, "Login lockout"); Docker Hub's own words pick the sentence
 * (`rejected`); validate.ts adds what only the token can tell (PAT or OAT, owner).
 */
function dockerLoginFailure(username: string, output: string, server: string | undefined): CliError {
  const last = output.trim().split('\n').filter(Boolean).pop() ?? 'no output';
  if (/toomanyrequests|too many (failed login attempts|requests)|\bHTTP 429\b|status: 429\b/i.test(output)) {
    if (isLoginLockout(output)) return loginLockout(username);
    return new CliError(
      'rate-limited',
      'Docker Hub is rate-limiting logins (HTTP 429), so docker login could not finish.',
      'Wait a few minutes, then run the command again.',
      ExitCode.Transient,
    );
  }
  if (/unauthorized|incorrect username or password|expired|\b401\b/i.test(output)) return rejected(username, output);
  if (/connection refused|no such host|timeout|dial tcp|i\/o timeout|TLS handshake/i.test(output)) {
    return new CliError(
      'network',
      `docker login could not reach ${server ?? 'Docker Hub'}.`,
      'Check your network connection and proxy, then try again.',
      ExitCode.Transient,
    );
  }
  return new CliError(
    'docker-login-failed',
    `docker login failed: ${last}`,
    `Run docker login --username ${username} --password-stdin${server ? ` ${server}` : ''} yourself to see the whole answer, or run again with --debug.`,
    ExitCode.Rejected,
  );
}
