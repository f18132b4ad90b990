/**
 * The README side of the error catalogue (src/catalogue.ts): each code's
 * one-line meaning and each table's title, and the renderer that writes the
 * README's "Exit codes" tables. Not imported by the CLI or the helper (their
 * bundles carry only the codes and exits); used by scripts/readme-errors.mjs
 * and test/unit/catalogue.test.ts. A code without a meaning does not compile.
 */
import { CATALOGUE, SECTIONS, type ErrorCode, type Section } from './catalogue.js';

export const SECTION_TITLES: Record<Section, string> = {
  input: 'Errors from bad input (exit 2)',
  aws: 'AWS, network and concurrency failures',
  secret: 'What the secret holds',
  hub: "Docker Hub's and the registry's answers",
  docker: 'docker, its config and the credential helper',
  choice: 'Your choice, or a signal',
  helper: "The credential helper's own failures",
  bug: 'Not expected (exit 1)',
};

/** Said under a table's title, before the table. */
const SECTION_NOTES: Partial<Record<Section, string>> = {
  choice: 'A declined confirmation or a choice to leave things as they are is printed without ✗, with what it left.',
  helper:
    'docker\'s credential-helper protocol has one failure exit, 1, with the reason on stdout; these codes are the `outcome` in the helper\'s log (`DOCKERHUB_CREDENTIALS_HELPER_LOG`), next to the AWS codes above (`secret-not-found`, `access-denied`, `aws-timeout`, …) and `no-value`, `invalid-value`, `usage`, which the helper also exits 1 with.',
  bug: 'Run again with `--debug`, and report it.',
};

