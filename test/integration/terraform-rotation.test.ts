// The module's rotation block applied against moto as far as moto goes: the admin
// secret, the function from the package's zip, its role and inline policy, its log
// group and the invoke permission. moto cannot go further: its RotateSecret (which
// aws_secretsmanager_secret_rotation calls) invokes the function, and moto runs
// Lambda functions only in docker. The rotation resource and the exact policy are
// covered by terraform/tests/rotation.tftest.hcl with a mocked provider ("mocked_").
import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT, Sandbox, describeWith } from '../support/harness.js';
import { startMoto } from '../support/moto.mjs';
import { TerraformCopy, findProviderMirror, motoProviderOverride, rootModule } from '../support/terraform.js';
import { REGION, TestSecrets } from '../support/aws.js';

const mirror = findProviderMirror();
const tools = ['terraform', ...(mirror ? [] : ['a terraform provider mirror (TF_PLUGIN_MIRROR)'])];

describeWith([...tools, 'moto_server', 'aws'], 'terraform rotation block against moto (the function, its role, logs and permission; the schedule itself is mocked)', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let sandbox: Sandbox;
  const tf = new TerraformCopy();
  const root = 'tests/rotation-root';
  const aws = (args: string[]) =>
    execa('aws', ['--endpoint-url', moto.url, '--region', REGION, '--output', 'json', ...args], {
      env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', HOME: sandbox.home, PATH: process.env.PATH! },
      extendEnv: false,
    });
  let adminArn: string;
  let secretArn: string;

  beforeAll(async () => {
    moto = await startMoto();
    sandbox = new Sandbox();
    // The admin secret exists before the module reads it by name (README "Scheduled rotation").
    adminArn = await new TestSecrets(moto.url).create('ci/rotated-admin', JSON.stringify({ username: 'alice1', password: 'not-a-real-password-1' }));
    tf.write({
      [`${root}/main.tf`]: rootModule({
        roles: ['ci-agent'],
        secretName: 'ci/rotated',
        provider: `  region = "${REGION}"`,
        moduleArgs: `  rotation = {
    admin_secret_name = "ci/rotated-admin"
    repository        = "myorg/app"
    package_path      = "${join(ROOT, 'dist/rotation-function.zip')}"
  }`,
      }),
      [`${root}/moto_override.tf`]: motoProviderOverride(moto.url, REGION),
    });
    const init = await tf.run(['init', `-plugin-dir=${mirror}`], root);
    if (init.exitCode !== 0) throw new Error(init.all);
    // Everything but the schedule, which moto cannot run (see above).
    const apply = await tf.run(['apply', '-auto-approve', '-no-color', '-var', 'reader_role_names=["ci-agent"]', '-target=module.dockerhub_credentials.aws_lambda_permission.rotation', '-target=module.dockerhub_credentials.aws_iam_role_policy_attachment.read'], root);
    if (apply.exitCode !== 0) throw new Error(apply.all);
    secretArn = JSON.parse((await tf.run(['output', '-json'], root)).stdout).secret_arn.value;
  }, 300_000);
  afterAll(async () => {
    sandbox?.remove();
    await moto?.stop();
    tf.remove();
  });

  it('against moto: the function runs the package zip (index.handler, nodejs22.x) with its configuration', async () => {
    const fn = JSON.parse((await aws(['lambda', 'get-function', '--function-name', 'ci-rotated-rotation'])).stdout).Configuration;
    expect(fn).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 120 });
    expect(fn.Environment.Variables).toEqual({
      DOCKERHUB_CREDENTIALS_ADMIN_SECRET_ID: adminArn,
      DOCKERHUB_CREDENTIALS_REPOSITORY: 'myorg/app',
      DOCKERHUB_CREDENTIALS_EXPIRES_IN: '90d',
      DOCKERHUB_CREDENTIALS_HUB_URL: 'https://hub.docker.com',
      DOCKERHUB_CREDENTIALS_REGISTRY: 'https://registry-1.docker.io',
      DOCKERHUB_CREDENTIALS_STEP_TIMEOUT: '110',
    });
    const { createHash } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    expect(fn.CodeSha256).toBe(createHash('sha256').update(readFileSync(join(ROOT, 'dist/rotation-function.zip'))).digest('base64'));
  });

  it('against moto: only Secrets Manager may invoke it, for this secret in this account', async () => {
    const policy = JSON.parse(JSON.parse((await aws(['lambda', 'get-policy', '--function-name', 'ci-rotated-rotation'])).stdout).Policy);
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction' });
    expect(JSON.stringify(policy.Statement[0].Condition)).toContain(secretArn);
  });

  it("against moto: the role's inline policy reads the admin secret and writes only the rotated one; CI's read policy denies the admin secret", async () => {
    const role = JSON.parse((await aws(['iam', 'get-role-policy', '--role-name', 'ci-rotated-rotation', '--policy-name', 'rotate-ci-rotated'])).stdout);
    const doc = typeof role.PolicyDocument === 'string' ? JSON.parse(decodeURIComponent(role.PolicyDocument)) : role.PolicyDocument;
    const bySid = Object.fromEntries(doc.Statement.map((s: { Sid: string }) => [s.Sid, s]));
    expect(bySid.ReadTheAdminSecret).toMatchObject({ Action: ['secretsmanager:GetSecretValue'], Resource: adminArn });
    expect(bySid.RotateThisSecretOnly.Resource).toBe(secretArn);
    const attached = JSON.parse((await aws(['iam', 'list-attached-role-policies', '--role-name', 'ci-agent'])).stdout).AttachedPolicies;
    const read = attached.find((p: { PolicyName: string }) => p.PolicyName === 'ci-rotated-read');
    const meta = JSON.parse((await aws(['iam', 'get-policy', '--policy-arn', read.PolicyArn])).stdout).Policy;
    const version = JSON.parse((await aws(['iam', 'get-policy-version', '--policy-arn', read.PolicyArn, '--version-id', meta.DefaultVersionId])).stdout).PolicyVersion;
    const readDoc = typeof version.Document === 'string' ? JSON.parse(decodeURIComponent(version.Document)) : version.Document;
    expect(readDoc.Statement).toContainEqual({ Sid: 'NeverTheRotationAdminSecret', Effect: 'Deny', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: adminArn });
    const logs = JSON.parse((await aws(['logs', 'describe-log-groups', '--log-group-name-prefix', '/aws/lambda/ci-rotated-rotation'])).stdout).logGroups;
    expect(logs.map((g: { logGroupName: string; retentionInDays: number }) => [g.logGroupName, g.retentionInDays])).toEqual([['/aws/lambda/ci-rotated-rotation', 90]]);
  });
});
