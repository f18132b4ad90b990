import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox, describeWith, runCli } from '../support/harness.js';
import { startMoto } from '../support/moto.mjs';
import { makePat } from '../support/hub-standin.mjs';
import { LEGACY_ATTACHMENTS_TF, TerraformCopy, attachmentChanges, awsCli, changesToResources, findProviderMirror, listVar, motoProviderOverride, rootModule } from '../support/terraform.js';
import { REGION } from '../support/aws.js';

const mirror = findProviderMirror();
// Without the provider mirror, terraform cannot init offline: treat it like a missing tool.
const tools = mirror ? ['terraform'] : ['terraform', 'terraform-provider-aws-offline-mirror'];

// Split from terraform.test.ts so the two slow Terraform files run side by side (one per worker).
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
