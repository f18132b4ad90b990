import { looksSecret, printable, registerSecret } from '../ui/redact.js';

/** What the original runbook printed about a stored value, plus what is wrong with it. */
export interface ValueCheck {
  hasUsername: boolean;
  hasToken: boolean;
  username: string | null;
  tokenLength: number | null;
  problems: string[];
  /** The parsed object, kept in memory only (other keys are preserved on write). */
  parsed?: Record<string, unknown>;
  token?: string;
}

const lengthOf = (s: string) => Array.from(s).length;

/**
 * Checks that a stored value is a JSON object with non-empty string `username`
 * and `token`. Problems describe what is wrong without echoing the value.
 */
export function checkCredentialValue(secretString: string | undefined): ValueCheck {
  const result: ValueCheck = { hasUsername: false, hasToken: false, username: null, tokenLength: null, problems: [] };
  if (secretString === undefined) {
    result.problems.push('The current version holds binary data, not a JSON string.');
    return result;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    result.problems.push(`The value is not JSON (${lengthOf(secretString)} characters); expected {"username": "...", "token": "..."}.`);
    return result;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`;
    result.problems.push(`The value is JSON but ${kind}, not an object with "username" and "token".`);
    return result;
  }
  const obj = parsed as Record<string, unknown>;
  result.parsed = obj;

  const username = obj.username;
  if (!('username' in obj)) result.problems.push('The key "username" is missing.');
  else if (typeof username !== 'string') result.problems.push(`The key "username" is not a string (it is ${typeName(username)}).`);
  else if (username.trim() === '') result.problems.push('The key "username" is empty.');
  else if (looksSecret(username)) {
    // Fields swapped, or a token pasted into the username: never printed, and not a username.
    registerSecret(username);
    result.hasUsername = true;
    result.problems.push('The key "username" holds what looks like an access token (not shown); the token belongs in "token".');
  } else {
    result.hasUsername = true;
    // Escaped for the terminal and CI logs; a name with control characters cannot be a Docker ID.
    result.username = printable(username);
    if (result.username !== username) result.problems.push('The key "username" contains control characters (shown escaped).');
  }

  const token = obj.token;
  if (!('token' in obj)) result.problems.push('The key "token" is missing.');
  else if (typeof token !== 'string') result.problems.push(`The key "token" is not a string (it is ${typeName(token)}).`);
  else if (token.trim() === '') result.problems.push('The key "token" is empty.');
  else {
    result.hasToken = true;
    result.tokenLength = lengthOf(token);
    result.token = token;
    registerSecret(token);
  }
  return result;
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/** "3 days ago", for when a value last changed. */
export function age(from: Date, now = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

export const formatDate = (d: Date) => `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
