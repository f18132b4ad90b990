// `status`: the fleet in one view from ListSecrets alone, across regions, counted at
// moto's door (the rotation proxy counts every call by operation): not one
// GetSecretValue. And `verify`'s rotation line, for a secret whose rotation the
// proxy started as AWS does (REFERENCE 10).
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient, TagResourceCommand, DescribeSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { useWorld } from '../support/world.js';
import { startRotationProxy } from '../support/rotation-proxy.mjs';
import { uniqueName } from '../support/aws.js';
import { encodeMeta, tagKey } from '../../src/domain/lifecycle.js';

const w = useWorld();
let proxy: Awaited<ReturnType<typeof startRotationProxy>>;
const REGIONS = ['eu-west-2', 'us-east-1', 'ap-southeast-2', 'sa-east-1'];
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-2:123456789012:function:dockerhub-credentials-rotation';
const client = (region: string, endpoint: string) => new SecretsManagerClient({ region, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
const names: Record<string, string[]> = {};
let rotated: string;
let due: string;
let untagged: string;

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function seed(region: string, name: string, o: { expires?: string; tagged?: boolean } = {}) {
  const sm = client(region, w.moto.url);
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: 'alice1', token: w.rw.token }) }));
  if (o.tagged === false) return;
  const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  const current = Object.entries(d.VersionIdsToStages ?? {}).find(([, s]) => s.includes('AWSCURRENT'))![0];
  await sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: tagKey(current), Value: encodeMeta({ username: 'alice1', label: `ci-${region}`, expires: o.expires ?? day(200), access: 'Read & Write' }) }, { Key: 'dockerhub-credentials:consumers', Value: 'ecs' }] }));
}

beforeAll(async () => {
  proxy = await startRotationProxy(w.moto.url);
  for (const region of REGIONS) {
    names[region] = [];
    for (let i = 0; i < 3; i++) {
      const name = uniqueName(`fleet/${region}`);
      names[region]!.push(name);
      await seed(region, name);
    }
  }
  due = uniqueName('fleet/due');
  await seed('us-east-1', due, { expires: day(5) });
  untagged = uniqueName('other/untagged');
  await seed('eu-west-2', untagged, { tagged: false });
  rotated = uniqueName('fleet/rotated');
  await seed('eu-west-2', rotated);
  // AWS's start of a rotation whose function has not finished (it failed): AWSPENDING without a value.
  await client('eu-west-2', proxy.url).send(new RotateSecretCommand({ SecretId: rotated, RotationLambdaARN: FUNCTION_ARN, RotationRules: { ScheduleExpression: 'rate(90 days)' } }));
});
afterAll(() => proxy?.stop());

describe('status', () => {
  it('--all-regions --json lists the seeded secrets across regions without one GetSecretValue call', async () => {
    proxy.resetCounts();
    const r = await w.run(['status', '--all-regions', '--json', '--warn-days', '30'], { env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url } });
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(proxy.counts.GetSecretValue ?? 0).toBe(0);
    expect(proxy.counts.DescribeSecret ?? 0).toBe(0);
    expect(proxy.counts.ListSecrets).toBeGreaterThanOrEqual(out.regions.length);
    const listed = out.secrets.map((s: { name: string; region: string }) => `${s.region} ${s.name}`);
    for (const region of REGIONS) for (const name of names[region]!) expect(listed).toContain(`${region} ${name}`);
    expect(listed).toContain(`us-east-1 ${due}`);
    expect(listed.some((l: string) => l.endsWith(untagged))).toBe(false);
    const one = out.secrets.find((s: { name: string }) => s.name === names['ap-southeast-2']![0]);
    expect(one).toMatchObject({ region: 'ap-southeast-2', username: 'alice1', label: 'ci-ap-southeast-2', consumers: ['ecs'], due: false, problems: [] });
    expect(one.daysLeft).toBeGreaterThan(190);
    expect(one.rotation).toEqual({ enabled: false, lastRotated: null, next: null, function: null, schedule: null });
    const soon = out.secrets.find((s: { name: string }) => s.name === due);
    expect(soon).toMatchObject({ due: true, daysLeft: 5 });
    const rot = out.secrets.find((s: { name: string }) => s.name === rotated);
    expect(rot.rotation).toMatchObject({ enabled: true, function: FUNCTION_ARN, schedule: 'rate(90 days)' });
    expect(rot.rotation.next).not.toBeNull();
    expect(rot.problems.join(' ')).toMatch(/a failed rotation left AWSPENDING .*rotation function's log/);
    expect(out.ok).toBe(true);
    w.assertNoCanary('status json', r.stdout);
  });

  it('--fail-when-due exits 6 with ok false; the human view shows the schedule', async () => {
    const json = await w.run(['status', '--regions', 'us-east-1,eu-west-2', '--json', '--fail-when-due', '--warn-days', '30'], { env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url } });
    expect(json.exitCode).toBe(6);
    expect(JSON.parse(json.stdout).ok).toBe(false);
    const human = await w.run(['status', '--region', 'eu-west-2'], { env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url } });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`${rotated.replace(/[/.]/g, '\\$&')} \\(eu-west-2\\)`));
    expect(human.stdout).toMatch(/rotation: +enabled, rate\(90 days\); last ran never; next \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(function dockerhub-credentials-rotation\)/);
    expect(human.stdout).toMatch(/username: +alice1/);
    // --secret-id is refused, not silently ignored (second stranger, session 3).
    const one = await w.run(['status', '--region', 'eu-west-2', '--secret-id', 'ci/mistyped'], { env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url } });
    expect(one.exitCode).toBe(2);
    expect(one.stderr).toContain('✗ status lists every secret this tool manages, so it takes no --secret-id.');
    expect(one.stderr).toContain('For one secret, run: dockerhub-credentials verify --secret-id ci/mistyped');
  });
});

