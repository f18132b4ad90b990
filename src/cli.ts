import { configFileNote, resolveSettings, type FlagValues } from './config.js';
import { CliError, ExitCode, cancelled, isCliError } from './errors.js';
import type { Output, Streams } from './ui/output.js';
import { forgetSecrets, printable, redact } from './ui/redact.js';
import { NonInteractivePrompter, TerminalPrompter, type Prompter } from './ui/prompter.js';
import type { Context } from './context.js';
import type { OpenStore } from './aws/store.js';
import type { Fetch } from './net/proxy.js';
import type { DockerRunner } from './docker/login.js';
import { quickAnswer } from './quick.js';
import { renderFailure } from './ui/render.js';
import type { CommandName } from './commands/names.js';
import { checkInputs, takeEnvToken } from './flows/inputs.js';
import { takeEnvPassword } from './flows/signin-inputs.js';
import { commandLine } from './flows/secret-id.js';

// --help and --version are answered from texts the build rendered with commander
// (src/quick.ts, usually straight from the CommonJS launcher); commander,
// the AWS SDK, inquirer and execa load only when a command needs them.


const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
/** Longer than a write and the read-back after it may take: two Secrets Manager calls (30 s each by default), and some. */
const stopWithinMs = (env: NodeJS.ProcessEnv) => Math.max(75, 2 * Math.min(Number(env.DOCKERHUB_CREDENTIALS_AWS_TIMEOUT) || 30, 600) + 15) * 1000;

