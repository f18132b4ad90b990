import { usageError } from '../errors.js';
import type { Context } from '../context.js';

export async function setup(_ctx: Context): Promise<number> {
  throw usageError('The setup command is not available yet.', 'Use verify for now.');
}
