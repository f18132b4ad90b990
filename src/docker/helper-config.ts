import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { usageError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';

/** docker runs `docker-credential-<name>`: this package installs `docker-credential-dockerhub-credentials`. */
export const HELPER_NAME = 'dockerhub-credentials';

/**
 * Writes `credHelpers[key] = "dockerhub-credentials"` into the caller's docker
 * config: a timestamped backup first, every other key untouched, and the new file
 * renamed into place so a crash never leaves half a config. For Docker Hub, docker
 * consults the key `https://index.docker.io/v1/` only (checked with the real docker
 * CLI in test/integration/consumers.test.ts; REFERENCE 2, "Docker Hub's key").
 */
export function writeCredHelperEntry(path: string, key: string, now = new Date()): { backup?: string; unusedAuth: boolean } {
  let config: Record<string, unknown> = {};
  let backup: string | undefined;
  let mode = 0o600;
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    try {
      const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('not an object');
      config = parsed as Record<string, unknown>;
    } catch {
      throw usageError(`The docker config ${path} is not a JSON object, so it was left as it is.`, `Fix ${path} (docker cannot read it either), then run this again.`);
    }
    const helpers = config.credHelpers as Record<string, unknown> | undefined;
    if (helpers?.[key] === HELPER_NAME) return { unusedAuth: hasAuth(config, key) };
    backup = `${path}.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
    copyFileSync(path, backup);
    mode = statSync(path).mode & 0o777;
  } else {
    mkdirSync(dirname(path), { recursive: true });
  }
  const helpers = typeof config.credHelpers === 'object' && config.credHelpers !== null ? (config.credHelpers as Record<string, unknown>) : {};
  config.credHelpers = { ...helpers, [key]: HELPER_NAME };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, '\t') + '\n', { mode });
  renameSync(tmp, path);
  return { backup, unusedAuth: hasAuth(config, key) };
}

const hasAuth = (config: Record<string, unknown>, key: string) =>
  Boolean((config.auths as Record<string, unknown> | undefined)?.[key]);

/** Asks the installed helper once, as docker will: proves it is on PATH and can read the secret from here. */
export async function checkHelperAnswers(
  key: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<{ ok: true; username: string } | { ok: false; problem: string; missing?: boolean }> {
  const { execa } = await import('execa');
  const r = await execa(`docker-credential-${HELPER_NAME}`, ['get'], { input: key, env, extendEnv: false, reject: false, timeout: 30_000, cancelSignal: signal });
  if ((r as { code?: string }).code === 'ENOENT') {
    return { ok: false, missing: true, problem: `docker-credential-${HELPER_NAME} is not on PATH, so docker could not run it.` };
  }
  if (r.exitCode !== 0) return { ok: false, problem: `docker-credential-${HELPER_NAME} get answered: ${String(r.stdout).trim().split('\n')[0] ?? ''}` };
  try {
    const parsed = JSON.parse(String(r.stdout)) as { Username?: string; Secret?: string };
    registerSecret(parsed.Secret);
    if (typeof parsed.Username === 'string' && parsed.Secret) return { ok: true, username: parsed.Username };
  } catch {
    // fall through
  }
  return { ok: false, problem: `docker-credential-${HELPER_NAME} get answered something that is not a credential.` };
}
