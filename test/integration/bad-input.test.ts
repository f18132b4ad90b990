// Every bad input a new user could give: the documented exit code, one sentence and
// a fix, no stack trace, the error object with --json, no piece of a token placed in
// any field, and nothing sent anywhere. Every row runs in process (main(argv, deps),
// the in-memory Secrets Manager counting every call); the rows marked `e2e` also run
// as the built CLI in a child process, through the launcher.
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Canary, describeWith, runCli, type RunResult } from '../support/harness.js';
import { runInProcess } from '../support/in-process.js';
import { useWorld } from '../support/world.js';

/** Every 6-character piece of a secret that is not made of a token prefix alone. */
function leakedPiece(secret: string, text: string): string | undefined {
  const start = /^dckr_[a-z]{3}_/i.test(secret) ? 4 : 0;
  for (let i = start; i + 6 <= secret.length; i++) if (text.includes(secret.slice(i, i + 6))) return secret.slice(i, i + 6);
  return undefined;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const randomWord = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)]).join('');

interface Row {
  name: string;
  args: string[];
  env?: Record<string, string | undefined>;
  /** Piped to stdin (bytes as given). */
  input?: string | Uint8Array;
  /** Written to .dockerhub-credentials.json in the working directory. */
  config?: unknown;
  code: number;
  /** What the sentence must say. */
  says: RegExp;
  /** Secrets placed in the input: no 6-character piece may appear in any output. */
  secrets?: string[];
  /** Also run as the built CLI in a child process. */
  e2e?: boolean;
  /** Only as the built CLI: the failure is the AWS SDK's own, which the in-memory Secrets Manager does not model. */
  processOnly?: boolean;
}