export const MEANINGS: Record<ErrorCode, string> = {
  'secret-in-wrong-field': 'a flag, variable, config value or answer looks like a token; it is not shown',
  'invalid-username': 'a Docker ID or organization name in the wrong format (quoted with control characters escaped)',
  'invalid-repository': 'a repository that is not `namespace/name` in lowercase',
  'invalid-region': 'a region that is not an AWS region code such as `eu-west-2`',
  'invalid-secret-id': 'a secret id that is neither a name of letters, digits and `/_+=.@-` nor a Secrets Manager ARN',
  'invalid-profile': 'an AWS profile name in the wrong format',
  'invalid-url': 'a registry or Hub URL that does not parse, or carries credentials',
  'insecure-url': 'a registry or Hub URL that is not `https://` (`http://` is allowed only to this machine)',
  'unconfirmed-host': 'the config file names a registry or Hub URL that is not Docker Hub\'s, and it was not confirmed',
  'unsafe-config-file': 'the config file, or its folder, is another user\'s or writable by others, or the file is a symbolic link: it is refused (see "Config file")',
  'missing-input': 'an answer is missing without a terminal (all are listed at once)',
  'rotation-function': 'a rotation function rotates the secret: `rotate --yes` runs it now (RotateSecret); a token given by hand, or a stray AWSPENDING it left, needs `--force`',
  'invalid-token-input': 'the piped token is empty, not UTF-8, several words or `user:token`',
  'token-stdin-terminal': '`--token-stdin` at a terminal',
  'invalid-option': '`--label`, `--expires-at` or `--expires-in` in the wrong format, or both expiry options',
  'invalid-input': 'several of the above at once, each named',
  'proxy-url': '`HTTPS_PROXY` (or another proxy variable, named) is not a URL',
  'same-label': '`rotate --label` (or `setup --label` replacing another token, or a pending version\'s recorded label at `rotate --resume`) gives the current token\'s label, or `--create --label` gives an active Docker Hub token\'s (a suggested label gets a `-2` suffix instead): give the new token its own description in Docker Hub (`--same-token` keeps the token, so its label may stay)',
  'access-drop': 'unattended, the new token has a lower access level than the current one, or push rights that can no longer be checked: check it, pass `--repository`, or add `--yes` (rotate); `setup` refuses it even with `--yes`, and names `rotate --token-stdin --yes`',
  'unknown-command': 'the first argument is not a command; the nearest is named',
  'unknown-option': 'an option the command does not have; the nearest is named',
  'missing-value': 'an option without its value',
  'extra-argument': 'a value without its option (every value goes with its option)',
  'no-token-option': '`--token`, `--password` or `--pat`: there is no such option, a token goes in through the prompt, stdin or `DOCKERHUB_TOKEN`',
  'two-factor-required': 'the account asks for a two-factor code and there is no terminal to type it: run at a terminal, or add the account\'s `totpSeed` to the admin secret (`--admin-secret-id`)',
  usage: 'any other command line, environment variable or flag value that cannot be used',

  'secret-not-found': 'the secret does not exist in that region/profile: apply the Terraform that defines it',
  'secret-deleted': 'the secret is scheduled for deletion: restore it',
  'not-secrets-manager': 'the endpoint answered 404 or HTML, so it does not look like Secrets Manager: check `AWS_ENDPOINT_URL_SECRETS_MANAGER`',
  'access-denied': 'the role lacks the action named in the sentence: attach the write or read policy from `terraform/`',
  kms: 'the secret\'s KMS key is disabled or not granted: enable it, or grant `kms:Decrypt`/`kms:GenerateDataKey`',
  'sso-expired': 'the SSO session expired or was never started: `aws sso login --profile P`',
  'sso-session-invalid': 'the SSO portal revoked the session ("Session token not found or invalid"): `aws sso login --profile P`',
  'aws-login-expired': 'an `aws login` session is missing or expired: `aws login --profile P`',
  'no-such-profile': '`--profile` names a profile that neither AWS config file defines: the sentence names both files, and the nearest profile',
  'invalid-aws-keys': 'wrong access keys (not a permission problem)',
  'aws-session-expired': 'the session credentials in use have expired',
  'no-credentials': 'no AWS credentials at all, or a profile whose credentials could not be loaded',
  'no-region': 'no AWS region is configured',
  'too-many-versions': '`LimitExceededException` on a write: too many versions written recently (AWS removes unlabelled ones after 24 hours); not throttling: retry later',
  throttled: 'throttling after the SDK\'s retries: wait and run again',
  'aws-unavailable': 'Secrets Manager answered 5xx: wait and run again',
  network: 'Secrets Manager, Docker Hub or the registry could not be reached, or did not answer in time',
  'aws-timeout': 'AWS did not answer in time (5 s to connect, 20 s per request, 30 s per call)',
  proxy: 'the proxy (named) could not be reached, or refused the connection',
  'concurrent-change': 'another run changed the secret at the same time: look with `verify`, then run again',
  'rotation-in-progress': 'another run\'s rotation is in progress (staged seconds ago): wait, look with `verify`, then run again',
  'unknown-outcome': 'a write failed and the state could not be read back either: `verify` once AWS answers',
  'check-after-write-failed': 'the write is confirmed, but reading it back failed: the `State:` line says what is stored',
  'discard-failed': '`rotate --discard-pending` could not remove AWSPENDING: `verify`, then try again',

  'no-value': 'the secret exists but has no value yet: run `setup`',
  'no-current-version': 'the secret has versions but none is labelled AWSCURRENT, so CI reads nothing: the hint gives the command that makes the previous one current',
  'current-invalid': 'the current value is not a valid credential, so there is nothing safe to rotate from: run `setup`',
  'invalid-value': '`login`: the stored value (of the stage named) is not a valid credential',
  'stray-pending': 'an older unfinished rotation: `rotate --resume` or `rotate --discard-pending`',
  'pending-invalid': '`rotate --resume`: the pending value is not a valid credential: `--discard-pending`',
  'pending-lacks-alias': '`rotate --resume`: the pending value lacks a key a declared consumer reads, so it is not made current: `--discard-pending`, then rotate again',
  'nothing-to-roll-back': '`rollback` on a secret without AWSPREVIOUS: no value has been replaced yet',
  'previous-invalid': '`rollback`: the previous value is not a valid credential, so nothing changed',
  'no-previous': '`login --stage AWSPREVIOUS` on a secret that has no previous version',
  'verify-failed': '`setup` wrote the value, but the value read back does not check out (it differs from the token just validated, or lacks a key): `verify`',

  'credentials-rejected': 'Docker Hub rejected the token for that Docker ID (or organization): check the username first, then create a new token',
  'wrong-user': 'the token is valid but belongs to another account (named): use `--username owner`, or that account\'s own token',
  'token-expired': 'the PAT, or the organization\'s OAT, has expired: create a new one',
  'password-2fa': 'an account password where a token is needed, on an account with two-factor authentication: create a PAT',
  'no-push': 'the token\'s access level lacks push, or an OAT does not list the repository with push: create a Read & Write token, or add the repository',
  'no-push-namespace': 'the token is fine, but the user may not push to the namespace (not a member, wrong team, or a typo): check `--repository`, or ask an owner to add the user',
  'rollback-target-rejected': 'Docker Hub rejects the previous token, so rollback would break CI: nothing changed (`--skip-validation` for emergencies)',
  'login-locked': 'Docker Hub locks logins for about 15 minutes after too many failed attempts: wait, then run again; nothing about the token',
  'rate-limited': 'Docker Hub rate-limits requests (the tool waits out `Retry-After` up to 60 seconds for its own): wait and run again',
  'hub-error': 'the Docker Hub API answered an unexpected HTTP status (not 200, 401, 403 or 429): try again in a moment',
  'hub-refused': 'a proxy or firewall, not Docker Hub, refused the request (its own 401/403 page): check `HTTPS_PROXY`, `NO_PROXY`',
  'registry-error': 'the registry\'s token endpoint answered an unexpected HTTP status: try again in a moment',
  'registry-protocol': 'the registry does not answer `/v2/` like a Docker registry, or names a token realm that is not a URL: nothing was sent; check `--registry`',
  'insecure-realm': 'the registry\'s token realm breaks the rule for every URL the token travels to (`https://`, `http://` only to this machine, never `http://` when the registry is `https://`): nothing was sent, docker included',
  tls: 'docker login could not verify a certificate (a TLS-inspecting proxy needs its CA trusted); nothing about the token',
  'docker-login-failed': 'docker login failed for a reason that is not about the token (its own configuration, the network): run it yourself, or `--debug`',
  'password-rejected': 'Docker Hub refused the password (`--create`, `retire`, `tokens`): wrong password or unknown Docker ID; each try counts toward the lockout',
  'two-factor-rejected': 'Docker Hub refused the two-factor code: run again with the current six-digit code',
  'organization-sign-in': 'the username given to sign in is an organization: sign in as one of its owners (`--owner`)',
  'sso-enforced': 'the account must sign in with single sign-on, so no token can be created or retired through the API: create the token in Docker Hub, then run without `--create`',
  'pat-session': 'the password given is a PAT or an OAT, and Docker Hub refuses token management to such a session: give the account password',
  'token-management-refused': 'Docker Hub refused a token-management call (not an owner of the organization, or no right to manage its tokens); Docker Hub\'s words are quoted',
  'hub-token-missing': 'Docker Hub has no token with the recorded id (deleted already, or another account\'s)',
  'oat-cap': 'the organization holds as many access tokens as its plan allows (10 on Team, 100 on Business; deactivated and expired ones count): delete one with `retire --delete`',
  'hub-token-unknown': 'which Docker Hub token a version holds cannot be told (no recorded id, no unique label, no matching session claim), so it is not touched: choose it at a terminal',
  'old-token-in-use': '`retire`: the old token was used after the rotation, so something still reads an old copy; find it, or `--force`',
  'previous-deactivated': '`rollback`: the previous token was deactivated (or deleted) by `retire`, and no password was given to re-activate it',

  'docker-logout-failed': '`logout`: `docker logout` could not erase the login from docker\'s credential store (its own words are quoted); the docker config was left as it was',
  'docker-missing': '`login` needs the docker CLI',
  'docker-config-not-folder': '`DOCKER_CONFIG` names a file, not a folder',
  'docker-config-not-file': 'docker\'s `config.json` is a folder, not a file',
  'docker-config-not-writable': '`login` cannot write docker\'s config folder (or `config.json`), checked before anything is read or sent: point `DOCKER_CONFIG` at a folder of your own',
  'no-private-folder': 'docker login has no private folder to run in: each candidate (`$XDG_RUNTIME_DIR`, `~/.cache`, `$TMPDIR/dockerhub-credentials.<uid>`) is named with why it failed; point `XDG_RUNTIME_DIR` or `XDG_CACHE_HOME` at a folder of your own on a file system that runs programs',
  'helper-missing': '`login --helper` and `verify --helper` need `docker-credential-dockerhub-credentials` on PATH as docker finds it: the fix is the pinned `npm i -g` line',
  'helper-temporary': 'the helper is found only in npx\'s or the system\'s temporary folder, gone once that run ends: install it for good',
  'helper-not-served': 'the helper, run as docker runs it, does not answer for that server: docker\'s environment lacks `DOCKERHUB_CREDENTIALS_REGISTRY` (named in the hint); nothing is written',
  'helper-other-secret': '`login --helper --secret-id A` where docker\'s environment (or a config file) makes the helper read another secret: set `DOCKERHUB_CREDENTIALS_SECRET_ID=A` where docker runs; nothing is written',
  'helper-failed': 'the helper, run as docker runs it, answers with an error (quoted; the hint names a variable docker\'s environment lacks); nothing is written',

  'not-replaced': '`setup` on a secret that holds a value, and you chose to keep it: use `rotate`',
  'not-rotated': '`rotate`: you kept the current token, or left a pending value as it was',
  'not-rolled-back': '`rollback`: you declined the confirmation',
  'not-retired': '`retire` was not confirmed: the old token was left as it was',
  'host-declined': 'you answered No when asked to send the token to a host that only a committed config file names; nothing was sent',
  cancelled: 'a signal (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT); `State:` says what was left, and how to undo it where something was written',

  'no-secret-id': '`DOCKERHUB_CREDENTIALS_SECRET_ID` is not set where docker runs the helper (it reads no config file and no flags)',
  'input-too-long': 'more than a few KB on stdin, where docker sends a server name',
  'not-served': '`get` for a server the helper does not serve: docker is told "credentials not found in native keychain", and goes on without it',
  'read-only': '`store` or `erase`: the helper is read-only (`docker logout` must not remove the secret)',
  'unknown-action': 'an action other than `get`, `list`, `store`, `erase`, `version` or `help`',
  budget: "AWS did not answer within the helper's own time budget (`DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT`, 5 s by default, at most 600)",

  unexpected: 'a bug: the message names the error',
  'aws-error': 'AWS refused a call with an error the tool does not know (named in the message)',
  'staged-mismatch': 'the value staged in Secrets Manager differs from the token just validated; nothing was made current: run again',
};

