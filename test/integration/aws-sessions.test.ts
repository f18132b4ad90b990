// AWS session and endpoint failures, matched by their real names (issue 10, item 6):
// each says what is actually wrong and the command that fixes it. The SSO case
// runs end to end against a local SSO portal stand-in; the others through the
// fault proxy in front of moto, with the bodies AWS really sends.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { AWS_ANSWERS, startFaultProxy } from '../support/fault-proxy.mjs';
import { startSsoPortal } from '../support/sso-portal.mjs';

describeWith(['moto_server', 'docker'], 'AWS session failures, by their real names', () => {
  const w = useWorld();
  let portal: Awaited<ReturnType<typeof startSsoPortal>>;
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;

  beforeAll(async () => {
    portal = await startSsoPortal();
    proxy = await startFaultProxy(w.moto.url);
  });
  afterAll(async () => {
    await portal?.stop();
    await proxy?.stop();
  });

  const stored = async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    return name;
  };

  /** An AWS config in the sandbox: profile ci-sso with an sso_session, profile ci-login with an aws login session. */
  const profiles = () => {
    const config = join(w.sandbox.root, 'aws-config');
    writeFileSync(
      config,
      [
        '[profile ci-sso]',
        'sso_session = corp',
        'sso_account_id = 123456789012',
        'sso_role_name = SecretsWriter',
        'region = eu-west-2',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = eu-west-2',
        'sso_registration_scopes = sso:account:access',
        '[profile ci-login]',
        'login_session = arn:aws:iam::123456789012:user/alice',
        'region = eu-west-2',
      ].join('\n'),
    );
    return {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(w.sandbox.root, 'no-credentials'),
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_ENDPOINT_URL_SSO: portal.url,
    };
  };

  /** The SSO token cache `aws sso login` leaves for session "corp": ~/.aws/sso/cache/<sha1("corp")>.json. */
  const cacheSsoToken = (accessToken: string) => {
    const dir = join(w.sandbox.home, '.aws/sso/cache');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${createHash('sha1').update('corp').digest('hex')}.json`);
    writeFileSync(
      file,
      JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-2', accessToken, expiresAt: new Date(Date.now() + 3600_000).toISOString() }),
    );
  };

  it('an SSO session the portal still knows works (the control), and one it revoked says to run aws sso login for the profile', async () => {
    const name = await stored();
    const env = profiles();
    const session = `sso-access-${randomUUID()}`;
    cacheSsoToken(session);
    portal.accept(session);
    const before = portal.calls.length;
    const ok = await w.run(['verify', '--secret-id', name, '--profile', 'ci-sso'], { env });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(portal.calls.slice(before)).toEqual([{ path: '/federation/credentials', accountId: '123456789012', roleName: 'SecretsWriter', known: true }]);

    portal.revoke(session);
    const r = await w.run(['verify', '--secret-id', name, '--profile', 'ci-sso'], { env });
    expect(portal.calls.at(-1)).toMatchObject({ known: false });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('The AWS SSO session for profile ci-sso is no longer valid');
    expect(r.stderr).toContain('Run: aws sso login --profile ci-sso');
    expect(r.stderr).not.toContain('Choose a profile');
    expect(r.stderr).not.toMatch(/\bat .+\.js:\d+/);
  });

  it('an aws login profile without a session says to run aws login with the profile', async () => {
    const name = await stored();
    const r = await w.run(['verify', '--secret-id', name, '--profile', 'ci-login'], { env: profiles() });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('The aws login session for profile ci-login has expired or was never started.');
    expect(r.stderr).toContain('Run: aws login --profile ci-login');
    expect(r.stderr).not.toContain('aws sso login');
  });

  const through = (answer: (typeof AWS_ANSWERS)[keyof typeof AWS_ANSWERS], target = '*') => {
    proxy.restore();
    proxy.fail({ target, mode: 'answer', answer });
    return { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url };
  };

  it('UnrecognizedClientException and InvalidSignatureException: the access keys are wrong, not a permission problem', async () => {
    const name = await stored();
    const unknownKey = await w.run(['verify', '--secret-id', name], { env: through(AWS_ANSWERS.unrecognizedClient) });
    expect(unknownKey.exitCode).toBe(4);
    expect(unknownKey.stderr).toContain('AWS does not accept the access keys in use (region eu-west-2): the access key id is unknown or was deleted (UnrecognizedClientException).');
    expect(unknownKey.stderr).toContain('Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(unknownKey.stderr).not.toMatch(/access denied|not allowed|Grant /i);

    const badSecret = await w.run(['verify', '--secret-id', name], { env: through(AWS_ANSWERS.invalidSignature) });
    expect(badSecret.exitCode).toBe(4);
    expect(badSecret.stderr).toContain('the secret access key does not match the access key id (InvalidSignatureException)');
    expect(badSecret.stderr).not.toMatch(/access denied|not allowed|Grant /i);
  });

  it('ExpiredTokenException: the session credentials expired, refresh them', async () => {
    const name = await stored();
    const r = await w.run(['verify', '--secret-id', name], { env: through(AWS_ANSWERS.expiredToken) });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('The AWS session credentials in use have expired (ExpiredTokenException)');
    expect(r.stderr).toContain('Refresh them');
    expect(r.stderr).not.toMatch(/create a new token/i);
  });

  it('LimitExceededException on a write: too many versions, retry later; not throttling; nothing changed', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const before = await w.secrets.stages(name);
    const r = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name], {
      input: w.rw.token,
      env: through(AWS_ANSWERS.limitExceeded, 'PutSecretValue'),
    });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain(`Secrets Manager refused to write ${name}: too many versions of it were written recently (LimitExceededException). This is not throttling.`);
    expect(r.stderr).toContain('only when they are older than 24 hours: try again later');
    expect(r.stderr).not.toMatch(/is throttling/);
    expect(proxy.state.seen).toContain('PutSecretValue');
    expect(await w.secrets.stages(name)).toEqual(before);
  });

  for (const [what, answer] of [
    ['a 404 HTML page', AWS_ANSWERS.notFoundHtml],
    ['a 404 JSON answer without an AWS error', AWS_ANSWERS.notFoundJson],
    ['a 200 HTML page', AWS_ANSWERS.htmlPage],
  ] as const) {
    it(`an endpoint answering ${what} "does not look like Secrets Manager", naming it; not "the secret does not exist"`, async () => {
      const name = await stored();
      const r = await w.run(['verify', '--secret-id', name], { env: through(answer) });
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toContain(`The endpoint ${proxy.url} does not look like AWS Secrets Manager (HTTP ${answer.status}`);
      expect(r.stderr).toContain('AWS_ENDPOINT_URL_SECRETS_MANAGER');
      expect(r.stderr).not.toContain('does not exist');
      expect(r.stderr).not.toContain('<html');
    });
  }

  it('a real missing secret is still "does not exist" (moto answers 404 with ResourceNotFoundException)', async () => {
    proxy.restore();
    const r = await w.run(['verify', '--secret-id', 'does/not-exist'], { env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url } });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('The secret does/not-exist does not exist (region eu-west-2).');
  });
});
