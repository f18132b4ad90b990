import { Command } from 'commander';

// One copy of commander: cli.ts recognises its errors through this export.
export { CommanderError } from 'commander';
import type { CommanderError } from 'commander';
import { VERSION } from './version.js';
import { DEFAULT_HUB_URL, DEFAULT_REGISTRY } from './domain/docker-hub.js';
import { COMMANDS, isCommandName, type CommandName } from './commands/names.js';
import { CliError, ExitCode } from './errors.js';
import type { CodeIn } from './catalogue.js';
import { looksSecret, printable } from './ui/redact.js';

// The command-line surface. Loaded only when a command runs: --help and
// --version are answered from texts rendered from this same definition at
// build time (scripts/build.mjs), so they never load commander.

const EXIT_CODES = `
Exit codes:
  0    everything holds
  1    unexpected error
  2    usage error or bad input
  3    credentials rejected by Docker Hub (revoked, expired, no push rights)
  4    AWS configuration, permission, missing secret or invalid stored value
  5    network, timeout, rate limit, or another run changing the secret at once
  6    verify --fail-when-due: the token expires within --warn-days
       (with --require-expiry, also: no expiry was recorded)
  130  cancelled (Ctrl-C or another signal); the message says what was left`;

function addCommon(cmd: Command): Command {
  return cmd
    .option('--secret-id <id>', 'Secrets Manager secret name or ARN (env DOCKERHUB_CREDENTIALS_SECRET_ID)')
    .option('--profile <name>', 'AWS profile, SSO profiles included (env AWS_PROFILE)')
    .option('--region <region>', 'AWS region (env AWS_REGION, AWS_DEFAULT_REGION)')
    .option('--json', 'print one JSON object on stdout')
    .option('--no-color', 'no colour (also NO_COLOR, TERM=dumb, or when output is not a terminal)')
    .option('--non-interactive', 'never prompt (implied when stdin or stderr is not a terminal)')
    .option('--debug', 'log each network call (never a secret) to stderr');
}

/** Every --repository given, in order: an organization access token made with --create lists them all (issue 18). */
let repositories: string[] = [];
const collectRepository = (value: string) => (repositories.push(value), value);

function addDockerHub(cmd: Command): Command {
  return cmd
    .option('--repository <ns/repo>', 'repository CI pushes to; checks push rights (env DOCKERHUB_CREDENTIALS_REPOSITORY)', collectRepository)
    .option('--registry <url>', `registry URL (env DOCKERHUB_CREDENTIALS_REGISTRY; default ${DEFAULT_REGISTRY})`)
    .option('--hub-url <url>', `Docker Hub API URL (env DOCKERHUB_CREDENTIALS_HUB_URL; default ${DEFAULT_HUB_URL})`);
}

function addTokenInput(cmd: Command): Command {
  return cmd
    .option('--username <id>', 'Docker ID, or organization name with an organization token (env DOCKERHUB_USERNAME)')
    .option('--token-stdin', 'read the token from stdin (or set DOCKERHUB_TOKEN); never pass it as an argument');
}

function addLifecycle(cmd: Command): Command {
  return cmd
    .option('--expires-at <date>', "the token's expiry date chosen in Docker Hub (YYYY-MM-DD)")
    .option('--expires-in <period>', "the token's expiry chosen in Docker Hub: 30d, 90d, 365d or never")
    .option('--label <text>', "the token's description (label) in Docker Hub");
}

/** Signing in to Docker Hub with a password (REFERENCE 7): never an argument. */
function addSignIn(cmd: Command): Command {
  return cmd
    .option('--password-stdin', 'read the Docker Hub password from stdin (or set DOCKERHUB_PASSWORD); never pass it as an argument')
    .option('--admin-secret-id <id>', 'a Secrets Manager secret holding {"username","password"} of the account that signs in')
    .option('--owner <id>', 'for an organization access token: the Docker ID of an owner who signs in (env DOCKERHUB_OWNER)');
}

function addCreate(cmd: Command): Command {
  return addSignIn(cmd.option('--create', 'create the token through Docker Hub\'s API with the account password (not for SSO-enforced accounts)'));
}

function addConsumers(cmd: Command): Command {
  return cmd.option(
    '--consumers <list>',
    'who reads the secret, comma-separated: ecs, batch, codebuild, ecr-pull-through-cache (env DOCKERHUB_CREDENTIALS_CONSUMERS)',
  );
}