describeWith([], 'bad input: one sentence, a fix, the right exit code, nothing sent', () => {
  const w = useWorld({ inProcess: true });
  // Anything that reaches this server was sent before the input was checked.
  let tripwire: Server;
  let tripwireUrl = '';
  const arrived: string[] = [];
  beforeAll(async () => {
    tripwire = createServer((req, res) => {
      arrived.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => tripwire.listen(0, '127.0.0.1', r));
    tripwireUrl = `http://127.0.0.1:${(tripwire.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => tripwire.close(() => r())));

  const tok = () => new Canary().token;
  const t = {
    plain: tok(),
    pair: tok(),
    b64: tok(),
    zw: tok(),
    upper: new Canary('DCKR_PAT_').token,
    env: tok(),
    many: Array.from({ length: 20 }, tok),
    oat: new Canary('dckr_oat_').token,
    password: `pw${randomWord(18)}`,
  };
  // Tokens written to a file use another prefix: the sandbox check looks for every 6-character
  // piece of the world's tokens in files, and "_pat_" or "_oat_" plus one random character is such a piece.
  const FILE_PREFIX = 'DCKR_PAT_';
  const inFile = Array.from({ length: 4 }, () => new Canary(FILE_PREFIX).token);
  let k = 0;
  const next = () => t.many[k++]!;
  const s1 = next(), s2 = next(), s3 = next(), s4 = next(), s5 = next(), s6 = next(), s7 = next(), s8 = next(), s9 = next(), s10 = next();
  const s11 = next(), s12 = next(), s13 = next(), s18 = next();

  const NOT_TOKEN = /holds what looks like an access token, but the token goes in only through the prompt, stdin \(--token-stdin\) or DOCKERHUB_TOKEN/;
  const setupU = (username: string): string[] => ['setup', '--non-interactive', '--username', username, '--secret-id', 'ci/x'];
  const withToken = (extra: Record<string, string | undefined> = {}) => ({ DOCKERHUB_TOKEN: w.rw.token, ...extra });

  const rows: Row[] = [
    // A token in the wrong field: never quoted back, exit 2, the field named.
    { name: 'token as --username', args: setupU(t.plain), env: withToken(), e2e: true, code: 2, says: /^--username holds what looks like an access token/, secrets: [t.plain] },
    { name: 'user:token as --username', args: setupU(`alice1:${t.pair}`), env: withToken(), code: 2, says: NOT_TOKEN, secrets: [t.pair] },
    { name: "docker's base64 user:token as --username", args: setupU(b64(`alice1:${t.b64}`)), env: withToken(), code: 2, says: NOT_TOKEN, secrets: [t.b64, b64(`alice1:${t.b64}`)] },
    { name: 'token behind a zero-width space as --username', args: setupU(`\u200b${t.zw}`), env: withToken(), code: 2, says: NOT_TOKEN, secrets: [t.zw] },
    { name: 'token in capitals as --username', args: setupU(t.upper), env: withToken(), code: 2, says: NOT_TOKEN, secrets: [t.upper] },
    { name: 'token in DOCKERHUB_USERNAME', args: ['setup', '--non-interactive', '--secret-id', 'ci/x'], env: withToken({ DOCKERHUB_USERNAME: s1 }), code: 2, says: /^DOCKERHUB_USERNAME holds what looks like an access token/, secrets: [s1] },
    { name: 'user:token in DOCKERHUB_USERNAME', args: ['setup', '--non-interactive', '--secret-id', 'ci/x'], env: withToken({ DOCKERHUB_USERNAME: `alice1:${s2}` }), code: 2, says: NOT_TOKEN, secrets: [s2] },
    ...(['DOCKERHUB_CREDENTIALS_REGISTRY', 'DOCKERHUB_CREDENTIALS_HUB_URL', 'AWS_DEFAULT_REGION'] as const).map((variable) =>
      placed((token) => ({ name: `token in ${variable}`, args: ['verify', '--secret-id', 'ci/x'], env: { AWS_REGION: undefined, [variable]: token }, code: 2, says: new RegExp(`^${variable} holds what looks like an access token`) })),
    ),
    ...(['profile', 'region', 'hubUrl', 'repository'] as const).map((key) =>
      placed((token) => ({ name: `token in the config file ${key}`, args: ['verify', '--secret-id', 'ci/x'], env: { AWS_REGION: undefined, AWS_PROFILE: undefined }, config: { [key]: token }, code: 2, says: new RegExp(`^"${key}" in .* holds what looks like an access token`) }), FILE_PREFIX),
    ),
    placed((token) => ({ name: 'token as --username with --debug', args: [...setupU(token), '--debug'], env: withToken(), code: 2, says: NOT_TOKEN })),
    { name: 'the piped token again as --username (not a dckr_ token)', args: [...setupU(t.password), '--token-stdin'], input: t.password, code: 2, says: NOT_TOKEN, secrets: [t.password] },
    { name: 'token as --secret-id', args: ['verify', '--secret-id', s3], code: 2, says: /^--secret-id holds what looks like an access token/, secrets: [s3] },
    { name: 'token in DOCKERHUB_CREDENTIALS_SECRET_ID', args: ['verify'], env: { DOCKERHUB_CREDENTIALS_SECRET_ID: s4 }, code: 2, says: /^DOCKERHUB_CREDENTIALS_SECRET_ID holds/, secrets: [s4] },
    { name: 'token as --repository', args: ['verify', '--secret-id', 'ci/x', '--repository', s5], code: 2, says: /^--repository holds/, secrets: [s5] },
    { name: 'token in a repository path', args: ['verify', '--secret-id', 'ci/x', '--repository', `alice1/${s6}`], code: 2, says: /^--repository holds/, secrets: [s6] },
    { name: 'token as --region', args: ['verify', '--secret-id', 'ci/x', '--region', s7], code: 2, says: /^--region holds/, secrets: [s7] },
    { name: 'token in AWS_REGION', args: ['verify', '--secret-id', 'ci/x'], env: { AWS_REGION: s8 }, code: 2, says: /^AWS_REGION holds/, secrets: [s8] },
    { name: 'token as --profile', args: ['verify', '--secret-id', 'ci/x', '--profile', s9], code: 2, says: /^--profile holds/, secrets: [s9] },
    { name: 'token in AWS_PROFILE', args: ['verify', '--secret-id', 'ci/x'], env: { AWS_PROFILE: s10 }, code: 2, says: /^AWS_PROFILE holds/, secrets: [s10] },
    { name: 'token in DOCKERHUB_CREDENTIALS_REPOSITORY', args: ['verify', '--secret-id', 'ci/x'], env: { DOCKERHUB_CREDENTIALS_REPOSITORY: s11 }, code: 2, says: /^DOCKERHUB_CREDENTIALS_REPOSITORY holds/, secrets: [s11] },
    { name: 'token as --registry', args: ['verify', '--secret-id', 'ci/x', '--registry', s12], code: 2, says: /^--registry holds/, secrets: [s12] },
    { name: 'token as the password of a --hub-url', args: ['verify', '--secret-id', 'ci/x', '--hub-url', `https://alice1:${s13}@hub.example.com`], code: 2, says: /^--hub-url holds/, secrets: [s13] },
    { name: 'password in a registry URL', args: ['verify', '--secret-id', 'ci/x', '--registry', `https://alice1:${t.password}x@registry.example.com`], code: 2, says: /^--registry has a user name or password in the URL \(not shown\)/, secrets: [t.password] },
    { name: 'token in the config file secretId', args: ['verify'], config: { secretId: inFile[0] }, e2e: true, code: 2, says: /^"secretId" in .*\.dockerhub-credentials\.json holds what looks like an access token/, secrets: [inFile[0]!] },
    { name: 'token in the config file registry', args: ['verify', '--secret-id', 'ci/x'], config: { registry: inFile[1] }, code: 2, says: /^"registry" in .* holds what looks like an access token/, secrets: [inFile[1]!] },
    { name: 'token as a config file key', args: ['verify', '--secret-id', 'ci/x'], config: { [inFile[2]!]: 'x' }, code: 2, says: /is malformed: a key looks like an access token \(not shown\)/, secrets: [inFile[2]!] },
    { name: 'token in a config file that is not JSON', args: ['verify', '--secret-id', 'ci/x'], config: `{"secretId": ${inFile[3]}}`, code: 2, says: /is malformed: it is not valid JSON/, secrets: [inFile[3]!] },
    { name: 'token as an extra argument', args: ['setup', s18], code: 2, says: /^setup takes no arguments, but got 1, and one looks like an access token \(not shown\)/, secrets: [s18] },
    { name: 'token as the command', args: [t.many[18]!], e2e: true, code: 2, says: /^The first argument looks like an access token \(not shown\), not a command/, secrets: [t.many[18]!] },
    { name: '--token with a value', args: ['setup', '--token', t.many[19]!], e2e: true, code: 2, says: /^There is no --token option: a token on the command line would show in the process list/, secrets: [t.many[19]!] },
    { name: '--token=value', args: ['rotate', `--token=${t.oat}`], code: 2, says: /^There is no --token option/, secrets: [t.oat] },
    { name: '--password', args: ['setup', '--password', 'hunter2hunter2'], code: 2, says: /^There is no --password option/ },
    { name: 'an option spelled as a token', args: ['verify', `--${t.env}`], code: 2, says: /^An option looks like an access token \(not shown\)/, secrets: [t.env] },

    placed((token) => ({ name: 'token as --consumers', args: ['verify', '--secret-id', 'ci/x', '--consumers', `ecs,${token}`], code: 2, says: NOT_TOKEN })),
    placed((token) => ({ name: 'token in DOCKERHUB_CREDENTIALS_CONSUMERS', args: ['verify', '--secret-id', 'ci/x'], env: { DOCKERHUB_CREDENTIALS_CONSUMERS: token }, code: 2, says: NOT_TOKEN })),
    { name: 'unknown consumer', args: ['verify', '--secret-id', 'ci/x', '--consumers', 'ecs,lambda'], code: 2, says: /^Unknown consumer "lambda" in --consumers\./ },
    placed((token) => ({ name: 'token as --label', args: [...setupU('alice1'), '--label', token], env: withToken(), code: 2, says: /^--label holds what looks like an access token/ })),
    placed((token) => ({ name: 'token as history --limit', args: ['history', '--secret-id', 'ci/x', '--limit', token], code: 2, says: /^--limit holds what looks like an access token/ })),
    placed((token) => ({ name: 'token as verify --warn-days', args: ['verify', '--secret-id', 'ci/x', '--warn-days', token], code: 2, says: /^--warn-days holds what looks like an access token/ })),
    // Values that are wrong but not secret: quoted with control characters escaped.
    { name: 'username with capitals and punctuation', args: setupU('Alice!'), env: withToken(), code: 2, says: /^--username "Alice!" is not a Docker ID or organization name/ },
    { name: 'username too short', args: setupU('a'), env: withToken(), code: 2, says: /^--username "a" is not a Docker ID/ },
    { name: 'username with an escape sequence', args: setupU('ali\u001b[31mce'), env: withToken(), code: 2, says: /^--username "ali\\x1b\[31mce" is not a Docker ID/ },
    { name: 'organization name with a personal access token', args: setupU('my-org'), env: withToken(), code: 2, says: /^--username "my-org" is not a Docker ID .* an organization name works only with an organization access token/ },
    { name: 'verify --live with an invalid repository', args: ['verify', '--live', '--secret-id', 'ci/x', '--repository', 'Not/Valid'], code: 2, says: /^--repository "Not\/Valid" is not a repository name/ },
    { name: 'repository without a namespace', args: ['verify', '--secret-id', 'ci/x', '--repository', 'app'], code: 2, says: /^--repository "app" is not a repository name/ },
    { name: 'registry that is not a URL', args: ['verify', '--secret-id', 'ci/x', '--registry', 'not a url'], code: 2, says: /^--registry "not a url" is not a URL/ },
    { name: 'registry file://', args: ['verify', '--secret-id', 'ci/x', '--registry', 'file:///etc/passwd'], code: 2, says: /^--registry "file:\/\/\/etc\/passwd" is not an https:\/\/ URL/ },
    { name: 'registry over http to another machine', args: ['verify', '--secret-id', 'ci/x', '--registry', 'http://registry.example.com'], code: 2, says: /^--registry sends the token to registry\.example\.com over http:\/\/, but the token travels only over https:\/\//, },
    { name: 'hub URL ftp://', args: ['setup', '--secret-id', 'ci/x', '--hub-url', 'ftp://hub.example.com'], env: withToken({ DOCKERHUB_USERNAME: 'alice1' }), code: 2, says: /^--hub-url "ftp:\/\/hub\.example\.com" is not an https:\/\/ URL/ },
    { name: 'hub URL that does not parse', args: ['verify', '--secret-id', 'ci/x', '--hub-url', '::::'], code: 2, says: /^--hub-url "::::" is not a URL/ },
    { name: 'hub URL in the environment over http', args: ['verify', '--secret-id', 'ci/x'], env: { DOCKERHUB_CREDENTIALS_HUB_URL: 'http://10.0.0.1:8080' }, code: 2, says: /^DOCKERHUB_CREDENTIALS_HUB_URL sends the token to 10\.0\.0\.1:8080 over http:\/\// },
    { name: 'config file registry that is not a URL', args: ['verify', '--secret-id', 'ci/x'], config: { registry: 'registry dot example' }, code: 2, says: /^"registry" in .*\.dockerhub-credentials\.json "registry dot example" is not a URL/ },
    { name: 'config file hubUrl over http', args: ['verify', '--secret-id', 'ci/x'], config: { hubUrl: 'http://hub.example.com' }, code: 2, says: /^"hubUrl" in .* sends the token to hub\.example\.com over http:\/\// },
    { name: 'region that is not a region', args: ['verify', '--secret-id', 'ci/x', '--region', 'not a region'], code: 2, says: /^--region "not a region" is not an AWS region name/ },
    { name: 'region in capitals', args: ['verify', '--secret-id', 'ci/x', '--region', 'EU-WEST-2'], code: 2, says: /^--region "EU-WEST-2" is not an AWS region name/ },
    { name: 'AWS_REGION with underscores', args: ['verify', '--secret-id', 'ci/x'], env: { AWS_REGION: 'eu_west_2' }, code: 2, says: /^AWS_REGION "eu_west_2" is not an AWS region name/ },
    { name: 'config file region', args: ['verify', '--secret-id', 'ci/x'], config: { region: 'Ireland' }, code: 2, says: /^"region" in .* "Ireland" is not an AWS region name/ },
    { name: 'secret id with spaces', args: ['verify', '--secret-id', 'ci docker hub'], code: 2, says: /^--secret-id "ci docker hub" is not a Secrets Manager secret name or ARN/ },
    { name: 'secret id with a forbidden character', args: ['verify', '--secret-id', 'ci/dockerhub!'], code: 2, says: /^--secret-id "ci\/dockerhub!" is not a Secrets Manager secret name/ },
    { name: 'malformed secret ARN', args: ['verify', '--secret-id', 'arn:aws:secretsmanager:eu-west-2:12:secret:x'], code: 2, says: /^--secret-id "arn:aws:secretsmanager:eu-west-2:12:secret:x" is not a Secrets Manager secret name or ARN/ },
    { name: 'secret id with a newline in the environment', args: ['verify'], env: { DOCKERHUB_CREDENTIALS_SECRET_ID: 'ci/x\nEVIL' }, code: 2, says: /^DOCKERHUB_CREDENTIALS_SECRET_ID "ci\/x\\x0aEVIL" is not a Secrets Manager secret name/ },
    { name: 'profile with a control character', args: ['verify', '--secret-id', 'ci/x', '--profile', 'ci\u0007admin'], code: 2, says: /^--profile "ci\\x07admin" is not an AWS profile name/ },
    { name: 'config file that is not JSON', args: ['verify', '--secret-id', 'ci/x'], config: '{secretId: ci/x', code: 2, says: /is malformed: it is not valid JSON/ },
    { name: 'config file holding an array', args: ['verify', '--secret-id', 'ci/x'], config: [], code: 2, says: /is malformed: it must hold a JSON object/ },
    { name: 'config file with an unknown key', args: ['verify', '--secret-id', 'ci/x'], config: { secretID: 'ci/x' }, code: 2, says: /is malformed: unknown key "secretID"/ },
    { name: 'config file with a number', args: ['verify'], config: { secretId: 42 }, code: 2, says: /is malformed: "secretId" must be a non-empty string/ },
    { name: 'label with a control character', args: [...setupU('alice1'), '--label', 'ci\u001b[2J'], env: withToken(), code: 2, says: /^--label "ci\\x1b\[2J" is not usable: A label cannot hold control characters/ },
    { name: 'expiry date in the past', args: [...setupU('alice1'), '--expires-at', '2020-01-01'], env: withToken(), code: 2, says: /^--expires-at 2020-01-01 is in the past/ },
    { name: 'expiry period that Docker Hub does not offer', args: [...setupU('alice1'), '--expires-in', '7d'], env: withToken(), code: 2, says: /^--expires-in must be one of/ },
    { name: 'both expiry options', args: [...setupU('alice1'), '--expires-in', '30d', '--expires-at', new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10)], env: withToken(), code: 2, says: /^--expires-at and --expires-in both say when the token expires/ },
    { name: 'several bad values at once', args: ['verify', '--secret-id', 'ci/x', '--region', 'nowhere', '--repository', 'NOPE'], code: 2, says: /^2 answers are missing or invalid: --region "nowhere" is not an AWS region name\. --repository "NOPE" is not a repository name\./ },

    // Missing answers without a terminal: all of them, in one message, before any call.
    { name: 'unattended setup with nothing', args: ['setup', '--non-interactive'], e2e: true, code: 2, says: /^3 answers are missing or invalid: No secret id was given\. No Docker ID was given\. No token was given\./ },
    { name: 'unattended setup without a token', args: ['setup', '--non-interactive', '--secret-id', 'ci/x', '--username', 'alice1'], code: 2, says: /^No token was given\./ },
    { name: 'unattended rotate without a token', args: ['rotate', '--non-interactive', '--secret-id', 'ci/x'], code: 2, says: /^No token was given\./ },
    { name: 'a blank AWS_REGION is no region, never "AWS refused" exit 1 (stranger trial, session 3)', args: ['verify', '--secret-id', 'ci/x'], env: { AWS_REGION: '', AWS_DEFAULT_REGION: ' ' }, processOnly: true, code: 4, says: /^No AWS region is configured \(AWS_REGION is set, but empty\)\./ },
    { name: 'verify without a secret id', args: ['verify'], code: 2, says: /^No secret id was given\./ },
    { name: 'history without a secret id', args: ['history'], code: 2, says: /^No secret id was given\./ },
    { name: 'rollback without a secret id', args: ['rollback', '--yes'], code: 2, says: /^No secret id was given\./ },
    { name: 'empty DOCKERHUB_TOKEN', args: ['setup', '--secret-id', 'ci/x', '--username', 'alice1'], env: { DOCKERHUB_TOKEN: '' }, code: 2, says: /^DOCKERHUB_TOKEN is set but empty\./ },
    { name: 'empty stdin', args: ['setup', '--token-stdin', '--secret-id', 'ci/x', '--username', 'alice1'], input: '', code: 2, says: /^--token-stdin was given, but stdin was empty\./ },
    { name: 'invalid UTF-8 on stdin', args: ['setup', '--token-stdin', '--secret-id', 'ci/x', '--username', 'alice1'], input: new Uint8Array([0x64, 0x63, 0xff, 0xfe, 0x6b]), e2e: true, code: 2, says: /^The token from stdin is not valid UTF-8 text, so it was not used\./ },
    { name: 'user:token on stdin', args: ['setup', '--token-stdin', '--secret-id', 'ci/x', '--username', 'alice1'], input: `alice1:${w.rw.token}`, code: 2, says: /^The token from stdin is a username:token pair, so it was not used\./ },
    { name: 'two words on stdin', args: ['rotate', '--token-stdin', '--secret-id', 'ci/x'], input: `${w.rw.token} ${w.rw2.token}\n`, code: 2, says: /^The token from stdin contains spaces or control characters/ },
    { name: 'far too much on stdin', args: ['setup', '--token-stdin', '--secret-id', 'ci/x', '--username', 'alice1'], input: 'x'.repeat(70_000), e2e: true, code: 2, says: /^The token from stdin is far too long to be a token/ },

    // The command line itself.
    { name: 'unknown command, with the nearest one', args: ['verfy'], e2e: true, code: 2, says: /^"verfy" is not a command\.$/m },
    { name: 'unknown option, with the nearest one', args: ['verify', '--secret', 'ci/x'], code: 2, says: /^--secret is not an option of verify\./ },
    { name: 'an option of another command', args: ['setup', '--live'], code: 2, says: /^--live is not an option of setup\./ },
    { name: "a command's option before the command (stranger trial, session 3)", args: ['--secret-id', 'ci/x', 'verify'], code: 2, says: /^--secret-id goes after the command: it is an option of verify, not of dockerhub-credentials itself\.$/ },
    { name: 'missing option value', args: ['verify', '--secret-id'], code: 2, says: /^--secret-id needs a value\./ },
    { name: 'extra argument', args: ['verify', 'ci/x'], code: 2, says: /^verify takes no arguments, but got 1\./ },
  ];

  /** A row with a fresh token placed in it: no piece of it may appear in any output. */
  function placed(make: (token: string) => Row, prefix = 'dckr_pat_'): Row {
    const token = new Canary(prefix).token;
    const row = make(token);
    return { ...row, secrets: [...(row.secrets ?? []), token] };
  }

  /** --json goes right after the command, so it never becomes another option's value. */
  const asJson = (args: string[]) => (['setup', 'rotate', 'verify', 'history', 'rollback'].includes(args[0]!) ? [args[0]!, '--json', ...args.slice(1)] : [...args, '--json']);

  const runRow = async (row: Row, args: string[], asProcess: boolean): Promise<RunResult> => {
    if (row.config !== undefined) {
      writeFileSync(join(w.sandbox.cwd, '.dockerhub-credentials.json'), typeof row.config === 'string' ? row.config : JSON.stringify(row.config));
    }
    // Everything points at the tripwire: a bad input must stop the run before any of it is reached.
    const env = w.env({ AWS_ENDPOINT_URL_SECRETS_MANAGER: tripwireUrl, DOCKERHUB_CREDENTIALS_REGISTRY: tripwireUrl, DOCKERHUB_CREDENTIALS_HUB_URL: tripwireUrl, ...row.env });
    const r = asProcess
      ? await runCli(args, { sandbox: w.sandbox, env, input: row.input as string | undefined })
      : await runInProcess(args, { sandbox: w.sandbox, env, input: row.input, deps: { secrets: w.memory.open } });
    for (const secret of row.secrets ?? []) {
      // The label names the row, never the arguments: they hold the placed secret.
      expect(leakedPiece(secret, r.stdout + r.stderr) === undefined, `a piece of the placed secret in the output of "${row.name}"`).toBe(true);
    }
    w.assertNoCanary('stdout', r.stdout);
    w.assertNoCanary('stderr', r.stderr);
    return r;
  };

  it('has at least 60 rows', () => expect(rows.length).toBeGreaterThanOrEqual(60));

  it('has at least 8 rows run end to end', () => expect(rows.filter((r) => r.e2e).length).toBeGreaterThanOrEqual(8));

  const cases = [...rows.filter((r) => !r.processOnly).map((r) => [r.name, r, false] as const), ...rows.filter((r) => r.e2e || r.processOnly).map((r) => [`${r.name} (as a process)`, r, true] as const)];
  it.each(cases)('%s', async (_name, row, asProcess) => {
    const before = arrived.length;
    const awsCalls = w.memory.state.seen.length;
    const text = await runRow(row, row.args, asProcess);
    expect(text.exitCode, text.stderr).toBe(row.code);
    const failures = text.stderr.split('\n').filter((l) => l.startsWith('✗ '));
    expect(failures, text.stderr).toHaveLength(1);
    expect(failures[0]!.slice(2)).toMatch(row.says);
    // The fix: an indented line right after the sentence.
    const lines = text.stderr.split('\n');
    const fix = lines[lines.indexOf(failures[0]!) + 1] ?? '';
    expect(fix, text.stderr).toMatch(/^ {2}\S.{10,}/);
    expect(text.stderr).not.toMatch(/\n\s+at |Unexpected error|TypeError/);
    expect(text.stderr).not.toContain('\u001b');

    const json = await runRow(row, asJson(row.args), asProcess);
    expect(json.exitCode).toBe(row.code);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; error: { code: string; message: string; hint: string; exitCode: number } };
    expect(parsed.ok).toBe(false);
    expect(parsed.error.exitCode).toBe(row.code);
    expect(parsed.error.code).toMatch(/^[a-z-]+$/);
    expect(parsed.error.message).toMatch(row.says);
    expect(parsed.error.hint).toMatch(/\S{3}/);
    expect(arrived.slice(before), 'requests sent before the input was checked').toEqual([]);
    expect(w.memory.state.seen.slice(awsCalls), 'Secrets Manager calls made before the input was checked').toEqual([]);
  });
});
