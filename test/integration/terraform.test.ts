import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Canary, ROOT, Sandbox, describeWith, runCli } from '../support/harness.js';
import { startMoto } from '../support/moto.mjs';
import { makePat, startHubStandin } from '../support/hub-standin.mjs';
import { LEGACY_ATTACHMENTS_TF, TerraformCopy, findProviderMirror, motoProviderOverride, rootModule, type PlannedChange } from '../support/terraform.js';
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
    const test = await tf.run(['test', '-no-color']);
    expect(test.all).toMatch(/Success! 14 passed, 0 failed\./);
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

  const awsIam = (args: string[]) =>
    execa('aws', ['--endpoint-url', moto.url, '--region', REGION, '--output', 'json', 'iam', ...args], {
      env: { AWS_ACCESS_KEY_ID: admin.AccessKeyId, AWS_SECRET_ACCESS_KEY: admin.SecretAccessKey, HOME: sandbox.home, PATH: process.env.PATH! },
      extendEnv: false,
    });
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

    const setup = await cli(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', secretName, '--expires-in', '90d', '--label', 'app-ci-2026-11', '--consumers', 'ecs,codebuild'], {}, canary.token);
    expect(setup.exitCode, setup.stderr).toBe(0);

    const after = await cli(['verify', '--secret-id', secretName, '--json']);
    expect(after.exitCode).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, username: 'alice1', tokenLength: 36, arn: outputs.secret_arn!.value, label: 'app-ci-2026-11' });
    expect(JSON.parse(after.stdout).consumers).toMatchObject({ ecs: { ok: true }, codebuild: { ok: true } });
    sandbox.assertClean(canary);

    // The expiry and label the CLI recorded as tags are not drift: the example's provider ignores them.
    const plan = await tf.run(['plan', '-detailed-exitcode', '-no-color', '-var', `secret_name=${secretName}`], example);
    expect(plan.exitCode, plan.all).toBe(0);
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
function awsCli(motoUrl: string, key: { AccessKeyId: string; SecretAccessKey: string }, home: string) {
  return (args: string[]) =>
    execa('aws', ['--endpoint-url', motoUrl, '--region', REGION, '--output', 'json', ...args], {
      env: { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey, HOME: home, PATH: process.env.PATH! },
      extendEnv: false,
    });
}

const listVar = (name: string, values: string[]) => ['-var', `${name}=${JSON.stringify(values)}`];
const attachmentChanges = (changes: PlannedChange[]) => changes.filter((c) => c.address.includes('aws_iam_role_policy_attachment'));

