import { afterAll, beforeAll, expect, it } from 'vitest';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Canary, ROOT, Sandbox, describeWith, runCli } from '../support/harness.js';
import { startMoto } from '../support/moto.mjs';
import { makePat, startHubStandin } from '../support/hub-standin.mjs';
import { TerraformCopy, awsCli, changesToResources, findProviderMirror, motoProviderOverride } from '../support/terraform.js';
import { REGION, iamUserWithPolicy } from '../support/aws.js';

const mirror = findProviderMirror();
// Without the provider mirror, terraform cannot init offline: treat it like a missing tool.
const tools = mirror ? ['terraform'] : ['terraform', 'terraform-provider-aws-offline-mirror'];

describeWith(tools, 'terraform module: static checks and terraform test (offline, mocked provider)', () => {
  const tf = new TerraformCopy();
  afterAll(() => tf.remove());

  it('is formatted (terraform fmt -check -recursive)', async () => {
    const r = await execa('terraform', ['fmt', '-check', '-recursive', join(ROOT, 'terraform')], { reject: false });
    expect(r.stdout, 'files that need terraform fmt').toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('validates, and its terraform test suite passes with mock_provider', async () => {
    const init = await tf.run(['init', '-backend=false', `-plugin-dir=${mirror}`]);
    expect(init.exitCode, init.all).toBe(0);
    const validate = await tf.run(['validate', '-no-color']);
    expect(validate.exitCode, validate.all).toBe(0);
    // The rotation block's tests deploy the built package (terraform/tests/rotation.tftest.hcl).
    cpSync(join(ROOT, 'dist/rotation-function.zip'), join(tf.dir, 'tests/rotation-function.zip'));
    const test = await tf.run(['test', '-no-color']);
    expect(test.all).toMatch(/Success! 34 passed, 0 failed\./);
    expect(test.exitCode).toBe(0);
  }, 180_000);
});

describeWith([...tools, 'moto_server', 'aws'], 'terraform apply of the example against moto, then the CLI against what it created', () => {
  const tf = new TerraformCopy();
  const example = 'examples/ci-agent';
  const canary = new Canary();
  const secretName = 'ci/dockerhub';
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let hub: Awaited<ReturnType<typeof startHubStandin>>;
  let admin: { AccessKeyId: string; SecretAccessKey: string };
  let sandbox: Sandbox;
  let outputs: Record<string, { value: string }>;

  const adminEnv = () => ({
    AWS_ACCESS_KEY_ID: admin.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: admin.SecretAccessKey,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url,
    AWS_MAX_ATTEMPTS: '1',
    DOCKERHUB_CREDENTIALS_REGISTRY: hub.url,
    DOCKERHUB_CREDENTIALS_HUB_URL: hub.url,
  });
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) =>
    runCli(args, { sandbox, env: { ...adminEnv(), ...env }, input, canary });

  beforeAll(async () => {
    // IAM is enforced after the three unsigned calls that create the admin user.
    moto = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '3' } });
    admin = await iamUserWithPolicy(moto.url, ['*'], 'terraform-admin');
    hub = await startHubStandin({ accounts: [{ username: 'alice1', secret: canary.token, kind: 'pat', level: 'write', state: 'ok' }] });
    sandbox = new Sandbox();
    writeFileSync(join(tf.dir, example, 'moto_override.tf'), motoProviderOverride(moto.url, REGION, admin.AccessKeyId, admin.SecretAccessKey));
    const init = await tf.run(['init', `-plugin-dir=${mirror}`], example);
    if (init.exitCode !== 0) throw new Error(init.all);
    const apply = await tf.run(['apply', '-auto-approve', '-no-color', '-var', `secret_name=${secretName}`], example);
    if (apply.exitCode !== 0) throw new Error(apply.all);
    outputs = JSON.parse((await tf.run(['output', '-json'], example)).stdout);
  }, 300_000);

  const aws = (args: string[]) => awsCli(moto.url, admin, sandbox.home)(args);
  const awsIam = (args: string[]) => aws(['iam', ...args]);
  /** An IAM user holding one policy and nothing else, with an access key. */
  const userWithPolicy = async (userName: string, policyArn: string) => {
    await awsIam(['create-user', '--user-name', userName]);
    await awsIam(['attach-user-policy', '--user-name', userName, '--policy-arn', policyArn]);
    const key = JSON.parse((await awsIam(['create-access-key', '--user-name', userName])).stdout).AccessKey;
    return { AccessKeyId: key.AccessKeyId as string, SecretAccessKey: key.SecretAccessKey as string };
  };
  /**
   * A user granted exactly the Secrets Manager actions of one of the module's policies, on "*":
   * moto checks actions but denies any policy scoped to a resource ARN (REFERENCE 4), so this
   * proves the action list is enough; terraform test asserts the resource scoping.
   */
  const userWithActionsOf = async (userName: string, policyArn: string) => {
    const policy = JSON.parse((await awsIam(['get-policy', '--policy-arn', policyArn])).stdout).Policy;
    const version = JSON.parse((await awsIam(['get-policy-version', '--policy-arn', policyArn, '--version-id', policy.DefaultVersionId])).stdout).PolicyVersion;
    const doc = typeof version.Document === 'string' ? JSON.parse(decodeURIComponent(version.Document)) : version.Document;
    const actions = (doc.Statement as { Action: string[] }[]).flatMap((st) => st.Action).filter((a) => a.startsWith('secretsmanager:'));
    await awsIam(['create-user', '--user-name', userName]);
    await awsIam(['put-user-policy', '--user-name', userName, '--policy-name', 'actions-only', '--policy-document', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] })]);
    const key = JSON.parse((await awsIam(['create-access-key', '--user-name', userName])).stdout).AccessKey;
    return { actions, key: { AccessKeyId: key.AccessKeyId as string, SecretAccessKey: key.SecretAccessKey as string } };
  };

  afterAll(async () => {
    sandbox?.remove();
    await hub?.stop();
    await moto?.stop();
    tf.remove();
  });

  it('outputs the secret, the policies and the exact setup command', () => {
    expect(outputs.secret_name!.value).toBe(secretName);
    expect(outputs.secret_arn!.value).toMatch(/^arn:aws:secretsmanager:eu-west-2:\d{12}:secret:ci\/dockerhub-/);
    expect(outputs.read_policy_arn!.value).toMatch(/policy\/ci-dockerhub-read$/);
    expect(outputs.write_policy_arn!.value).toMatch(/policy\/ci-dockerhub-write$/);
    expect(outputs.setup_command!.value).toBe(`npx dockerhub-credentials setup --secret-id ${secretName} --region ${REGION} --consumers ecs,codebuild`);
  });

  it('attaches the read policy to the ECS task execution role and the CodeBuild service role', async () => {
    const consumerRoles = outputs.consumer_role_names!.value as unknown as string[];
    expect(consumerRoles.sort()).toEqual(['codebuild-service', 'ecs-task-execution']);
    for (const role of [...consumerRoles, outputs.ci_agent_role_name!.value]) {
      const r = await awsIam(['list-attached-role-policies', '--role-name', role]);
      expect(JSON.parse(r.stdout).AttachedPolicies.map((p: { PolicyArn: string }) => p.PolicyArn)).toEqual([outputs.read_policy_arn!.value]);
    }
  });

  it('verify on the fresh secret exits 4 and says to run setup; setup fills it; verify then passes', async () => {
    const before = await cli(['verify', '--secret-id', secretName]);
    expect(before.exitCode).toBe(4);
    expect(before.stderr).toContain('exists but has no value yet');
    expect(before.stderr).toContain('Run setup');

    // No --consumers: the module's tag on the secret declares ecs and codebuild, so setup writes "password".
    const tags = JSON.parse((await aws(['secretsmanager', 'describe-secret', '--secret-id', secretName])).stdout).Tags;
    expect(tags).toContainEqual({ Key: 'dockerhub-credentials-consumers', Value: 'ecs codebuild' });
    const setup = await cli(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', secretName, '--expires-in', '90d', '--label', 'app-ci-2026-11'], {}, canary.token);
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(/also as: +password \(the same token, for ecs, codebuild\)/);

    const after = await cli(['verify', '--secret-id', secretName, '--json']);
    expect(after.exitCode).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, username: 'alice1', tokenLength: 36, arn: outputs.secret_arn!.value, label: 'app-ci-2026-11' });
    expect(JSON.parse(after.stdout).consumers).toMatchObject({ ecs: { ok: true }, codebuild: { ok: true } });
    sandbox.assertClean(canary);

    // The expiry and label the CLI recorded as tags are not drift: the example's provider ignores them.
    // (The plan still reads the secret back for the module's check block: a read, no change.)
    const plan = await tf.plan(example, ['-var', `secret_name=${secretName}`]);
    expect(changesToResources(plan.changes), plan.output).toEqual([]);
    expect(plan.output).not.toContain('Check block assertion failed');
  });

  it("an operator with only the write policy's actions can rotate, roll back, verify and list the history: it grants what the CLI calls", async () => {
    const { actions, key: c } = await userWithActionsOf('operator-user', outputs.write_policy_arn!.value);
    expect(actions).toContain('secretsmanager:ListSecretVersionIds');
    const asOperator = { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey };
    const next = makePat();
    hub.accounts.push({ username: 'alice1', secret: next, kind: 'pat', level: 'write', state: 'ok' });
    const rotate = await cli(['rotate', '--non-interactive', '--token-stdin', '--secret-id', secretName], asOperator, next);
    expect(rotate.exitCode, rotate.stderr).toBe(0);
    const rollback = await cli(['rollback', '--secret-id', secretName, '--yes'], asOperator);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect((await cli(['verify', '--secret-id', secretName], asOperator)).exitCode).toBe(0);
    expect((await cli(['history', '--secret-id', secretName], asOperator)).exitCode).toBe(0);
  });

  it('a principal with only the read policy cannot write the secret', async () => {
    // A CI agent's identity holding only the module's read policy. (moto answers
    // sts:AssumeRole with HTTP 500 under IAM enforcement, so a user stands in for the role.)
    const c = await userWithPolicy('ci-agent-user', outputs.read_policy_arn!.value);
    const other = makePat();
    hub.accounts.push({ username: 'alice1', secret: other, kind: 'pat', level: 'write', state: 'ok' });
    const r = await cli(
      ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', secretName, '--yes'],
      { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey },
      other,
    );
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/Access denied: you are not allowed secretsmanager:\w+ on ci\/dockerhub/);
    // The read policy's actions are what the credential helper needs, as docker on a CI agent runs it.
    const { key: reader } = await userWithActionsOf('ci-agent-actions', outputs.read_policy_arn!.value);
    const helper = await execa(process.execPath, [join(ROOT, 'bin/docker-credential-dockerhub-credentials.cjs'), 'get'], {
      input: 'https://index.docker.io/v1/',
      env: { PATH: process.env.PATH!, HOME: sandbox.home, AWS_ACCESS_KEY_ID: reader.AccessKeyId, AWS_SECRET_ACCESS_KEY: reader.SecretAccessKey, AWS_REGION: REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url, DOCKERHUB_CREDENTIALS_SECRET_ID: secretName },
      extendEnv: false,
      reject: false,
    });
    canary.assertAbsent('helper stderr', helper.stderr);
    expect(helper.exitCode).toBe(0);
    expect(JSON.parse(helper.stdout).Username).toBe('alice1');
    // ...and are not enough to write: PutSecretValue is denied by action, not only by resource.
    const denied = await cli(['rotate', '--non-interactive', '--token-stdin', '--secret-id', secretName], { AWS_ACCESS_KEY_ID: reader.AccessKeyId, AWS_SECRET_ACCESS_KEY: reader.SecretAccessKey }, other);
    expect(denied.exitCode).toBe(4);
    expect(denied.stderr).toMatch(/Access denied: you are not allowed secretsmanager:PutSecretValue/);
    const still = await cli(['verify', '--secret-id', secretName, '--json']);
    expect(JSON.parse(still.stdout).ok).toBe(true);
  });

  it('terraform destroy removes what apply created', async () => {
    const destroy = await tf.run(['destroy', '-auto-approve', '-no-color', '-var', `secret_name=${secretName}`], example);
    expect(destroy.exitCode, destroy.all).toBe(0);
    expect(destroy.all).toMatch(/Destroy complete! Resources: \d+ destroyed\./);
    const gone = await cli(['verify', '--secret-id', secretName]);
    expect(gone.exitCode).toBe(4);
  });
});

/** The AWS CLI against moto, as a caller with the given keys (`aws iam list-attached-role-policies` and the like). */
