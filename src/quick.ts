import { versionLine } from './version.js';
import { isCommandName } from './commands/names.js';

// The answers that need no command: help texts rendered by commander from
// src/program.ts at build time, and the version. Built as dist/quick.cjs too, so
// the CommonJS launcher answers them without starting Node's ESM loader.

declare const __HELP__: Record<string, string> | undefined;
const HELP: Record<string, string> | undefined = typeof __HELP__ === 'object' ? __HELP__ : undefined;

/** The text for a plain request for help or the version, or undefined for anything else. */
export function quickAnswer(argv: string[], help = HELP): string | undefined {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return `${versionLine()}\n`;
  if (!help) return undefined;
  const isHelp = (a: string | undefined) => a === '--help' || a === '-h';
  if (argv.length === 0 || (argv.length === 1 && (isHelp(argv[0]) || argv[0] === 'help'))) return help[''];
  const [first, second] = argv;
  if (argv.length === 2 && isCommandName(first) && isHelp(second)) return help[first];
  if (argv.length === 2 && first === 'help' && isCommandName(second)) return help[second];
  return undefined;
}