describeWith([...tools, 'moto_server', 'aws'], 'terraform: a role in two lists holds the read policy once, against moto', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let sandbox: Sandbox;
  let aws: ReturnType<typeof awsCli>;
  const copies: TerraformCopy[] = [];
  const root = 'tests/overlap-root';

  /** A copy of the module with a root that creates the roles, initialised against moto. */
  const prepare = async (secretName: string, roles: string[]) => {
    const tf = new TerraformCopy();
    copies.push(tf);
    tf.write({
      [`${root}/main.tf`]: rootModule({ roles, secretName, provider: `  region = "${REGION}"` }),
      [`${root}/moto_override.tf`]: motoProviderOverride(moto.url, REGION),
    });
    const init = await tf.run(['init', `-plugin-dir=${mirror}`], root);
    if (init.exitCode !== 0) throw new Error(init.all);
    return tf;
  };
  const apply = async (tf: TerraformCopy, args: string[]) => {
    const r = await tf.run(['apply', '-auto-approve', '-no-color', ...args], root);
    expect(r.exitCode, r.all).toBe(0);
  };
  const attached = async (role: string) =>
    JSON.parse((await aws(['iam', 'list-attached-role-policies', '--role-name', role])).stdout).AttachedPolicies.map((p: { PolicyArn: string }) => p.PolicyArn);
  const readPolicyArn = async (tf: TerraformCopy) => JSON.parse((await tf.run(['output', '-json'], root)).stdout).read_policy_arn.value as string;

  beforeAll(async () => {
    moto = await startMoto();
    sandbox = new Sandbox();
    aws = awsCli(moto.url, { AccessKeyId: 'test', SecretAccessKey: 'test' }, sandbox.home);
  }, 60_000);
  afterAll(async () => {
    sandbox?.remove();
    await moto?.stop();
    for (const tf of copies) tf.remove();
  });

  it('taking a role out of ecs_task_execution_role_names while it stays in reader_role_names keeps the policy attached: no destroy planned', async () => {
    const tf = await prepare('ci/overlap', ['ci-and-ecs']);
    await apply(tf, [...listVar('reader_role_names', ['ci-and-ecs']), ...listVar('ecs_task_execution_role_names', ['ci-and-ecs'])]);
    const policy = await readPolicyArn(tf);
    expect(await attached('ci-and-ecs')).toEqual([policy]);

    const { changes } = await tf.plan(root, [...listVar('reader_role_names', ['ci-and-ecs']), ...listVar('ecs_task_execution_role_names', [])]);
    expect(attachmentChanges(changes).filter((c) => c.actions.includes('delete')), 'attachments the plan would destroy').toEqual([]);
    await apply(tf, [...listVar('reader_role_names', ['ci-and-ecs']), ...listVar('ecs_task_execution_role_names', [])]);
    // Read back from IAM: the ECS task execution role still holds the read policy.
    expect(await attached('ci-and-ecs')).toEqual([policy]);

    // Taken out of the last list, it loses the policy.
    await apply(tf, [...listVar('reader_role_names', []), ...listVar('ecs_task_execution_role_names', [])]);
    expect(await attached('ci-and-ecs')).toEqual([]);
  }, 300_000);

  it('state from the version with two attachments migrates without a detach: the second one is forgotten, not destroyed', async () => {
    const tf = await prepare('ci/migrate', ['both-lists', 'ecs-only', 'codebuild-only']);
    const current = readFileSync(join(tf.dir, 'attachments.tf'), 'utf8');
    tf.write({ 'attachments.tf': LEGACY_ATTACHMENTS_TF });
    const lists = [
      ...listVar('reader_role_names', ['both-lists']),
      ...listVar('ecs_task_execution_role_names', ['both-lists', 'ecs-only']),
      ...listVar('codebuild_service_role_names', ['codebuild-only']),
    ];
    await apply(tf, lists);
    const policy = await readPolicyArn(tf);

    tf.write({ 'attachments.tf': current });
    const { changes } = await tf.plan(root, lists);
    const byAction = (a: string) => attachmentChanges(changes).filter((c) => c.actions.includes(a)).map((c) => c.address).sort();
    expect(byAction('delete'), 'attachments the upgrade would destroy').toEqual([]);
    expect(byAction('forget')).toEqual([
      'module.dockerhub_credentials.aws_iam_role_policy_attachment.consumers["both-lists"]',
      'module.dockerhub_credentials.aws_iam_role_policy_attachment.consumers["codebuild-only"]',
      'module.dockerhub_credentials.aws_iam_role_policy_attachment.consumers["ecs-only"]',
    ]);
    await apply(tf, lists);
    for (const role of ['both-lists', 'ecs-only', 'codebuild-only']) expect(await attached(role), role).toEqual([policy]);
    const state = await tf.run(['state', 'list'], root);
    expect(state.stdout).not.toContain('aws_iam_role_policy_attachment.consumers');
    // And the overlap bug is gone for migrated state too.
    await apply(tf, [...listVar('reader_role_names', ['both-lists']), ...listVar('ecs_task_execution_role_names', ['ecs-only']), ...listVar('codebuild_service_role_names', ['codebuild-only'])]);
    expect(await attached('both-lists')).toEqual([policy]);
  }, 300_000);
});
