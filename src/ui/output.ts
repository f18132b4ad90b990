import { Chalk, type ChalkInstance } from 'chalk';
import { redact } from './redact.js';
import { isCliError } from '../errors.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
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
}

/**
 * Human messages and progress go to stderr; data (reports, JSON) to stdout, so
 * `--json` and pipes stay clean. Everything written passes through `redact`.
 * In `--json` mode stderr carries only warnings and failures.
 */
export class Output {
  readonly err: ChalkInstance;
  readonly out: ChalkInstance;

  constructor(
    readonly streams: Streams,
    readonly options: OutputOptions,
  ) {
    this.err = new Chalk({ level: options.color && streams.stderr.isTTY ? 1 : 0 });
    this.out = new Chalk({ level: options.color && streams.stdout.isTTY ? 1 : 0 });
  }

  private active: { stop(): unknown } | undefined;

  /** Stops a running spinner (on Ctrl-C or an error) so the terminal is left clean. */
  stopSpinner(): void {
    this.active?.stop();
    this.active = undefined;
  }

  private writeErr(line: string): void {
    this.stopSpinner();
    this.streams.stderr.write(redact(line) + '\n');
  }

  /** A line of the human report on stdout. */
  data(line = ''): void {
    this.streams.stdout.write(redact(line) + '\n');
  }

  json(value: unknown): void {
    this.streams.stdout.write(redact(JSON.stringify(value, null, 2)) + '\n');
  }

  info(line = ''): void {
    if (!this.options.json) this.writeErr(line);
  }

  heading(line: string): void {
    this.info(this.err.bold(line));
  }

  ok(line: string): void {
    this.info(`${this.err.green('✓')} ${line}`);
  }

  warn(line: string): void {
    this.writeErr(`${this.err.yellow('!')} ${line}`);
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

  /** Runs `fn` as a step that ends in ✓ `done(result)`, or ✗ `failed` and the error rethrown. */
  async track<T>(text: string, fn: () => Promise<T>, end: { done: (value: T) => string; failed: string }): Promise<T> {
    const step = await this.step(text);
    try {
      const value = await fn();
      step.succeed(end.done(value));
      return value;
    } catch (e) {
      // An expected failure is reported once, in its own words (report in cli.ts), and
      // Ctrl-C is not the step failing: only an unexpected error marks the step ✗ here.
      if (isCliError(e)) this.stopSpinner();
      else step.fail(end.failed);
      throw e;
    }
  }

  /** Starts a network step. The spinner library is loaded only when a terminal shows it. */
  async step(text: string): Promise<Step> {
    const quiet = this.options.json;
    const stream = this.streams.stderr;
    if (!quiet && stream.isTTY) {
      const { default: ora } = await import('ora');
      const spinner = ora({
        text,
        stream,
        color: 'cyan',
        discardStdin: false,
        isEnabled: true,
        isSilent: false,
      }).start();
      this.active = spinner;
      const end = (symbol: string, t?: string) => {
        spinner.stopAndPersist({ symbol, text: redact(t ?? text) });
        this.active = undefined;
      };
      return {
        succeed: (t) => end(this.err.green('✓'), t),
        fail: (t) => end(this.err.red('✗'), t),
        warn: (t) => end(this.err.yellow('!'), t),
      };
    }
    // Without a terminal, a start line shows in CI logs where a slow step is.
    this.info(this.err.dim(`… ${text}`));
    return {
      succeed: (t) => this.ok(t ?? text),
      // Without a spinner the error report that follows says it all.
      fail: () => undefined,
      warn: (t) => this.warn(t ?? text),
    };
  }
}
