/**
 * The one place that decides what may be printed. Every secret value the tool
 * handles is registered here the moment it is read; every line the tool writes
 * passes through `redact` as a last line of defence.
 */
// Shared through globalThis: the CLI front and the commands are separate bundles,
// and redaction in either must know every secret registered in both.
const KEY = Symbol.for('dockerhub-credentials.secrets');
const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
const secrets: Set<string> = (holder[KEY] ??= new Set<string>());

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Constant-time comparison, so even timing does not reveal how much of a token matched. */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The safe description of an unknown thrown value: its name and message only, never its fields. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return redact(`${e.name}: ${e.message}`);
  return redact(String(e));
}
