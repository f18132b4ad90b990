import { randomBytes } from 'node:crypto';
import { bounded, jsonSafe, printable, redact } from './redact.js';
import { isCliError } from '../errors.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** `wrap`: word-wrap the line to a terminal's width (see `Output.info`). */
export interface Wrap {
  wrap?: boolean;
}

export interface OutputOptions {
  json: boolean;
  color: boolean;
  debug: boolean;
}

/** A running network step: a spinner at a terminal, a plain line otherwise. Ends in ✓ or ✗. */
export interface Step {
  succeed(text?: string): void;
  fail(text?: string): void;
  warn(text?: string): void;
  /** The step did not run (no docker CLI, say): neither ✓ nor ✗. */
  skip(text: string): void;
  /** Ends without a line: the line that follows says it (verify's report, login's result). */
  end(): void;
}

// Everything the Output writes is escaped as a whole (see `render`), so no value from
// AWS, Docker Hub, docker or a file can reach the terminal raw, whichever line it is
// interpolated into: nothing to remember at each call site. The tool's own styling
// survives because it is not written as escape codes: a style is a marker holding this
// run's random nonce, which no value read from outside can know in advance; `render`
// turns markers into SGR codes (or drops them without colour) after everything else was escaped.
const NONCE = randomBytes(6).toString('hex');
const MARK = new RegExp(`\ue000${NONCE}:(\\d+)\ue001`, 'g');
const mark = (sgr: number) => `\ue000${NONCE}:${sgr}\ue001`;

const STYLES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], gray: [90, 39] } as const;

/** The tool's own styles (chalk's names); whether they show as colour is decided per stream when written. */
export type Styler = Record<keyof typeof STYLES, (text: string) => string>;

const STYLER: Styler = Object.fromEntries(
  Object.entries(STYLES).map(([name, [open, close]]) => [
    name,
    // As chalk does: an inner style's close that also ends this one reopens it.
    (text: string) => mark(open) + String(text).split(mark(close)).join(mark(close) + mark(open)) + mark(close),
  ]),
) as Styler;

/** The mark of a step that did not run, or of a choice declined. */
const SKIPPED = (s: Styler) => s.dim('-');

/** A run of characters without a space longer than this (no ARN, path or name of the tool's is) is cut. */
const WORD_MAX = 600;
/** A line longer than this is cut. */
const LINE_MAX = 4000;
/** Terminals narrower than this are not wrapped by the tool (the terminal's own soft wrap is better than a column of words). */
const MIN_WRAP = 20;

const visible = (s: string) => Array.from(s.replace(MARK, '')).length;

/** Cuts over-long words and lines of `text` (markers kept whole), then escapes every control character in it. */
function escapeAndBound(text: string): string {
  const parts = text.split(new RegExp(`(\ue000${NONCE}:\\d+\ue001)`));
  let room = LINE_MAX;
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    // Odd parts are the tool's style markers: kept, so every style still closes.
    if (i % 2 === 1) out += parts[i];
    else if (room > 0) {
      const words = parts[i]!.replace(/[^ ]+/g, (w) => bounded(w, WORD_MAX));
      const length = Array.from(words).length;
      out += printable(length > room ? `${Array.from(words).slice(0, room).join('')}… (line cut at ${LINE_MAX} characters)` : words);
      room -= length;
    }
  }
  return out;
}

/** The columns a stream can show: a number above zero only for a terminal that knows its width. */
export function widthOf(stream: { isTTY?: boolean; columns?: number }): number | undefined {
  const columns = stream.isTTY ? stream.columns : undefined;
  return typeof columns === 'number' && Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : undefined;
}

/**
 * Word-wraps one line to `width`, continuing under the text after its indentation and
 * its leading mark (`✓ `, `! `, `1. `). A word longer than the line stays whole. Each
 * pass of the loop consumes one piece of the line, so any width ends.
 */
export function wrap(line: string, width: number | undefined): string {
  if (width === undefined || width < MIN_WRAP || visible(line) <= width) return line;
  const lead = /^( *)((?:[✓✗!…-]|\d+\.) )?/.exec(line.replace(MARK, ''))![0].length;
  const indent = ' '.repeat(lead > width / 2 ? 0 : lead);
  const lines: string[] = [];
  let current = '';
  let words = 0;
  let space = '';
  const pieces = line.split(/( +)/);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (i % 2 === 1) space = piece;
    else if (piece !== '') {
      // The line's own indentation and its first word never break.
      if (words > 0 && visible(current) + visible(space) + visible(piece) > width) {
        lines.push(current);
        current = indent + piece;
      } else current += space + piece;
      words++;
      space = '';
    }
  }
  lines.push(current);
  return lines.join('\n');
}

/**
 * Human messages and progress go to stderr; data (reports, JSON) to stdout, so
 * `--json` and pipes stay clean. Everything written passes through `redact`, then
 * is escaped and bounded (see `render`); prose can be wrapped to a terminal's width.
 * In `--json` mode stderr carries only warnings and failures.
 */
export class Output {
  readonly err: Styler = STYLER;
  readonly out: Styler = STYLER;

  constructor(
    readonly streams: Streams,
    readonly options: OutputOptions,
  ) {}

  private active: Spinner | undefined;

  /** Stops a running spinner (on Ctrl-C or an error) so the terminal is left clean. */
  stopSpinner(): void {
    this.active?.stop();
    this.active = undefined;
  }

  /** `line` as it may reach `stream`: secrets redacted, controls escaped, lengths bounded, styles as colour or nothing, wrapped. */
  render(line: string, stream: Streams['stderr'], o: Wrap = {}): string {
    const colour = this.options.color && Boolean(stream.isTTY);
    const safe = escapeAndBound(redact(line));
    const shaped = o.wrap ? wrap(safe, widthOf(stream)) : safe;
    return shaped.replace(MARK, (_, sgr: string) => (colour ? `\u001b[${sgr}m` : ''));
  }