describe('verify shows the schedule', () => {
  it('the rotation line and --json rotation, and the stray AWSPENDING explained as the function\'s', async () => {
    const env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url };
    const json = await w.run(['verify', '--secret-id', rotated, '--json'], { env });
    const out = JSON.parse(json.stdout);
    expect(out.rotation).toMatchObject({ enabled: true, function: FUNCTION_ARN, lastRotated: null });
    expect(out.rotation.next).toMatch(/^\d{4}-/);
    expect(out.warnings.join(' ')).toMatch(/was left by a failed run of the rotation function dockerhub-credentials-rotation.*\/aws\/lambda\/dockerhub-credentials-rotation/);
    const human = await w.run(['verify', '--secret-id', names['eu-west-2']![0]!], { env });
    expect(human.stdout).toMatch(/rotation: +not enabled \(rotated by hand\)/);
  });
});

describe('rotate on a secret that a rotation function rotates', () => {
  it('--yes runs the function (RotateSecret); a piped token needs --force; a stray stage of the function is explained', async () => {
    const env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url };
    const name = uniqueName('fleet/scheduled');
    await seed('eu-west-2', name);
    const sm = client('eu-west-2', proxy.url);
    const started = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: FUNCTION_ARN, RotationRules: { ScheduleExpression: 'rate(90 days)' } }));
    // The first rotation's stage, as if its function had finished and removed it: rotation is on, nothing pending.
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: started.VersionId }));

    const before = proxy.invocations.length;
    const run = await w.run(['rotate', '--secret-id', name, '--yes', '--json'], { env });
    expect(run.exitCode).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ ok: true, rotateSecret: true, function: FUNCTION_ARN, written: false });
    expect(proxy.invocations.slice(before)).toEqual([expect.objectContaining({ name, token: out.versionId })]);

    // That rotation's stage is still there (nothing runs the function here): it is the function's, and named so.
    const stray = await w.run(['rotate', '--secret-id', name, '--yes'], { env });
    expect(stray.exitCode).toBe(2);
    expect(stray.stderr).toMatch(/was left by a failed run of the rotation function dockerhub-credentials-rotation/);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: out.versionId }));

    const piped = await w.run(['rotate', '--secret-id', name, '--non-interactive', '--token-stdin', '--json'], { env, input: w.rw2.token });
    expect(piped.exitCode).toBe(2);
    expect(JSON.parse(piped.stdout).error).toMatchObject({ code: 'rotation-function' });
    expect(JSON.parse(piped.stdout).error.hint).toMatch(/--force/);

    const forced = await w.run(['rotate', '--secret-id', name, '--non-interactive', '--token-stdin', '--force', '--json', '--expires-in', '90d', '--label', 'by-hand'], { env, input: w.rw2.token });
    expect(forced.exitCode, forced.stdout + forced.stderr).toBe(0);
    expect(JSON.parse((await w.secrets.value(name))!).token).toBe(w.rw2.token);
  });
});
