import { Command, CommanderError } from 'commander';
import { resolveSettings, type FlagValues } from './config.js';
import { ExitCode, cancelled, isCliError } from './errors.js';
import { Output, type Streams } from './ui/output.js';
import { describeError, redact } from './ui/redact.js';
import { NonInteractivePrompter, TerminalPrompter, type Prompter } from './ui/prompter.js';
import type { Context } from './context.js';
import { VERSION } from './version.js';

// Only commander, chalk and these small modules load at start-up: the AWS SDK,
// inquirer, ora and execa are imported by the commands that need them.

type Runner = (ctx: Context, opts: Record<string, unknown>) => Promise<number>;

// A separate bundle (see scripts/build.mjs): one file to load, parsed only when a command runs.
const loadCommand = async (name: string): Promise<Runner> =>
  (await import('./commands/index.js'))[name as 'verify' | 'setup' | 'rotate' | 'rollback'] as Runner;

const EXIT_CODES = `
Exit codes:
  0    everything holds
  1    unexpected error
  2    usage error or bad input
  3    credentials rejected by Docker Hub (revoked, expired, no push rights)
  4    AWS configuration, permission, missing secret or invalid stored value
  5    network, rate limit or other transient failure
  130  cancelled (Ctrl-C)`;

function addCommon(cmd: Command): Command {
  return cmd
    .option('--secret-id <id>', 'Secrets Manager secret name or ARN (env DOCKERHUB_CREDENTIALS_SECRET_ID)')
    .option('--profile <name>', 'AWS profile, SSO profiles included (env AWS_PROFILE)')
    .option('--region <region>', 'AWS region (env AWS_REGION, AWS_DEFAULT_REGION)')
    .option('--json', 'print one JSON object on stdout')
    .option('--no-color', 'no colour (also NO_COLOR, or when output is not a terminal)')
    .option('--non-interactive', 'never prompt (implied when stdin or stderr is not a terminal)')
    .option('--debug', 'log each network call (never a secret) to stderr');
}

function addDockerHub(cmd: Command): Command {
  return cmd
    .option('--repository <ns/repo>', 'repository CI pushes to; checks push rights (env DOCKERHUB_CREDENTIALS_REPOSITORY)')
    .option('--registry <url>', 'registry URL (env DOCKERHUB_CREDENTIALS_REGISTRY; default https://registry-1.docker.io)')
    .option('--hub-url <url>', 'Docker Hub API URL (env DOCKERHUB_CREDENTIALS_HUB_URL; default https://hub.docker.com)');
}

function addTokenInput(cmd: Command): Command {
  return cmd
    .option('--username <id>', 'Docker ID, or organization name with an organization token (env DOCKERHUB_USERNAME)')
    .option('--token-stdin', 'read the token from stdin (or set DOCKERHUB_TOKEN); never pass it as an argument')
    .option('--yes', 'confirm replacing an existing value without a prompt');
}

export function buildProgram(run: (name: string, opts: Record<string, unknown>) => Promise<void>): Command {
  const program = new Command('dockerhub-credentials')
    .description('Store, verify, rotate and roll back the Docker Hub token that CI reads from AWS Secrets Manager.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', `${EXIT_CODES}\n\nStart with: npx dockerhub-credentials setup`)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });

  const action = (name: string) =>
    async function (this: Command) {
      await run(name, this.opts());
    };

  addTokenInput(addDockerHub(addCommon(program.command('setup'))))
    .description('guided wizard: create a Docker Hub token, validate it, store it in Secrets Manager, verify it')
    .addHelpText(
      'after',
      `
Unattended:
  DOCKERHUB_TOKEN=... dockerhub-credentials setup --non-interactive --username U --secret-id S [--repository ns/repo] [--yes]
  printf %s "$TOKEN" | dockerhub-credentials setup --non-interactive --token-stdin --username U --secret-id S
${EXIT_CODES}`,
    )
    .action(action('setup'));

  addTokenInput(addDockerHub(addCommon(program.command('rotate'))))
    .description('replace the stored token safely: validate, stage as AWSPENDING, test, then promote')
    .option('--resume', 'finish an interrupted rotation: validate and promote the AWSPENDING value')
    .option('--discard-pending', 'remove a stray AWSPENDING stage left by an interrupted rotation')
    .addHelpText(
      'after',
      `
The previous value stays available as AWSPREVIOUS; "rollback" restores it.
Revoke the old token in Docker Hub only after CI has used the new one.

Unattended:
  printf %s "$NEW" | dockerhub-credentials rotate --non-interactive --token-stdin --secret-id S [--username U] [--repository ns/repo]
${EXIT_CODES}`,
    )
    .action(action('rotate'));

  addDockerHub(addCommon(program.command('verify')))
    .description('check the stored value: JSON object with a username and a non-empty token')
    .option('--live', 'also validate the stored token against Docker Hub (push rights with --repository)')
    .addHelpText('after', `\nJSON (--json): {ok, secretId, arn, hasUsername, hasToken, username, tokenLength, lastChanged, versionId, pendingVersionId, problems, warnings}\n${EXIT_CODES}`)
    .action(action('verify'));

  addCommon(program.command('rollback'))
    .description('make the previous value (AWSPREVIOUS) current again')
    .option('--yes', 'confirm without a prompt')
    .addHelpText(
      'after',
      `
Rollback swaps AWSCURRENT and AWSPREVIOUS: rolling back twice returns to where
the first rollback started.
${EXIT_CODES}`,
    )
    .action(action('rollback'));

  return program;
}

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
  // A reader that goes away (`dockerhub-credentials --help | head`) is not an error.
  for (const stream of [streams.stdout, streams.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  // Dependency warnings (such as the AWS SDK's Node-version notice) must not land in the wizard's output.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (argv.includes('--debug')) streams.stderr.write(redact(`debug: warning: ${w.name}: ${w.message}`) + '\n');
  });

  let exitCode: number = ExitCode.Ok;
  let out = new Output(streams, { json: argv.includes('--json'), color: false, debug: false });
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

  const run = async (name: string, opts: Record<string, unknown>) => {
    const settings = resolveSettings(opts as FlagValues, {
      env,
      cwd: deps.cwd ?? process.cwd(),
      stdinIsTTY: Boolean(stdin.isTTY),
      stderrIsTTY: Boolean(streams.stderr.isTTY),
    });
    out = new Output(streams, { json: settings.json, color: settings.color, debug: settings.debug });
    if (settings.configPath) out.debug(`config file: ${settings.configPath}`);
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
    const runner = await loadCommand(name);
    exitCode = await runner(ctx, opts);
    if (cancelRequested) throw cancelled();
  };

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const program = buildProgram(run);
    if (argv.length === 0) {
      streams.stdout.write(program.helpInformation());
      return ExitCode.Ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    out.stopSpinner();
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.Ok;
      return ExitCode.Usage;
    }
    const error = controller.signal.aborted && !isCliError(e) ? cancelled() : e;
    return report(error, out);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The one place failures are printed: a sentence, the fix, and the exit code. */
function report(e: unknown, out: Output): number {
  if (isCliError(e)) {
    if (out.options.json) {
      out.json({ ok: false, error: { code: e.code, message: e.message, hint: e.hint ?? null, exitCode: e.exitCode } });
    } else {
      out.fail(e.message);
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
