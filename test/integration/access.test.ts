// moto with IAM enforcement: a principal without write rights gets "access denied" naming the action.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMoto } from '../support/moto.mjs';
import { Canary, Sandbox, describeWith, runCli } from '../support/harness.js';
import { TestSecrets, awsEnv, iamUserWithPolicy, uniqueName } from '../support/aws.js';

describeWith(['moto_server'], 'access denied (moto IAM enforcement)', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  const canary = new Canary();
  const name = uniqueName();
  let reader: { AccessKeyId: string; SecretAccessKey: string };

  beforeAll(async () => {
    // The first 4 requests (CreateSecret, CreateUser, PutUserPolicy, CreateAccessKey) are not checked; every later one is.
    moto = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '4' } });
    const secrets = new TestSecrets(moto.url);
    await secrets.create(name, JSON.stringify({ username: 'alice1', token: canary.token }));
    reader = await iamUserWithPolicy(moto.url, ['secretsmanager:DescribeSecret']);
  });
  afterAll(async () => moto?.stop());

  it('names the missing action and the secret (HTTP 403)', async () => {
    const sandbox = new Sandbox();
    const r = await runCli(['verify', '--secret-id', name], {
      sandbox,
      env: { ...awsEnv(moto.url), AWS_ACCESS_KEY_ID: reader.AccessKeyId, AWS_SECRET_ACCESS_KEY: reader.SecretAccessKey },
      canary,
    });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(`Access denied: you are not allowed secretsmanager:GetSecretValue on ${name}`);
    sandbox.remove();
  });
});
