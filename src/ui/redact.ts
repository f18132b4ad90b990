/**
 * The one place that decides what may be printed. Every secret value the tool
 * handles is registered here the moment it is read; every line the tool writes
 * passes through `redact` as a last line of defence.
 */
// Shared through globalThis: the CLI front and the commands are separate bundles,
// and redaction in either must know every secret registered in both.
const KEY = Symbol.for('dockerhub-credentials.secrets');
const VALUES = Symbol.for('dockerhub-credentials.secret-values');
const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
const secrets: Set<string> = (holder[KEY] ??= new Set<string>());
/** The values registered, each once: the forms in `secrets` are rebuilt from them when one is released. */
const values: Set<string> = (holder[VALUES] ??= new Set<string>());

// Shorter values are not registered: a stored `null` or a swapped-in username
// such as "alice" would otherwise be cut out of every sentence. Docker Hub's
// tokens are 36 characters and its passwords at least 9.
const MIN_SECRET = 8;

const toBase64Url = (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_');

/**
 * The parts of any base64 text that must appear when `value` is encoded inside
 * something longer (docker's `user:token`, a Basic header): one per alignment
 * of `value` within 3-byte groups, keeping only the groups made of its bytes alone.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const whole = Math.floor(padded.length / 3) * 4;
    const start = shift === 0 ? 0 : 4;
    const form = padded.toString('base64').slice(start, whole);
    if (form.length >= MIN_SECRET) out.push(form, toBase64Url(form));
  }
  return out;
}

/** A secret as it may appear in a service's answer: as is, JSON-escaped, URL-encoded, base64 (alone or within `user:token`). */
function formsOf(value: string): string[] {
  return [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    ...base64Forms(value),
  ];
}

/** Forgets every registered value: a run in process (tests' `main(argv, deps)`) starts as clean as a new process. */
export function forgetSecrets(): void {
  values.clear();
  secrets.clear();
}

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_SECRET) return;
  values.add(value);
  for (const form of formsOf(value)) if (form.length >= MIN_SECRET) secrets.add(form);
}

/**
 * Stops redacting a value registered by mistake (an answer that turned out not
 * to be the token). The forms of every other registered value stay, even where
 * they coincide with one of this value's.
 */
export function unregisterSecret(value: string): void {
  if (!values.delete(value)) return;
  secrets.clear();
  for (const v of values) for (const form of formsOf(v)) if (form.length >= MIN_SECRET) secrets.add(form);
}

/** Whether `text` contains a registered secret in any of its forms. */
export function containsSecret(text: string): boolean {
  for (const secret of secrets) if (text.includes(secret)) return true;
  return false;
}

export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret's encoded form is not half-replaced by a shorter one.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

// Invisible characters a paste can carry in front of or inside a token.
const INVISIBLE = /[\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]/g;
const TOKEN_PREFIX = /dckr_[a-z]{3}_/;
// `user:secret`, as docker stores it and as people paste it; not a URL, not an ARN.
const PAIR = /^[a-z0-9][a-z0-9._-]{0,254}:[^:]{8,}$/i;

function pairOrPrefix(value: string): boolean {
  return TOKEN_PREFIX.test(value.toLowerCase()) || (PAIR.test(value) && !/^(arn:|[a-z][a-z0-9+.-]*:\/\/)/i.test(value));
}

/**
 * The one rule for a value that must never be quoted back: it contains a Docker
 * token prefix in any case (once invisible characters and whitespace are
 * removed), is a `user:token` pair or the base64 of one, or contains a
 * registered secret. Applied to every flag, variable, config value, prompt
 * answer and stored username.
 */
export function looksSecret(value: string): boolean {
  const bare = value.replace(INVISIBLE, '');
  if (bare === '') return false;
  if (pairOrPrefix(bare) || containsSecret(value) || containsSecret(bare)) return true;
  if (bare.length >= 12 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(bare)) {
    const decoded = Buffer.from(bare.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    if (!decoded.includes('\ufffd') && pairOrPrefix(decoded.replace(INVISIBLE, ''))) return true;
  }
  return false;
}

// C0 and C1 controls, DEL, line and paragraph separators, and bidirectional overrides:
// anything that could move the cursor, recolour a terminal or reorder a CI log line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A value from outside (a flag, a stored field), made safe to print: control characters escaped. */
export function printable(value: string): string {
  return value.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * `value` cut to `max` characters when longer: its first `keep`, an ellipsis and its
 * length, so a 60,000-character stored name takes one line, and says how long it was.
 */
export function bounded(value: string, max: number, keep = Math.min(80, max)): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, keep).join('')}…(${chars.length} characters)`;
}

// What JSON.stringify leaves raw although a terminal or a log viewer acts on it.
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with DEL, C1 controls, bidi marks and line/paragraph separators as \uXXXX (they can only occur inside strings). */
export function jsonSafe(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
