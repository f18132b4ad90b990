import { ExitCode, type CodeIn, type ErrorCode } from '../catalogue.js';
import { isCliError } from '../errors.js';
import type { Output } from './output.js';
import { describeError } from './redact.js';

// The one renderer of failures: a failure (a CliError, a row of the catalogue
// with its sentence and fix, or anything unexpected) becomes the terminal's
// lines, the `--json` error object, or the credential helper's one line on
// stdout. Commands and flows throw failures; only this module shows them.

/** The codes of a confirmation declined or a choice to leave things as they are (exit 2, like a missing answer): shown without ✗. */
const DECLINED: ReadonlySet<ErrorCode> = new Set<CodeIn<'choice'>>(['not-replaced', 'not-rolled-back', 'not-rotated', 'not-retired', 'host-declined']);

/** A failure as `--json` prints it: `{"ok": false, "error": …}`. */
export interface FailureJson {
  code: ErrorCode;
  message: string;
  hint: string | null;
  exitCode: number;
  state?: string;
  /** The failure this one follows from, in its own words. */
  cause?: { code: ErrorCode; message: string };
}

const UNEXPECTED_HINT = 'Run again with --debug for details, and report this as a bug.';

/** The error object of `--json`: the catalogue's code, the sentence, the fix, the exit code, and what the failure left. */
export function failureJson(e: unknown): FailureJson {
  if (isCliError(e)) {
    return {
      code: e.code,
      message: e.message,
      hint: e.hint ?? null,
      exitCode: e.exitCode,
      ...(e.state ? { state: e.state } : {}),
      ...(e.cause ? { cause: { code: e.cause.code, message: e.cause.message } } : {}),
    };
  }
  return { code: 'unexpected', message: `Unexpected error: ${describeError(e)}`, hint: null, exitCode: ExitCode.Unexpected };
}

/**
 * Prints a run's failure once, as JSON or as text (the sentence, then what it left
 * in Secrets Manager, then the fix), and returns its exit code.
 */
export function renderFailure(out: Output, e: unknown): number {
  const shown = failureJson(e);
  if (out.options.json) {
    out.json({ ok: false, error: shown });
  } else if (!isCliError(e)) {
    out.fail(shown.message);
    out.info(`  ${UNEXPECTED_HINT}`);
  } else if (DECLINED.has(e.code)) {
    // The user's own choice (a confirmation answered no, "leave it"): not a failure, so no ✗;
    // what it left is still said.
    out.skipped(e.message);
    renderState(out, e);
  } else {
    out.fail(e.message);
    renderCause(out, e.cause);
    renderState(out, e);
    renderHint(out, e);
  }
  if (!isCliError(e) && out.options.debug && e instanceof Error && e.stack) for (const line of e.stack.split('\n')) out.debug(line);
  return shown.exitCode;
}

/** The sentence alone, marked ✗: for a failure the run recovers from at a terminal (the fix follows once the choice is made). */
export function renderHeadline(out: Output, e: unknown): void {
  out.fail(failureJson(e).message);
}

/** The failure another follows from (or a warning's reason), on its own line in its own words. */
function renderCause(out: Output, cause: unknown): void {
  if (cause !== undefined) out.info(`  Cause: ${isCliError(cause) ? cause.message : describeError(cause)}`);
}

/** A warning about something that failed without failing the run, and why, in the failure's own words. */
export function renderWarning(out: Output, text: string, cause: unknown): void {
  out.warn(text);
  renderCause(out, cause);
}

/** What the failure left in Secrets Manager, as read back. */
function renderState(out: Output, e: unknown): void {
  if (isCliError(e) && e.state) out.info(`  State: ${e.state}.`);
}

/** The fix, indented under the sentence or the report it belongs to. */
export function renderHint(out: Output, e: unknown): void {
  if (isCliError(e) && e.hint) out.info(`  ${e.hint}`);
}

/**
 * The credential helper's answer to docker on a failure: one line on stdout (the
 * protocol's error channel; docker shows it), and the same text for the helper's log.
 */
export function helperFailure(e: unknown): { line: string; reason: string } {
  const reason = isCliError(e) ? [e.message, e.cause?.message, e.hint].filter(Boolean).join(' ') : e instanceof Error ? e.message : String(e);
  return { line: `dockerhub-credentials: ${reason}`, reason };
}
