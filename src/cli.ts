import { configFileNote, resolveSettings, type FlagValues } from './config.js';
import { ExitCode, cancelled, isCliError } from './errors.js';
import type { Output, Streams } from './ui/output.js';
import { describeError, redact } from './ui/redact.js';
import { NonInteractivePrompter, TerminalPrompter, type Prompter } from './ui/prompter.js';
import type { Context } from './context.js';
import { quickAnswer } from './quick.js';
import { checkInputs, takeEnvToken } from './flows/inputs.js';

// --help and --version are answered from texts the build rendered with commander
// (src/quick.ts, usually straight from the CommonJS launcher); commander, chalk,
// the AWS SDK, inquirer, ora and execa load only when a command needs them.


const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

type Runner = (ctx: Context, opts: Record<string, unknown>) => Promise<number>;

// A separate bundle (see scripts/build.mjs): one file to load, parsed only when a command runs.
const loadCommand = async (name: string): Promise<Runner> =>
  (await import('./commands/index.js'))[name as 'verify' | 'setup' | 'rotate' | 'rollback' | 'history' | 'login'] as Runner;

export interface MainDeps {
  streams?: Streams;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Parses arguments, runs one command, prints any failure once, and returns the exit code. */
export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
  const streams: Streams = deps.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const stdin = deps.stdin ?? process.stdin;
  const env = deps.env ?? process.env;
  // First of all: the token leaves the environment, so no config file, AWS client,
  // credential_process or docker child can ever see it.
  const envToken = takeEnvToken(env);
  // A reader that goes away (`dockerhub-credentials --help | head`), or a terminal that
  // closed, is not an error: before a command runs, stop; during one, stop as on Ctrl-C
  // (so a write in progress finishes and this run's stage is removed), writing nothing more.
  let onOutputGone: () => void = () => process.exit(process.exitCode ?? 0);
  for (const stream of [streams.stdout, streams.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'EIO') throw e;
      onOutputGone();
    });
  }
  const quick = quickAnswer(argv);
  if (quick !== undefined) {
    streams.stdout.write(quick);
    return ExitCode.Ok;
  }
  // Dependency warnings (such as the AWS SDK's Node-version notice) must not land in the wizard's output.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (argv.includes('--debug')) streams.stderr.write(redact(`debug: warning: ${w.name}: ${w.message}`) + '\n');
  });

  const [{ Output }, { buildProgram, CommanderError, usageFromCommander }] = await Promise.all([import('./ui/output.js'), import('./program.js')]);
  let exitCode: number = ExitCode.Ok;
  let out: Output = new Output(streams, { json: argv.includes('--json'), color: false, debug: false });
  const controller = new AbortController();
  let cancelRequested = false;
  let critical = 0;
  const onSignal = () => {
    out.stopSpinner();
    if (cancelRequested && critical === 0) {
      streams.stderr.write('\n');
      process.exit(ExitCode.Cancelled);
    }
    cancelRequested = true;
    if (critical === 0) controller.abort();
    else out.warn('Finishing the write in progress, then stopping.');
  };
  onOutputGone = () => {
    for (const stream of [streams.stdout, streams.stderr]) stream.write = (() => true) as typeof stream.write;
    onSignal();
  };

  const run = async (name: string, opts: Record<string, unknown>) => {
    const settings = resolveSettings(opts as FlagValues, {
      env,
      cwd: deps.cwd ?? process.cwd(),
      stdinIsTTY: Boolean(stdin.isTTY),
      stderrIsTTY: Boolean(streams.stderr.isTTY),
    });
    out = new Output(streams, { json: settings.json, color: settings.color, debug: settings.debug });
    // Which file supplied a value is always said: a value nobody typed must be traceable.
    const note = configFileNote(settings);
    if (note) out.info(note);
    else if (settings.configPath) out.debug(`config file: ${settings.configPath} (every value in it is overridden)`);
    const prompter: Prompter = settings.interactive
      ? new TerminalPrompter(stdin, streams, controller.signal)
      : new NonInteractivePrompter();
    const ctx: Context = {
      settings,
      out,
      prompter,
      streams,
      stdin,
      env,
      signal: controller.signal,
      isCancelled: () => cancelRequested,
      critical: async (fn) => {
        critical++;
        try {
          return await fn();
        } finally {
          critical--;
          if (cancelRequested && critical === 0) controller.abort();
        }
      },
    };
    // Every flag, variable, config value and piped token is checked before anything is sent.
    ctx.supplied = await checkInputs(ctx, name, opts, envToken);
    const runner = await loadCommand(name);
    // A command that returns has finished, and its result says what it did; a
    // command interrupted part-way throws a cancellation that says what it left.
    exitCode = await runner(ctx, opts);
  };

  // Ctrl-C, kill, a closed terminal and Ctrl-\ all stop the run the same careful way.
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    await buildProgram(run).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    out.stopSpinner();
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.Ok;
      return report(usageFromCommander(e, argv), out);
    }
    const error = controller.signal.aborted && !isCliError(e) ? cancelled() : e;
    return report(error, out);
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}

/** The one place failures are printed: a sentence, the fix, and the exit code. */
function report(e: unknown, out: Output): number {
  if (isCliError(e)) {
    if (out.options.json) {
      out.json({ ok: false, error: { code: e.code, message: e.message, hint: e.hint ?? null, exitCode: e.exitCode, ...(e.state ? { state: e.state } : {}) } });
    } else {
      out.fail(e.message);
      if (e.state) out.streams.stderr.write(redact(`  State: ${e.state}.`) + '\n');
      if (e.hint) out.streams.stderr.write(redact(`  ${e.hint}`) + '\n');
    }
    return e.exitCode;
  }
  const message = `Unexpected error: ${describeError(e)}`;
  if (out.options.json) {
    out.json({ ok: false, error: { code: 'unexpected', message, hint: null, exitCode: ExitCode.Unexpected } });
  } else {
    out.fail(message);
    out.streams.stderr.write('  Run again with --debug for details, and report this as a bug.\n');
  }
  if (out.options.debug && e instanceof Error && e.stack) out.debug(e.stack);
  return ExitCode.Unexpected;
}
