import { usageError } from '../errors.js';
import type { Context } from '../context.js';

export async function rollback(_ctx: Context): Promise<number> {
  throw usageError('The rollback command is not available yet.', 'Use verify for now.');
}
