import { ExitCode, exitOf, type ErrorCode, type ExitOf } from './catalogue.js';

export { ExitCode, type ErrorCode } from './catalogue.js';

/**
 * An expected failure: one sentence for the user, the fix, and the exit code.
 * `code` is a stable machine-readable name used by `--json`: a row of the
 * catalogue (src/catalogue.ts), which gives the exit code. The exit passed in
 * must be the catalogue's (the type says so for a literal code); the catalogue's
 * is the one used.
 */
export class CliError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitOf<C>;
  /** The failure this one follows from, shown on a line of its own in its own words (never re-worded into this sentence). */
  declare readonly cause?: CliError;
  constructor(
    readonly code: C,
    message: string,
    readonly hint: string | undefined,
    _exit: ExitOf<C>,
    /** What the failure left in Secrets Manager, as read back (printed on its own line, and as `state` in --json). */
    readonly state?: string,
    cause?: CliError,
  ) {
    super(message, cause ? { cause } : undefined);
    this.exitCode = exitOf(code);
  }
}

/** A failure of the catalogue's row `code`, with the exit code the catalogue gives it. */
export const failure = <C extends ErrorCode>(code: C, message: string, hint?: string, state?: string, cause?: CliError): CliError<C> =>
  new CliError(code, message, hint, exitOf(code), state, cause);

/** The same failure, with the state it left (read back after the failure). */
/** The same failure with what it left. A cancellation that now leaves something no longer says "nothing was changed". */
export const withState = (e: CliError, state: string): CliError =>
  failure(e.code, e.code === 'cancelled' && !e.state ? 'Cancelled.' : e.message, e.hint, state, e.cause);

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

/**
 * A row's sentence and fix as templates: a recognizer picks the row and finds the
 * facts (names, ids, what an answer said), and the template fills them in.
 */
export interface Template<F> {
  message: (facts: F) => string;
  hint?: (facts: F) => string;
}

/** The failure of row `code`, its sentence and fix filled in from `templates` with `facts`. */
export const say = <F, C extends ErrorCode>(templates: { readonly [K in C]: Template<F> }, code: C, facts: F, state?: string): CliError<C> => {
  const t: Template<F> = templates[code];
  return failure(code, t.message(facts), t.hint?.(facts), state);
};