  private writeErr(line: string, o: Wrap = {}): void {
    this.stopSpinner();
    this.streams.stderr.write(this.render(line, this.streams.stderr, o) + '\n');
  }

  /** A line of the human report on stdout. */
  data(line = ''): void {
    this.streams.stdout.write(this.render(line, this.streams.stdout) + '\n');
  }

  /**
   * JSON on stdout. JSON.stringify escapes C0 controls but leaves DEL, C1 controls, bidi
   * marks and U+2028/2029 raw; `jsonSafe` escapes those too. Strings are bounded, after
   * redaction, so a cut can never leave part of a secret.
   */
  json(value: unknown): void {
    const text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'string' ? bounded(redact(v.replace(MARK, '')), 4096) : v), 2);
    this.streams.stdout.write(jsonSafe(redact(text ?? 'null')) + '\n');
  }

  /** `wrap`: prose, word-wrapped to a terminal's width. Lines holding a command or a snippet to copy are never wrapped (a pasted line break would run half a command): the terminal's own soft wrap copies as one line. */
  info(line = '', o: Wrap = {}): void {
    if (!this.options.json) this.writeErr(line, o);
  }

  heading(line: string): void {
    this.info(this.err.bold(line));
  }

  ok(line: string): void {
    this.info(`${this.err.green('✓')} ${line}`);
  }

  /** A step that did not run, or a choice that was declined: neither ✓ nor ✗. */
  skipped(line: string): void {
    this.info(`${SKIPPED(this.err)} ${line}`);
  }

  warn(line: string, o: Wrap = {}): void {
    this.writeErr(`${this.err.yellow('!')} ${line}`, o);
  }

  fail(line: string): void {
    this.writeErr(`${this.err.red('✗')} ${line}`);
  }

  dim(text: string): string {
    return this.err.dim(text);
  }

  debug(line: string): void {
    if (this.options.debug) this.writeErr(this.err.gray(`debug: ${line}`));
  }

  /**
   * Runs `fn` as a step that ends in ✓ `done(result)`, or ✗ `failed` and the error rethrown.
   * `done` returning undefined ends it without a line (what follows says it: no line twice);
   * `skipped` returning a text ends it as a step that did not run.
   */
  async track<T>(
    text: string,
    fn: () => Promise<T>,
    end: { done: (value: T) => string | undefined; failed: string; skipped?: (value: T) => string | undefined },
  ): Promise<T> {
    const step = await this.step(text);
    try {
      const value = await fn();
      const skipped = end.skipped?.(value);
      const done = skipped === undefined ? end.done(value) : undefined;
      if (skipped !== undefined) step.skip(skipped);
      else if (done !== undefined) step.succeed(done);
      else step.end();
      return value;
    } catch (e) {
      // An expected failure is reported once, in its own words (report in cli.ts), and
      // Ctrl-C is not the step failing: only an unexpected error marks the step ✗ here.
      if (isCliError(e)) this.stopSpinner();
      else step.fail(end.failed);
      throw e;
    }
  }

  /**
   * Starts a network step: a spinner only on a terminal that knows its width (a pty whose
   * size was never set says 0 columns), otherwise a start line, as in CI logs.
   */
  async step(text: string): Promise<Step> {
    const stream = this.streams.stderr;
    if (!this.options.json && widthOf(stream) !== undefined) {
      this.stopSpinner();
      const spinner = new Spinner(stream, (t) => this.render(t, stream), text, this.options.color);
      this.active = spinner;
      const end = (symbol?: string, t?: string) => {
        spinner.stop();
        if (this.active === spinner) this.active = undefined;
        if (symbol !== undefined) this.writeErr(`${symbol} ${t ?? text}`);
      };
      return {
        succeed: (t) => end(this.err.green('✓'), t),
        fail: (t) => end(this.err.red('✗'), t),
        warn: (t) => end(this.err.yellow('!'), t),
        skip: (t) => end(SKIPPED(this.err), t),
        end: () => end(),
      };
    }
    // Without a terminal, a start line shows in CI logs where a slow step is.
    this.info(this.err.dim(`… ${text}`));
    return {
      succeed: (t) => this.ok(t ?? text),
      // Without a spinner the error report that follows says it all.
      fail: () => undefined,
      warn: (t) => this.warn(t ?? text),
      skip: (t) => this.skipped(t),
      end: () => undefined,
    };
  }
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * One line, redrawn in place with carriage return and erase-line only (never a cursor
 * move up): whatever the width, each frame writes one bounded line. The text is cut to
 * the width so the line never wraps; if the terminal loses its width, frames stop.
 */
class Spinner {
  private frame = 0;
  private readonly timer: NodeJS.Timeout;
  private drawn = false;

  constructor(
    private readonly stream: Streams['stderr'],
    private readonly render: (line: string) => string,
    private readonly text: string,
    private readonly colour: boolean,
  ) {
    this.draw();
    this.timer = setInterval(() => this.draw(), 80);
    this.timer.unref();
  }

  private draw(): void {
    const width = widthOf(this.stream);
    if (width === undefined || width < 4) return this.clear();
    const symbol = FRAMES[this.frame++ % FRAMES.length]!;
    const text = Array.from(this.render(this.text).replace(/\u001b\[\d+m/g, ''));
    const room = width - 3;
    const shown = text.length > room ? `${text.slice(0, Math.max(0, room - 1)).join('')}…` : text.join('');
    const styled = this.colour ? `\u001b[36m${symbol}\u001b[39m` : symbol;
    this.stream.write(`\r\u001b[2K${styled} ${shown}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.clear();
  }
}