export function buildProgram(run: (name: CommandName, opts: Record<string, unknown>) => Promise<void>): Command {
  // One list per parse: in-process runs (tests) build the program again for each run.
  repositories = [];
  const program = new Command('dockerhub-credentials')
    // A fixed width, so help rendered at build time is exactly what commander prints.
    .configureHelp({ helpWidth: 80 })
    .description('Store, verify, rotate and roll back the Docker Hub token that CI reads from AWS Secrets Manager.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', `${EXIT_CODES}\n\nStart with: npx dockerhub-credentials setup`)
    .exitOverride()
    // Parse errors are printed by cli.ts in the tool's own form (usageFromCommander).
    .configureOutput({ outputError: () => undefined });

  const action = (name: CommandName) =>
    async function (this: Command) {
      // The last --repository is the setting; all of them, when repeated, are for an OAT's list.
      await run(name, { ...this.opts(), ...(repositories.length > 1 ? { repositories: [...repositories] } : {}) });
    };

  addCreate(addConsumers(addLifecycle(addTokenInput(addDockerHub(addCommon(program.command('setup')))))))
    .option('--yes', 'confirm replacing an existing value without a prompt')
    .description('guided wizard: create a Docker Hub token, validate it, store it in Secrets Manager, verify it')
    .addHelpText(
      'after',
      `
Unattended:
  DOCKERHUB_TOKEN=... dockerhub-credentials setup --non-interactive --username U --secret-id S [--repository ns/repo] [--yes]
  printf %s "$TOKEN" | dockerhub-credentials setup --non-interactive --token-stdin --username U --secret-id S
Let the tool create the token (password sign-in; the password is used once, never stored):
  DOCKERHUB_PASSWORD=... dockerhub-credentials setup --create --non-interactive --username U --secret-id S --expires-in 90d [--repository ns/repo]
${EXIT_CODES}`,
    )
    .action(action('setup'));

  addCreate(addConsumers(addLifecycle(addTokenInput(addDockerHub(addCommon(program.command('rotate')))))))
    .option('--yes', 'confirm without a prompt: --resume, --discard-pending, a token of another account, or with less access')
    .description('replace the stored token safely: validate, stage as AWSPENDING, test, then promote')
    .option('--resume', 'finish an interrupted rotation: validate and promote the AWSPENDING value')
    .option('--discard-pending', 'remove a stray AWSPENDING stage left by an interrupted rotation')
    .option('--force', 'rotate by hand although a rotation function rotates the secret (otherwise rotate offers to run it: RotateSecret)')
    .option('--same-token', 'keep the stored token: write it again with the keys --consumers need (a new version, no new token); --label and --expires-* are recorded for it (the label may be the current one)')
    .addHelpText(
      'after',
      `
The previous value stays available as AWSPREVIOUS; "rollback" restores it.
Revoke the old token in Docker Hub only after CI has used the new one.

Unattended:
  printf %s "$NEW" | dockerhub-credentials rotate --non-interactive --token-stdin --secret-id S [--username U] [--repository ns/repo]
Let the tool create the new token, with the old one's scope (or repositories), then retire the old one:
  DOCKERHUB_PASSWORD=... dockerhub-credentials rotate --create --non-interactive --secret-id S --expires-in 90d
  DOCKERHUB_PASSWORD=... dockerhub-credentials retire --secret-id S --yes
Run again with the token already current, it writes nothing and exits 0
("written": false, "alreadyCurrent": true in --json).
Add the keys ECS, Batch, CodeBuild or ECR read, keeping the token:
  dockerhub-credentials rotate --same-token --consumers ecs --secret-id S
Record the expiry of the stored token, keeping it (nothing else to rewrite: only the record changes):
  dockerhub-credentials rotate --same-token --expires-at YYYY-MM-DD --secret-id S
${EXIT_CODES}`,
    )
    .action(action('rotate'));

  addConsumers(addDockerHub(addCommon(program.command('verify'))))
    .description('check the stored value: JSON object with a username and a non-empty token')
    .option('--live', 'also validate the stored token against Docker Hub (push rights with --repository)')
    .option('--warn-days <n>', 'a rotation is due when the token expires within this many days (default 30)')
    .option('--fail-when-due', 'exit 6 when a rotation is due (for a scheduled job)')
    .option('--require-expiry', 'count an unknown expiry (none recorded) as due: exit 6, as --fail-when-due does')
    .option('--helper', 'instead: run the installed credential helper as docker will, and say what docker would get')
    .addHelpText(
      'after',
      `\nJSON (--json): {ok, secretId, arn, region, hasUsername, hasToken, username,
  tokenLength, lastChanged, versionId, pendingVersionId, expiresAt, expiryKnown,
  daysLeft, label, hubToken, rotationDue, rotation, live, consumers, problems, warnings}
rotation: {enabled, lastRotated, next, function, schedule}: Secrets Manager's
own schedule and rotation function (terraform/ "rotation"), from DescribeSecret.
"ok" is true exactly when the exit code is 0: with --fail-when-due, a due
rotation is "ok": false with "rotationDue": true (exit 6), so jq -e .ok fails.\n
By default a rotation is due 30 days before expiry, or a third of the token's
lifetime before it when that is shorter (10 days for a 30-day token).

A scheduled job that turns red before CI breaks:
  dockerhub-credentials verify --json --fail-when-due --require-expiry\n${EXIT_CODES}`,
    )
    .action(action('verify'));

  addCommon(program.command('status'))
    .description('every secret the tool manages, in one view: username, expiry, rotation schedule, last accessed, problems (never a token)')
    .option('--all-regions', "list every region's secrets, not only --region's")
    .option('--regions <list>', 'list these regions, comma-separated')
    .option('--warn-days <n>', 'a rotation is due when the token expires within this many days (default 30)')
    .option('--fail-when-due', 'exit 6 when any secret is due or shows a problem (one scheduled job for the whole account)')
    .addHelpText(
      'after',
      `
It reads ListSecrets only (tags, stages and dates): it needs
secretsmanager:ListSecrets, never GetSecretValue, and never reads a token.
Secrets are found by the tool's tags (dockerhub-credentials...).

JSON (--json): {ok, regions, count, due, secrets: [{name, arn, region, username,
  expiresAt, daysLeft, label, rotation, lastAccessed, lastChanged, consumers,
  due, problems}], errors: [{region, code, message}]}

A scheduled job that turns red when any token is due:
  dockerhub-credentials status --all-regions --json --fail-when-due
${EXIT_CODES}`,
    )
    .action(action('status'));

  addCommon(program.command('history'))
    .description("list the secret's versions, newest first: stages, username, token length, label, expiry (never a token)")
    .option('--limit <n>', 'show at most this many versions (default 20)')
    .addHelpText(
      'after',
      `
An operator command: it needs secretsmanager:ListSecretVersionIds, and
GetSecretValue on each version (the write policy from terraform/ grants both).
${EXIT_CODES}`,
    )
    .action(action('history'));

  addSignIn(addConsumers(addDockerHub(addCommon(program.command('rollback')))))
    .description('make the previous value (AWSPREVIOUS) current again, after checking Docker Hub still accepts it')
    .option('--yes', 'confirm without a prompt')
    .option('--skip-validation', 'emergency: roll back without checking the previous token against Docker Hub')
    .addHelpText(
      'after',
      `
Rollback swaps AWSCURRENT and AWSPREVIOUS: rolling back twice returns to where
the first rollback started. The previous token is validated against Docker Hub
first (push rights with --repository); a rejected token is refused with exit 3.
A previous token that retire deactivated is re-activated first, with a password
(DOCKERHUB_PASSWORD, --password-stdin, --admin-secret-id or the prompt).
${EXIT_CODES}`,
    )
    .action(action('rollback'));

  addSignIn(addDockerHub(addCommon(program.command('retire'))))
    .description("deactivate (or delete) AWSPREVIOUS's Docker Hub token, once nothing has used it since the rotation")
    .option('--yes', 'confirm without a prompt')
    .option('--force', 'retire it even though it was used after the rotation')
    .option('--delete', 'delete it for good instead of deactivating it (frees an organization\'s token cap)')
    .addHelpText(
      'after',
      `
Finds the Docker Hub token AWSPREVIOUS holds (the id recorded when it was stored,
the token's own session claim, or its label), shows its label, scope, dates and
last use, and refuses (exit 3) when it was used after AWSCURRENT was promoted:
something still reads an old copy. Deactivation can be undone: rollback
re-activates it. Signs in with the account password (or an organization owner's).

Unattended:
  DOCKERHUB_PASSWORD=... dockerhub-credentials retire --secret-id S --yes [--delete]
${EXIT_CODES}`,
    )
    .action(action('retire'));

  addSignIn(addCommon(program.command('tokens')))
    .description("list the account's (or an organization's) Docker Hub tokens, with the secret and stage that holds each")
    .option('--username <id>', 'the Docker ID whose personal access tokens to list (env DOCKERHUB_USERNAME)')
    .option('--org <name>', "list the organization's access tokens instead (an owner signs in: --owner)")
    .option('--hub-url <url>', `Docker Hub API URL (env DOCKERHUB_CREDENTIALS_HUB_URL; default ${DEFAULT_HUB_URL})`)
    .option('--unused-days <n>', 'flag tokens no secret holds and not used for this many days (default 90)')
    .option('--warn-days <n>', 'flag tokens that expire within this many days (default 30)')
    .addHelpText(
      'after',
      `
Holders are looked for in the secret given (--secret-id), or in every secret of
the region that carries this tool's tags.

JSON (--json): {ok, account, kind, tokens: [{id, label, scopes, createdAt,
  expiresAt, lastUsed, isActive, heldBy: [{secretId, stage, versionId}], orphan,
  expiresSoon}], secretsSearched}
${EXIT_CODES}`,
    )
    .action(action('tokens'));

  addCommon(program.command('login'))
    .description("log this machine's docker CLI in with the stored token (writes your own docker config)")
    .option('--registry <url>', 'registry to log in to (env DOCKERHUB_CREDENTIALS_REGISTRY; default Docker Hub)')
    .option('--stage <stage>', 'which version to use: AWSCURRENT (default) or AWSPREVIOUS')
    .option('--helper', 'instead of logging in, point docker at the credential helper docker-credential-dockerhub-credentials')
    .option('--yes', 'with --helper: remove the login docker stored in config.json "auths" without a prompt')
    .addHelpText(
      'after',
      `
This is the one command that writes to your own docker config
($DOCKER_CONFIG/config.json, or ~/.docker/config.json), on purpose: it runs
docker login --username U --password-stdin, so docker stores the login as it
always does (its credential store, or base64 in config.json). The token goes
only to docker's stdin, never to an argument.

--helper writes a credHelpers entry instead (a backup of config.json first,
other keys untouched), once the installed helper answers as docker will run it:
docker then asks docker-credential-dockerhub-credentials, which reads the secret
fresh from Secrets Manager on every pull and push. The helper finds the secret
through DOCKERHUB_CREDENTIALS_SECRET_ID (or .dockerhub-credentials.json),
AWS_PROFILE and AWS_REGION where docker runs; flags do not reach it. Install it
for good first (npm i -g dockerhub-credentials@<version>): npx's copy is temporary.
A login docker stored earlier in "auths" is removed when you confirm (--yes).

In a CI job:
  npx dockerhub-credentials@<version> login --secret-id ci/dockerhub --region eu-west-2

JSON (--json): {ok, secretId, stage, versionId, username, server, dockerConfig, helper}
  (--helper also: backup, tokenOnDisk)
${EXIT_CODES}`,
    )
    .action(action('login'));

  program
    .command('logout')
    .description('remove the login that login wrote: only that entry (docker logout for the server), every other key as it was')
    .option('--registry <url>', 'registry to log out of (env DOCKERHUB_CREDENTIALS_REGISTRY; default Docker Hub)')
    .option('--helper', 'instead: remove the credHelpers entry that login --helper added')
    .option('--json', 'print one JSON object on stdout')
    .option('--no-color', 'no colour (also NO_COLOR, or when output is not a terminal)')
    .option('--non-interactive', 'never prompt (logout never asks anything)')
    .option('--debug', 'log each step (never a secret) to stderr')
    .addHelpText(
      'after',
      `
The end of a CI job that ran login (the GitHub Action's post step and the
Buildkite plugin's pre-exit hook run it): the next job on the same agent then
finds no token. docker logout runs for the server, so docker erases the login
from its credential store; the auths entry is removed from config.json by this
tool, after a backup (without the login), every other key and byte as it was.
Nothing to remove is not an error: it says so, and exits 0.

JSON (--json): {ok, server, dockerConfig, helper, removed, backup}
${EXIT_CODES}`,
    )
    .action(action('logout'));

  return program;
}


