import { afterAll, beforeAll, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
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
function awsCli(motoUrl: string, key: { AccessKeyId: string; SecretAccessKey: string }, home: string) {
  return (args: string[]) =>
    execa('aws', ['--endpoint-url', motoUrl, '--region', REGION, '--output', 'json', ...args], {
      env: { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey, HOME: home, PATH: process.env.PATH! },
      extendEnv: false,
    });
}

const listVar = (name: string, values: string[]) => ['-var', `${name}=${JSON.stringify(values)}`];
/** Planned changes to managed resources: what is left once no-ops and data reads are set aside. */
const changesToResources = (changes: PlannedChange[]) => changes.filter((c) => !c.actions.every((a) => a === 'no-op' || a === 'read'));
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

  it('a provider without ignore_tags gets a warning in the plan that would remove the tag the CLI wrote; with it, the plan is clean and the tag stays', async () => {
    const tf = await prepare('ci/tags', ['tags-ecs']);
    const lists = listVar('ecs_task_execution_role_names', ['tags-ecs']);
    await apply(tf, lists);
    // The tag setup writes for a version's expiry and label (src/flows/lifecycle.ts).
    const versionTag = { Key: 'dockerhub-credentials:version:00000000-0000-4000-8000-000000000001', Value: 'eyJlIjoiMjAyNy0wMS0wMSJ9' };
    await aws(['secretsmanager', 'tag-resource', '--secret-id', 'ci/tags', '--tags', JSON.stringify([versionTag])]);

    // The plan that would remove it says so, before anything is applied.
    const warned = await tf.plan(root, lists);
    const said = warned.output.replace(/\s+/g, ' ');
    expect(said).toContain('Warning: Check block assertion failed');
    expect(said).toContain('The secret ci/tags holds tags that dockerhub-credentials wrote');
    expect(said).toContain('Do not apply: add to the provider block ignore_tags { key_prefixes = ["dockerhub-credentials:"] }');
    expect(warned.changes.find((c) => c.address === 'module.dockerhub_credentials.aws_secretsmanager_secret.this')?.actions).toEqual(['update']);
    const tagsNow = async () => JSON.parse((await aws(['secretsmanager', 'describe-secret', '--secret-id', 'ci/tags'])).stdout).Tags;
    expect(await tagsNow()).toContainEqual(versionTag);

    // The README's provider block: no change planned, the tool's tag and the module's tag both stay.
    tf.write({ [`${root}/main.tf`]: rootModule({ roles: ['tags-ecs'], secretName: 'ci/tags', provider: `  region = "${REGION}"\n  ignore_tags {\n    key_prefixes = ["dockerhub-credentials:"]\n  }` }) });
    const clean = await tf.plan(root, lists);
    expect(changesToResources(clean.changes), clean.output).toEqual([]);
    expect(clean.output).not.toContain('Check block assertion failed');
    await apply(tf, lists);
    expect(await tagsNow()).toEqual(expect.arrayContaining([versionTag, { Key: 'dockerhub-credentials-consumers', Value: 'ecs' }]));

    // And the CLI reads that tag as the declared consumers: a value without "password" does not pass verify.
    await aws(['secretsmanager', 'put-secret-value', '--secret-id', 'ci/tags', '--secret-string', JSON.stringify({ username: 'alice1', token: makePat() })]);
    const verify = await runCli(['verify', '--secret-id', 'ci/tags', '--json'], {
      sandbox,
      env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url, AWS_MAX_ATTEMPTS: '1' },
    });
    expect(verify.exitCode, verify.stderr).not.toBe(0);
    expect(JSON.parse(verify.stdout).consumers.ecs).toMatchObject({ ok: false, problems: [expect.stringContaining('"password" is missing')] });
  }, 300_000);

  it('an ignore_tags broader than the tool\'s prefix, which would hide the consumers tag, fails the apply and every later plan', async () => {
    const tf = await prepare('ci/hidden', ['hidden-ecs']);
    tf.write({ [`${root}/main.tf`]: rootModule({ roles: ['hidden-ecs'], secretName: 'ci/hidden', provider: `  region = "${REGION}"\n  ignore_tags {\n    key_prefixes = ["dockerhub-"]\n  }` }) });
    const lists = listVar('ecs_task_execution_role_names', ['hidden-ecs']);
    // On a create, the provider computes tags_all only when applying: the postcondition fails then.
    const applied = await tf.run(['apply', '-auto-approve', '-no-color', ...lists], root);
    expect(applied.exitCode, applied.all).toBe(1);
    expect(applied.all!.replace(/\s+/g, ' ')).toContain("The AWS provider's ignore_tags hides the tag dockerhub-credentials-consumers");
    const plan = await tf.run(['plan', '-no-color', ...lists], root);
    expect(plan.exitCode, plan.all).toBe(1);
    expect(plan.all!.replace(/\s+/g, ' ')).toContain("The AWS provider's ignore_tags hides the tag dockerhub-credentials-consumers");
  }, 300_000);
});
