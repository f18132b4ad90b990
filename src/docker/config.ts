import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HUB_AUTH_KEY, tokenKind } from '../hub/tokens.js';
import { registerSecret } from '../ui/redact.js';

export type SecretKind = 'personal access token' | 'organization access token' | 'password' | 'identity token' | 'session token';

export interface LocalLogin {
  source: string; // "config.json auths" or "helper desktop"
  username: string;
  kind: SecretKind;
  /** Kept in memory only, to offer reuse. */
  secret: string;
  reusable: boolean;
}

export type ProbeResult =
  | { found: LocalLogin; notes: string[] }
  | { found: undefined; notes: string[] };

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
}

export function classifySecret(username: string, secret: string): SecretKind {
  if (username === '<token>') return 'identity token';
  const kind = tokenKind(secret);
  if (kind === 'pat') return 'personal access token';
  if (kind === 'oat') return 'organization access token';
  if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(secret) && secret.length > 100) return 'session token';
  return 'password';
}

function login(source: string, username: string, secret: string): LocalLogin {
  registerSecret(secret);
  const kind = classifySecret(username, secret);
  return { source, username, kind, secret, reusable: kind !== 'identity token' && kind !== 'session token' };
}

/** Runs `docker-credential-<name> get`, with the server URL on stdin. Reading only; nothing is changed. */
async function askHelper(name: string, signal: AbortSignal): Promise<{ login?: LocalLogin; note?: string }> {
  const { execa } = await import('execa');
  const res = await execa(`docker-credential-${name}`, ['get'], {
    input: HUB_AUTH_KEY,
    reject: false,
    timeout: 10_000,
    cancelSignal: signal,
  });
  if ((res as { code?: string }).code === 'ENOENT') {
    return { note: `credential helper docker-credential-${name} is configured but not installed (executable file not found in $PATH)` };
  }
  if (res.exitCode !== 0) {
    const said = String(res.stdout || res.stderr).trim().split('\n')[0] ?? '';
    if (/not found/i.test(said)) return { note: `credential helper ${name} has no Docker Hub login` };
    return { note: `credential helper ${name} failed (exit ${res.exitCode})` };
  }
  try {
    const parsed = JSON.parse(String(res.stdout)) as { Username?: unknown; Secret?: unknown };
    if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string' || !parsed.Secret) throw new Error();
    return { login: login(`credential helper ${name}`, parsed.Username, parsed.Secret) };
  } catch {
    return { note: `credential helper ${name} answered something that is not a credential` };
  }
}

/**
 * Finds the user's own Docker Hub login, the way docker does: a credHelpers
 * entry wins over credsStore, which wins over auths in the file. Read-only.
 */
export async function probeLocalLogin(env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<ProbeResult> {
  const path = dockerConfigPath(env);
  let config: DockerConfigFile;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as DockerConfigFile;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return { found: undefined, notes: [missing ? `no docker config at ${path}` : `${path} could not be read as JSON`] };
  }
  const notes: string[] = [];
  const helper = config.credHelpers?.[HUB_AUTH_KEY] ?? config.credHelpers?.['index.docker.io'] ?? config.credsStore;
  if (helper) {
    const answer = await askHelper(helper, signal);
    if (answer.login) return { found: answer.login, notes };
    if (answer.note) notes.push(answer.note);
  }
  const entry = config.auths?.[HUB_AUTH_KEY];
  if (entry?.identitytoken) {
    const user = entry.auth ? Buffer.from(entry.auth, 'base64').toString().split(':')[0] ?? '<token>' : '<token>';
    return { found: { ...login('config.json', '<token>', entry.identitytoken), username: user }, notes };
  }
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) return { found: login(`${path}`, decoded.slice(0, i), decoded.slice(i + 1)), notes };
    notes.push(`the Docker Hub entry in ${path} is not user:secret`);
  }
  if (!helper && !entry) notes.push('no Docker Hub login found');
  return { found: undefined, notes };
}