/** Stopped before the command could say what it left: the state must be read back. */
const stoppedAnyway = (why: string, ctx: Context | undefined, writing: boolean) => {
  const secretId = ctx?.settings.secretId;
  // The exact command (the secret, --region, --profile), as every other hint gives it.
  const history = ctx && secretId ? commandLine(ctx, 'history', secretId) : 'npx dockerhub-credentials history --secret-id NAME';
  return new CliError(
    'cancelled',
    `Stopped: ${why}.`,
    `Check what the secret holds with: ${history}`,
    ExitCode.Cancelled,
    (writing ? `the outcome of the write to Secrets Manager in progress is unknown${secretId ? ` (${secretId} may or may not hold this run's value)` : ''}` : 'unknown: the run stopped before it could read the secret back') +
      // A token this run created is named: it may be held by nothing (the second stranger's hazard, session 3).
      (ctx?.createdToken
        ? `; the Docker Hub token this run created, "${ctx.createdToken.label}" (id ${ctx.createdToken.id}), is still active: if history shows no version holding it as AWSCURRENT, delete it by hand at ${ctx.createdToken.page}`
        : ''),
  );
};

type Runner = (ctx: Context, opts: Record<string, unknown>) => Promise<number>;

// A separate bundle (see scripts/build.mjs): one file to load, parsed only when a command runs.
const loadCommand = async (name: CommandName): Promise<Runner> => {
  const commands: Record<CommandName, unknown> = await import('./commands/index.js');
  return commands[name] as Runner;
};
const loadSeams = () => import('./commands/index.js');

/** What a run reaches outside the process through; each defaults to the real one. */
export interface MainDeps {
  streams?: Streams;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  secrets?: OpenStore;
  fetch?: Fetch;
  docker?: DockerRunner;
  clock?: () => Date;
}

/** Parses arguments, runs one command, prints any failure once, and returns the exit code. */
export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
  const streams: Streams = deps.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const stdin = deps.stdin ?? process.stdin;
  const env = deps.env ?? process.env;
  // First of all: the token leaves the environment, so no config file, AWS client,
  // credential_process or docker child can ever see it.
  const envToken = takeEnvToken(env);
  // A run in process starts with nothing registered for redaction, as a new process does.
  if (deps.streams) forgetSecrets();
  // The Docker Hub password too (--create, retire, tokens, rollback): the same guarantees as the token.
  const envPassword = takeEnvPassword(env);
  // A reader that goes away (`dockerhub-credentials --help | head`), or a terminal that
  // closed, is not an error: before a command runs, stop; during one, stop as on Ctrl-C
  // (so a write in progress finishes and this run's stage is removed), writing nothing more.
  // Any error on an output stream (EPIPE, EIO from a hung-up terminal, EBADF...) means nobody reads it any more.
  let onOutputGone: () => void = () => process.exit(process.exitCode ?? 0);
  for (const stream of [streams.stdout, streams.stderr]) stream.on('error', () => onOutputGone());
  const quick = quickAnswer(argv);
  if (quick !== undefined) {
    streams.stdout.write(quick);
    return ExitCode.Ok;
  }
  // Dependency warnings (such as the AWS SDK's Node-version notice) must not land in the wizard's output.
  // (Not in process: the host's own listeners stay.)
  if (!deps.streams) {
    process.removeAllListeners('warning');
    process.on('warning', (w) => {
      if (argv.includes('--debug')) streams.stderr.write(printable(redact(`debug: warning: ${w.name}: ${w.message}`)) + '\n');
    });
  }

  const [{ Output }, { buildProgram, CommanderError, usageFromCommander }] = await Promise.all([import('./ui/output.js'), import('./program.js')]);
  let exitCode: number = ExitCode.Ok;
  let out: Output = new Output(streams, { json: argv.includes('--json'), color: false, debug: false });
  const controller = new AbortController();
  let cancelRequested = false;
  let critical = 0;
  // Until the command starts, nothing has been sent: a signal ends the run at once (even
  // while reading a token from a pipe that never closes).
  let commandStarted = false;
  let signals = 0;
  /** The command's context, once it has one: what a last-resort stop names in its hint. */
  let runCtx: Context | undefined;
  const stopNow = (e: CliError): never => {
    renderFailure(out, e);
    process.exit(ExitCode.Cancelled);
  };
  /**
   * Every signal ends the run. The first stops it the careful way: reads are abandoned,
   * a write in progress finishes (each Secrets Manager call is bounded in time), and the
   * command says what it left. A second one stops at once, unless a write is in
   * progress: then it says so, and a third stops at once anyway. If the careful way
   * has not ended the run within `stopWithinMs` of the first, the run ends then.
   */
  const onSignal = () => {
    out.stopSpinner();
    signals++;
    if (!commandStarted) stopNow(cancelled());
    if (signals === 1) {
      cancelRequested = true;
      if (critical === 0) controller.abort();
      const within = stopWithinMs(env);
      // How long the terminal may look frozen: said at once, not discovered.
      if (critical > 0) out.warn(`Finishing the write in progress, then stopping (at most ${within / 1000} seconds).`);
      setTimeout(() => stopNow(stoppedAnyway(`the run did not stop within ${within / 1000} seconds of the signal`, runCtx, critical > 0)), within).unref();
    } else if (critical === 0) {
      streams.stderr.write('\n');
      process.exit(ExitCode.Cancelled);
    } else if (signals === 2) {
      out.warn('A write to Secrets Manager is in progress; stopping now leaves its outcome unknown. Signal again to stop anyway.');
    } else {
      stopNow(stoppedAnyway('stopped during a write to Secrets Manager', runCtx, true));
    }
  };
  // Nothing more is written, and the run stops as on a first signal: a closed terminal
  // also sends SIGHUP, and the two together must not count as the second signal that stops at once.
  let outputGone = false;
  onOutputGone = () => {
    if (outputGone) return;
    outputGone = true;
    for (const stream of [streams.stdout, streams.stderr]) stream.write = (() => true) as typeof stream.write;
    if (signals === 0) onSignal();
  };

  const run = async (name: CommandName, opts: Record<string, unknown>) => {
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
      // The real ones live in the commands' bundle (one copy of each module, see loadCommand).
      secrets: deps.secrets ?? (async (o) => (await loadSeams()).openAwsStore(o)),
      fetch: deps.fetch ?? (async (url, init, log) => (await loadSeams()).netFetch(url, init, log)),
      docker: deps.docker ?? (async (docker, args, o) => (await loadSeams()).execDocker(docker, args, o)),
      clock: deps.clock ?? (() => new Date()),
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
    runCtx = ctx;
    // Every flag, variable, config value and piped token is checked before anything is sent.
    ({ token: ctx.supplied, password: ctx.password } = await checkInputs(ctx, name, opts, envToken, envPassword));
    const runner = await loadCommand(name);
    commandStarted = true;
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
      return renderFailure(out, usageFromCommander(e, argv));
    }
    const error = controller.signal.aborted && !isCliError(e) ? cancelled() : e;
    return renderFailure(out, error);
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}
