/** Exit codes are part of the public contract: README documents each one. */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  Rejected: 3,
  Aws: 4,
  Transient: 5,
  /** verify --fail-when-due: the token expires within --warn-days. */
  RotationDue: 6,
  Cancelled: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An expected failure: one sentence for the user, the fix, and the exit code.
 * `code` is a stable machine-readable name used by `--json`.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
    readonly exitCode: ExitCode,
    /** What the failure left in Secrets Manager, as read back (printed on its own line, and as `state` in --json). */
    readonly state?: string,
  ) {
    super(message);
  }
}

/** The same failure, with the state it left (read back after the failure). */
export const withState = (e: CliError, state: string): CliError => new CliError(e.code, e.message, e.hint, e.exitCode, state);

export const usageError = (message: string, hint?: string): CliError =>
  new CliError('usage', message, hint, ExitCode.Usage);

/** Ctrl-C or another signal. Without `state`, nothing had been written yet. */
export const cancelled = (state?: string, hint?: string): CliError =>
  new CliError('cancelled', state ? 'Cancelled.' : 'Cancelled; nothing was changed.', hint, ExitCode.Cancelled, state);

export const isCancellation = (e: unknown): boolean => isCliError(e) && e.code === 'cancelled';

/**
 * The CLI front (dist/cli.js) and the commands (dist/commands.js) are separate
 * bundles, each with its own copy of this class: recognise it by its brand.
 */
export const isCliError = (e: unknown): e is CliError =>
  e instanceof Error && e.name === 'CliError' && typeof (e as CliError).exitCode === 'number';
