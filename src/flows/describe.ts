import type { Context } from '../context.js';
import { age, formatDate, type ValueCheck } from '../domain/value.js';

/** "alice1, token 36 characters, written 2026-11-23 20:31 UTC (3 days ago)": never a character of the token. */
export function describeValue(check: ValueCheck, when?: Date): string {
  const who = check.username ?? '(no username)';
  const length = check.tokenLength === null ? 'no token' : `token ${check.tokenLength} characters`;
  return `${who}, ${length}${when ? `, written ${formatDate(when)} (${age(when)})` : ''}`;
}

export async function confirmOrYes(ctx: Context, message: string): Promise<boolean> {
  return ctx.settings.yes || ctx.prompter.confirm({ message, default: false, flag: '--yes' });
}