/** Every help text, exactly as commander prints it: '' is the program's, then one per command. */
export function renderHelpTexts(): Record<string, string> {
  const program = buildProgram(async () => undefined);
  const capture = (cmd: Command): string => {
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    cmd.outputHelp();
    return text;
  };
  const texts: Record<string, string> = { '': capture(program) };
  for (const cmd of program.commands) texts[cmd.name()] = capture(cmd);
  return texts;
}

/**
 * `dockerhub-credentials --secret-id X verify`: the option is the command's, but
 * written before it (as with `aws --region … secretsmanager …`). Says so, with the
 * command line in the right order, instead of "not an option of verify" (the
 * stranger's trial, session 3). Nothing that looks like a secret is quoted back.
 */
function optionBeforeCommand(flag: string, command: CommandName, argv: string[]): { what: string; fix: string } | undefined {
  const name = flag.split('=')[0] ?? flag;
  const at = argv.indexOf(command);
  const flagAt = argv.findIndex((a) => a === flag || a.split('=')[0] === name);
  if (flagAt < 0 || at < 0 || flagAt > at) return undefined;
  const cmd = buildProgram(async () => undefined).commands.find((c) => c.name() === command);
  if (!cmd?.options.some((o) => o.long === name)) return undefined;
  const reordered = [command, ...argv.slice(0, at), ...argv.slice(at + 1)];
  const line = reordered.some((a) => looksSecret(a)) ? '' : ` Run: dockerhub-credentials ${reordered.map((a) => printable(a)).join(' ')}`;
  return { what: `${printable(name)} goes after the command: it is an option of ${command}, not of dockerhub-credentials itself.`, fix: `Put the options after "${command}".${line}` };
}

