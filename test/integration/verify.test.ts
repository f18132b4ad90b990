import { afterAll, beforeAll, beforeEach, afterEach, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMoto } from '../support/moto.mjs';
import { Canary, Sandbox, describeWith, runCli } from '../support/harness.js';
import { TestSecrets, awsEnv, uniqueName } from '../support/aws.js';
import { startFaultProxy } from '../support/fault-proxy.mjs';

describeWith(['moto_server'], 'verify against a real moto_server', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let secrets: TestSecrets;
  let sandbox: Sandbox;
  const canary = new Canary();
  const good = () => JSON.stringify({ username: 'alice1', token: canary.token });
  const run = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(args, { sandbox, env: { ...awsEnv(moto.url), ...env }, canary });

  beforeAll(async () => {
    moto = await startMoto();
    secrets = new TestSecrets(moto.url);
  });
  afterAll(async () => moto?.stop());
  beforeEach(() => {
    sandbox = new Sandbox();
  });
  afterEach(() => {
    sandbox.assertClean(canary);
    sandbox.remove();
  });

  it('prints the four facts of the runbook for a well-formed secret and exits 0', async () => {
    const name = uniqueName();
    await secrets.create(name, good());
    const r = await run(['verify', '--secret-id', name]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/contains username:\s+yes/);
    expect(r.stdout).toMatch(/contains token:\s+yes/);
    expect(r.stdout).toMatch(/username:\s+alice1/);
    expect(r.stdout).toMatch(/token length:\s+36 characters/);
    expect(r.stdout).toMatch(/last changed:\s+\d{4}-\d\d-\d\d/);
  });

  it('--json prints exactly one parseable object with the documented fields', async () => {
    const name = uniqueName();
    const arn = await secrets.create(name, good());
    const r = await run(['verify', '--secret-id', name, '--json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      ok: true,
      secretId: name,
      arn,
      hasUsername: true,
      hasToken: true,
      username: 'alice1',
      tokenLength: 36,
      problems: [],
    });
    expect(Date.parse(report.lastChanged)).not.toBeNaN();
    expect(r.stderr).toBe('');
  });

  it('takes the secret id from the environment and from a config file found upward', async () => {
    const name = uniqueName();
    await secrets.create(name, good());
    expect((await run(['verify'], { DOCKERHUB_CREDENTIALS_SECRET_ID: name })).exitCode).toBe(0);
    writeFileSync(join(sandbox.root, '.dockerhub-credentials.json'), JSON.stringify({ secretId: name }));
    expect((await run(['verify', '--json'])).stdout).toContain(`"secretId": "${name}"`);
    // flags win over the environment, which wins over the file
    const r = await run(['verify', '--json', '--secret-id', 'nope/flag'], { DOCKERHUB_CREDENTIALS_SECRET_ID: 'nope/env' });
    expect(JSON.parse(r.stdout).error.message).toContain('nope/flag');
  });

  it('a malformed config file is a usage error naming the file and the problem', async () => {
    const path = join(sandbox.root, '.dockerhub-credentials.json');
    writeFileSync(path, '{"secretId": ');
    const r = await run(['verify']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(/not valid JSON/);
    writeFileSync(path, JSON.stringify({ secretID: 'x' }));
    expect((await run(['verify'])).stderr).toMatch(/unknown key "secretID"/);
  });

  it('exits 4 with the Terraform hint for a missing secret', async () => {
    const r = await run(['verify', '--secret-id', 'does/not-exist']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('The secret does/not-exist does not exist (region eu-west-2).');
    expect(r.stderr).toContain('terraform -chdir=terraform apply');
    expect(r.stderr).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
  });

  it('exits 4 with the setup hint for a secret without a value', async () => {
    const name = uniqueName();
    await secrets.create(name);
    const r = await run(['verify', '--secret-id', name]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('exists but has no value yet');
    expect(r.stderr).toContain(`npx dockerhub-credentials setup --secret-id ${name}`);
  });

  it('says to restore a secret scheduled for deletion', async () => {
    const name = uniqueName();
    await secrets.create(name, good());
    await secrets.scheduleDeletion(name);
    const r = await run(['verify', '--secret-id', name]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('scheduled for deletion');
    expect(r.stderr).toContain(`aws secretsmanager restore-secret --secret-id ${name}`);
  });

  it('names what is wrong with a non-JSON value without echoing it', async () => {
    const name = uniqueName();
    await secrets.create(name, canary.token);
    const r = await run(['verify', '--secret-id', name]);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain('The value is not JSON');
    const json = JSON.parse((await run(['verify', '--secret-id', name, '--json'])).stdout);
    expect(json.ok).toBe(false);
    expect(json.problems[0]).toContain('not JSON');
  });

  it('names missing and empty keys precisely', async () => {
    const name = uniqueName();
    await secrets.create(name, JSON.stringify({ username: '', password: canary.token }));
    const r = await run(['verify', '--secret-id', name, '--json']);
    expect(r.exitCode).toBe(4);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ ok: false, hasUsername: false, hasToken: false });
    expect(json.problems).toEqual(['The key "username" is empty.', 'The key "token" is missing.']);
    // "password" is there, so ECS, Batch and CodeBuild are reported, each not served; the top-level problems stay the two above.
    expect(json.consumers.ecs).toEqual({ ok: false, problems: ['"username" is missing or empty.', '"token" is missing or empty, so "password" has nothing to match'] });
  });

  it('warns about a stray AWSPENDING version', async () => {
    const name = uniqueName();
    await secrets.create(name, good());
    await secrets.stagePending(name, good());
    const r = await run(['verify', '--secret-id', name]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/stray AWSPENDING/);
  });

  it('exits 5 naming the endpoint when Secrets Manager cannot be reached', async () => {
    const r = await run(['verify', '--secret-id', 'x'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('Could not reach AWS Secrets Manager at http://127.0.0.1:9');
  });

  it('retries throttling with backoff, and reports persistent throttling as exit 5', async () => {
    const name = uniqueName();
    await secrets.create(name, good());
    const proxy = await startFaultProxy(moto.url);
    try {
      proxy.fail({ target: 'GetSecretValue', mode: 'throttle', count: 2 });
      const env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url, AWS_MAX_ATTEMPTS: undefined };
      const r = await run(['verify', '--secret-id', name], env);
      expect(r.exitCode).toBe(0);
      expect(proxy.state.seen.filter((t: string) => t === 'GetSecretValue')).toHaveLength(3);
      proxy.fail({ target: 'GetSecretValue', mode: 'throttle', count: 10 });
      const throttled = await run(['verify', '--secret-id', name], env);
      expect(throttled.exitCode).toBe(5);
      expect(throttled.stderr).toContain('Secrets Manager is throttling requests');
    } finally {
      await proxy.stop();
    }
  });

  it('without a secret id is a usage error that names the flag', async () => {
    const r = await run(['verify']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--secret-id');
  });

  it('with no AWS credentials explains how to choose a profile', async () => {
    const r = await run(['verify', '--secret-id', 'x'], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_CONFIG_FILE: join(sandbox.root, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(sandbox.root, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('No AWS credentials were found.');
    expect(r.stderr).toContain('--profile');
  });

  it('reads credentials from a named profile, and says to run aws sso login when the SSO session is missing', async () => {
    const name = uniqueName();
    await secrets.create(name, good());
    const config = join(sandbox.root, 'aws-config');
    writeFileSync(
      config,
      [
        '[profile ci-static]',
        'region = eu-west-2',
        '[profile ci-sso]',
        'sso_session = corp',
        'sso_account_id = 123456789012',
        'sso_role_name = Admin',
        'region = eu-west-2',
        '[sso-session corp]',
        'sso_start_url = https://corp.awsapps.com/start',
        'sso_region = eu-west-2',
      ].join('\n'),
    );
    const creds = join(sandbox.root, 'aws-credentials');
    writeFileSync(creds, '[ci-static]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const env = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_REGION: undefined, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: creds };
    expect((await run(['verify', '--secret-id', name, '--profile', 'ci-static'], env)).exitCode).toBe(0);
    const sso = await run(['verify', '--secret-id', name, '--profile', 'ci-sso'], env);
    expect(sso.exitCode).toBe(4);
    expect(sso.stderr).toContain('aws sso login --profile ci-sso');
  });
});
