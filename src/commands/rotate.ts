import { usageError } from '../errors.js';
import type { Context } from '../context.js';

export async function rotate(_ctx: Context): Promise<number> {
  throw usageError('The rotate command is not available yet.', 'Use verify for now.');
}