const EXPOSED = 'If a real token was typed on a command line, treat it as exposed and rotate it.';

/**
 * A parse error from commander in the tool's own form: one sentence, the nearest
 * option or command, and where the help is. Nothing that looks like a secret is
 * quoted back; `--token` gets the reason there is no such option.
 */
export function usageFromCommander(e: CommanderError, argv: string[]): CliError {
  const command = argv.find(isCommandName);
  const help = `dockerhub-credentials ${command ? `${command} ` : ''}--help`;
  const text = e.message.replace(/^error: /, '');
  const suggestion = /\n\(Did you mean ([^?\n]*)\?\)$/.exec(text)?.[1];
  const main = text.replace(/\n\(Did you mean [^?\n]*\?\)$/, '');
  const didYouMean = suggestion ? `Did you mean ${suggestion}? ` : '';
  const secretInArgv = argv.some((a) => looksSecret(a));
  const usage = (code: CodeIn<'input'>, message: string, fix: string) =>
    new CliError(code, message, `${fix}${secretInArgv && !fix.includes(EXPOSED) ? ` ${EXPOSED}` : ''}`, ExitCode.Usage);

  switch (e.code) {
    case 'commander.unknownCommand': {
      const name = /^unknown command '([\s\S]*)'$/.exec(main)?.[1] ?? '';
      const what = looksSecret(name) ? 'The first argument looks like an access token (not shown), not a command.' : `"${printable(name)}" is not a command.`;
      return usage('unknown-command', what, `${didYouMean}The commands are ${COMMANDS.join(', ')}; see dockerhub-credentials --help.`);
    }
    case 'commander.unknownOption': {
      const flag = /^unknown option '([\s\S]*)'$/.exec(main)?.[1] ?? '';
      if (/^--(token|password|pat)(=|$)/i.test(flag)) {
        return usage(
          'no-token-option',
          `There is no ${flag.split('=')[0]} option: a token on the command line would show in the process list and the shell history.`,
          `Pipe it with --token-stdin, set DOCKERHUB_TOKEN, or leave both out to be asked in a masked prompt. ${EXPOSED}`,
        );
      }
      const misplaced = command ? optionBeforeCommand(flag, command, argv) : undefined;
      if (misplaced) return usage('unknown-option', misplaced.what, misplaced.fix);
      const what = looksSecret(flag) ? 'An option looks like an access token (not shown), and is not an option.' : `${printable(flag)} is not an option${command ? ` of ${command}` : ''}.`;
      return usage('unknown-option', what, `${didYouMean}See ${help}.`);
    }
    case 'commander.optionMissingArgument': {
      const flags = /^option '(.*)' argument missing$/.exec(main)?.[1] ?? '';
      const long = flags.split(/[ ,]/).find((f) => f.startsWith('--')) ?? flags;
      return usage('missing-value', `${long} needs a value.`, `Give it as ${flags.replace(/^-\w, /, '')}; see ${help}.`);
    }
    case 'commander.excessArguments': {
      const n = /got (\d+)/.exec(main)?.[1] ?? 'some';
      return usage(
        'extra-argument',
        `${command ?? 'The command'} takes no arguments, but got ${n}${secretInArgv ? ', and one looks like an access token (not shown)' : ''}.`,
        `Every value goes with its option, as in --secret-id NAME; see ${help}.`,
      );
    }
    default:
      return usage('usage', looksSecret(main) ? 'The command line could not be read (a value looks like an access token, not shown).' : `${printable(main)}.`.replace(/\.\.$/, '.'), `See ${help}.`);
  }
}
