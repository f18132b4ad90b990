/**
 * The error catalogue: every expected failure the CLI and the credential helper
 * can produce, one row per code, with its exit code and the README table it is
 * documented in. The code is `ErrorCode`, a union of this table's keys, so a
 * code not listed here does not compile; a code's exit comes from here, so one
 * code cannot end a run with two different exits. Each row's one-line meaning,
 * for the README, is in catalogue-meanings.ts (kept out of this file so the
 * credential helper's bundle stays small); `node scripts/readme-errors.mjs
 * --write` renders the README's tables from both, and test/unit/catalogue.test.ts
 * fails when they differ. Models: rustc's error index and gh's exit-code mapping.
 */

/** Exit codes are part of the public contract: README "Exit codes" documents each one. */
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

/** The README tables, in the order they are printed (titles in catalogue-meanings.ts). */
export const SECTIONS = ['input', 'aws', 'secret', 'hub', 'docker', 'choice', 'helper', 'bug'] as const;
export type Section = (typeof SECTIONS)[number];

interface Row {
  readonly exit: ExitCode;
  readonly section: Section;
}

const { Unexpected, Usage, Rejected, Aws, Transient, Cancelled } = ExitCode;

/** One row: the exit code, and the README table. Rows share these objects, which keeps the bundles small. */
const row = <S extends Section, E extends ExitCode>(section: S, exit: E) => ({ exit, section }) as const;
const badInput = row('input', Usage);
const awsConfig = row('aws', Aws);
const awsTransient = row('aws', Transient);
const secretState = row('secret', Aws);
const hubRejects = row('hub', Rejected);
const hubTransient = row('hub', Transient);
const dockerSetup = row('docker', Usage);
const dockerAws = row('docker', Aws);
const declined = row('choice', Usage);
const signal = row('choice', Cancelled);
const helperOnly = row('helper', Unexpected);
const bug = row('bug', Unexpected);

export const CATALOGUE = {
  // Bad input: flags, variables, config values, answers and the command line (src/flows/inputs.ts, src/program.ts, src/config.ts).
  'secret-in-wrong-field': badInput,
  'invalid-username': badInput,
  'invalid-repository': badInput,
  'invalid-region': badInput,
  'invalid-secret-id': badInput,
  'invalid-profile': badInput,
  'invalid-url': badInput,
  'insecure-url': badInput,
  'unconfirmed-host': badInput,
  'unsafe-config-file': badInput,
  'missing-input': badInput,
  'rotation-function': badInput,
  'invalid-token-input': badInput,
  'token-stdin-terminal': badInput,
  'invalid-option': badInput,
  'invalid-input': badInput,
  'proxy-url': badInput,
  'same-label': badInput,
  'access-drop': badInput,
  'unknown-command': badInput,
  'unknown-option': badInput,
  'missing-value': badInput,
  'extra-argument': badInput,
  'no-token-option': badInput,
  'two-factor-required': badInput,
  usage: badInput,

  // AWS, the network, and other runs (src/aws/errors.ts, src/aws/store.ts, src/flows/write.ts).
  'secret-not-found': awsConfig,
  'secret-deleted': awsConfig,
  'not-secrets-manager': awsConfig,
  'access-denied': awsConfig,
  kms: awsConfig,
  'sso-expired': awsConfig,
  'sso-session-invalid': awsConfig,
  'aws-login-expired': awsConfig,
  'no-such-profile': awsConfig,
  'invalid-aws-keys': awsConfig,
  'aws-session-expired': awsConfig,
  'no-credentials': awsConfig,
  'no-region': awsConfig,
  'too-many-versions': awsTransient,
  throttled: awsTransient,
  'aws-unavailable': awsTransient,
  network: awsTransient,
  'aws-timeout': awsTransient,
  proxy: awsTransient,
  'concurrent-change': awsTransient,
  'rotation-in-progress': awsTransient,
  'unknown-outcome': awsTransient,
  'check-after-write-failed': awsTransient,
  'discard-failed': awsTransient,

  // What the secret holds, and its stages (src/flows/inspect.ts, src/commands/*).
  'no-value': secretState,
  'no-current-version': secretState,
  'current-invalid': secretState,
  'invalid-value': secretState,
  'stray-pending': secretState,
  'pending-invalid': secretState,
  'pending-lacks-alias': secretState,
  'nothing-to-roll-back': secretState,
  'previous-invalid': secretState,
  'no-previous': secretState,
  'verify-failed': secretState,

  // Docker Hub's and the registry's answers (src/hub/*, src/docker/login.ts).
  'credentials-rejected': hubRejects,
  'wrong-user': hubRejects,
  'token-expired': hubRejects,
  'password-2fa': hubRejects,
  'no-push': hubRejects,
  'no-push-namespace': hubRejects,
  'rollback-target-rejected': hubRejects,
  'login-locked': hubTransient,
  'rate-limited': hubTransient,
  'hub-error': hubTransient,
  'hub-refused': hubTransient,
  'registry-error': hubTransient,
  'registry-protocol': hubTransient,
  'insecure-realm': hubTransient,
  tls: hubTransient,
  'docker-login-failed': hubTransient,
  // Token management with a password (src/hub/manage.ts, REFERENCE 7).
  'password-rejected': hubRejects,
  'two-factor-rejected': hubRejects,
  'organization-sign-in': hubRejects,
  'sso-enforced': hubRejects,
  'pat-session': hubRejects,
  'token-management-refused': hubRejects,
  'hub-token-missing': hubRejects,
  'oat-cap': hubRejects,
  'hub-token-unknown': hubRejects,
  'old-token-in-use': hubRejects,
  'previous-deactivated': hubRejects,

  // docker, its config and the credential helper as `login` and `verify --helper` see them (src/docker/*).
  'docker-missing': dockerSetup,
  'docker-logout-failed': row('docker', Transient),
  'docker-config-not-folder': dockerSetup,
  'docker-config-not-file': dockerSetup,
  'docker-config-not-writable': dockerSetup,
  'no-private-folder': dockerSetup,
  'helper-missing': dockerSetup,
  'helper-temporary': dockerSetup,
  'helper-not-served': dockerSetup,
  'helper-other-secret': dockerSetup,
  'helper-failed': dockerAws,

  // The user's own choice, or a signal (src/cli.ts prints the declined ones without ✗).
  'not-replaced': declined,
  'not-rotated': declined,
  'not-rolled-back': declined,
  'not-retired': declined,
  'host-declined': declined,
  cancelled: signal,

  // The credential helper's own failures (src/helper/main.ts): docker's protocol is exit 1 with the reason on stdout.
  'no-secret-id': helperOnly,
  'input-too-long': helperOnly,
  'not-served': helperOnly,
  'read-only': helperOnly,
  'unknown-action': helperOnly,
  budget: helperOnly,

  // Not expected: a bug, or an AWS answer the tool does not know.
  unexpected: bug,
  'aws-error': bug,
  'staged-mismatch': bug,
} as const satisfies Record<string, Row>;

export type ErrorCode = keyof typeof CATALOGUE;
/** The exit code the catalogue gives `C`. */
export type ExitOf<C extends ErrorCode> = (typeof CATALOGUE)[C]['exit'];
/** The codes of one README table. */
export type CodeIn<S extends Section> = { [C in ErrorCode]: (typeof CATALOGUE)[C]['section'] extends S ? C : never }[ErrorCode];

export const exitOf = <C extends ErrorCode>(code: C): ExitOf<C> => CATALOGUE[code].exit;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(CATALOGUE, code);