export const BEGIN = (section: Section) => `<!-- error table ${section}: generated from src/catalogue.ts by node scripts/readme-errors.mjs --write -->`;
export const END = '<!-- end of error table -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** One README table: every code of `section`, in catalogue order, with its exit code and meaning. */
export function renderErrorTable(section: Section): string {
  const codes = (Object.keys(CATALOGUE) as ErrorCode[]).filter((c) => CATALOGUE[c].section === section);
  const note = SECTION_NOTES[section];
  return [
    BEGIN(section),
    `### ${SECTION_TITLES[section]}`,
    '',
    ...(note ? [note, ''] : []),
    '| code | exit | what it means |',
    '|---|---|---|',
    ...codes.map((c) => `| \`${c}\` | ${CATALOGUE[c].exit} | ${cell(MEANINGS[c])} |`),
    '',
    END,
  ].join('\n');
}

/** The README with every error table replaced by the catalogue's. Throws when a table's markers are missing. */
export function withErrorTables(readme: string): string {
  let out = readme;
  for (const section of SECTIONS) {
    const start = out.indexOf(BEGIN(section));
    const end = start < 0 ? -1 : out.indexOf(END, start);
    if (start < 0 || end < 0) throw new Error(`README.md lacks the markers of the error table "${section}" (${BEGIN(section)} … ${END})`);
    out = out.slice(0, start) + renderErrorTable(section) + out.slice(end + END.length);
  }
  return out;
}
