// The rotation function as Terraform deploys it: dist/rotation-function.zip, loaded by
// the Lambda driver (a child Node process with Lambda's environment) and called with
// the exact events Secrets Manager sends, in order (REFERENCE 10), against moto behind
// the RotateSecret-start proxy (test/support/rotation-proxy.mjs) and the Docker Hub
// stand-in's token routes (REFERENCE 7). After each scenario: the stages, the Hub
// tokens that exist and are active, and the recorded metadata. Every token value,
// the admin password and the RotationToken are canaries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DescribeSecretCommand, RotateSecretCommand, SecretsManagerClient, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { startMoto } from '../support/moto.mjs';
import { startFaultProxy } from '../support/fault-proxy.mjs';
import { startRotationProxy } from '../support/rotation-proxy.mjs';
import { startHubStandin, makePat } from '../support/hub-standin.mjs';
import { lambdaDriver } from '../support/lambda-driver.mjs';
import { TestSecrets, REGION, uniqueName } from '../support/aws.js';
import { encodeMeta, metaOf, tagKey } from '../../src/domain/lifecycle.js';
import type { SecretInfo } from '../../src/domain/secret.js';
import { hubFactsOf } from '../../src/flows/hub-facts.js';

const ZIP = join(__dirname, '../../dist/rotation-function.zip');
const ADMIN_PASSWORD = `alice-admin-${randomUUID().slice(0, 12)}`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:123456789012:function:dockerhub-credentials-rotation`;

type Account = { username: string; secret: string; kind: string; state: string; level?: string; grants?: Record<string, string[]>; hub?: { id: string; label: string } };

let moto: Awaited<ReturnType<typeof startMoto>>;
let faults: Awaited<ReturnType<typeof startFaultProxy>>;
let proxy: Awaited<ReturnType<typeof startRotationProxy>>;
let hub: Awaited<ReturnType<typeof startHubStandin>>;
let secrets: TestSecrets;
let sm: SecretsManagerClient;
let driver: ReturnType<typeof lambdaDriver>;
const rotationTokens: string[] = [];

beforeAll(async () => {
  if (!existsSync(ZIP)) throw new Error('dist/rotation-function.zip is missing: run npm run build first');
  moto = await startMoto();
  faults = await startFaultProxy(moto.url);
  proxy = await startRotationProxy(faults.url);
  hub = await startHubStandin({
    accounts: [{ username: 'alice1', secret: ADMIN_PASSWORD, kind: 'password', level: 'admin', state: 'ok' }],
    orgs: [{ name: 'acmeorg', owners: ['alice1'], cap: 4 }],
  });
  secrets = new TestSecrets(moto.url);
  sm = new SecretsManagerClient({ region: REGION, endpoint: proxy.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  driver = lambdaDriver({
    zipPath: ZIP,
    region: REGION,
    env: {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url,
      DOCKERHUB_CREDENTIALS_HUB_URL: hub.url,
      DOCKERHUB_CREDENTIALS_REGISTRY: hub.url,
      DOCKERHUB_CREDENTIALS_EXPIRES_IN: '90d',
      // Short bounds, so a hung call ends the step within the test.
      DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '3',
      DOCKERHUB_CREDENTIALS_AWS_REQUEST_TIMEOUT: '2',
      AWS_MAX_ATTEMPTS: '2',
    },
  });
}, 120_000);

afterAll(async () => {
  // The canary scan: the function's logs and outputs hold no token, no password, no RotationToken.
  const logs = driver?.logs.join('\n') ?? '';
  for (const t of [...hub.tokens.created, ...seeded]) expect(leak(logs, t), 'a token in the function logs').toBeUndefined();
  expect(logs.includes(ADMIN_PASSWORD)).toBe(false);
  for (const rt of rotationTokens) expect(logs.includes(rt)).toBe(false);
  driver?.cleanup();
  await hub?.stop();
  await proxy?.stop();
  await faults?.stop();
  await moto?.stop();
});

const seeded: string[] = [];
/** A 6-character piece of the token's random part found in `text`. */
const leak = (text: string, token: string) => {
  for (let i = 9; i + 6 <= token.length; i++) if (text.includes(token.slice(i, i + 6))) return token.slice(i, i + 6);
  return undefined;
};

const describeSecret = async (id: string): Promise<SecretInfo> => {
  const d = await sm.send(new DescribeSecretCommand({ SecretId: id }));
  return { arn: d.ARN!, name: d.Name!, versions: d.VersionIdsToStages ?? {}, tags: Object.fromEntries((d.Tags ?? []).map((t) => [t.Key!, t.Value!])) };
};
const stageOf = (info: SecretInfo, stage: string) => Object.entries(info.versions).find(([, s]) => s.includes(stage))?.[0];
const accountOf = (token: string) => (hub.accounts as Account[]).find((a) => a.secret === token);
const tokenIn = async (name: string, versionId: string) => JSON.parse((await secrets.client.send(new (await import('@aws-sdk/client-secrets-manager')).GetSecretValueCommand({ SecretId: name, VersionId: versionId }))).SecretString!).token as string;
const byLabel = (label: string) => (hub.accounts as Account[]).filter((a) => a.hub?.label === label);

/** A secret holding `token` of `username`, tagged as the CLI leaves it (version metadata with the label), and an admin secret. */
async function arrange(o: { username: string; token: string; label: string; access?: string; repository: string; extra?: Record<string, string> }) {
  const name = uniqueName('ci/rotation');
  const admin = uniqueName('ci/rotation-admin');
  await secrets.create(admin, JSON.stringify({ username: 'alice1', password: ADMIN_PASSWORD }));
  await secrets.create(name, JSON.stringify({ username: o.username, token: o.token, ...o.extra }));
  const first = stageOf(await describeSecret(name), 'AWSCURRENT')!;
  await sm.send(
    new TagResourceCommand({
      SecretId: name,
      Tags: [
        { Key: 'dockerhub-credentials:admin-secret', Value: admin },
        { Key: 'dockerhub-credentials:repository', Value: o.repository },
        { Key: tagKey(first), Value: encodeMeta({ label: o.label, access: o.access, expires: 'never' }) },
      ],
    }),
  );
  return { name, admin, first };
}

/** RotateSecret at the proxy (AWS's start), then the four events, each `times` times. Returns the request token and each outcome. */
async function rotate(name: string, o: { times?: number; stopAfter?: string } = {}) {
  const started = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: FUNCTION_ARN, RotationRules: { ScheduleExpression: 'rate(30 days)' } }));
  const token = started.VersionId!;
  const rt = randomUUID();
  rotationTokens.push(rt);
  const outcomes: { step: string; ok: boolean; errorMessage?: string; log: string }[] = [];
  for (const event of driver.events(name, token, rt)) {
    for (let i = 0; i < (o.times ?? 1); i++) {
      const r = await driver.invoke(event);
      outcomes.push({ step: event.Step, ok: r.ok, errorMessage: r.errorMessage, log: r.log });
    }
    if (event.Step === o.stopAfter) break;
  }
  return { token, outcomes };
}

const allOk = (outcomes: { step: string; ok: boolean; errorMessage?: string }[]) => expect(outcomes.filter((x) => !x.ok)).toEqual([]);

describe('a full rotation of the built zip', () => {
  it('PAT: the new token is current, the previous one stays active, and the one before is deactivated', async () => {
    const pat0 = makePat();
    seeded.push(pat0);
    hub.accounts.push({ username: 'alice1', secret: pat0, kind: 'pat', level: 'write', state: 'ok', label: 'app-ci-2026-11' });
    const { name, first } = await arrange({ username: 'alice1', token: pat0, label: 'app-ci-2026-11', access: 'Read & Write', repository: 'alice1/app', extra: { password: pat0 } });

    const one = await rotate(name);
    allOk(one.outcomes);
    let info = await describeSecret(name);
    expect(stageOf(info, 'AWSCURRENT')).toBe(one.token);
    expect(stageOf(info, 'AWSPREVIOUS')).toBe(first);
    expect(stageOf(info, 'AWSPENDING')).toBeUndefined();
    const pat1 = await tokenIn(name, one.token);
    expect(pat1).toMatch(/^dckr_pat_/);
    // The same keys and aliases as today's writes: username, token, and the alias already there.
    const value = JSON.parse((await secrets.value(name))!);
    expect(Object.keys(value).sort()).toEqual(['password', 'token', 'username']);
    expect(value.password).toBe(pat1);
    expect(accountOf(pat1)).toMatchObject({ state: 'ok', level: 'write' });
    expect(accountOf(pat0)?.state).toBe('ok');
    const meta1 = metaOf(info, one.token);
    expect(meta1).toMatchObject({ label: `dhc-rotation ${one.token}`, access: 'Read & Write', username: 'alice1' });
    expect(hubFactsOf(info, one.token)).toMatchObject({ id: accountOf(pat1)!.hub!.id, kind: 'pat', created: true });
    expect(meta1.expires).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // testSecret says in its log that there is no docker CLI and what it asked instead.
    expect(one.outcomes.find((x) => x.step === 'testSecret')!.log).toMatch(/no docker CLI in Lambda/);
    // What the secret shows (REFERENCE 10): the proxy set the dates as AWS does.
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(d.RotationEnabled).toBe(true);
    expect(d.LastRotatedDate).toBeInstanceOf(Date);
    expect(d.NextRotationDate!.getTime()).toBeGreaterThan(Date.now());

    const two = await rotate(name);
    allOk(two.outcomes);
    info = await describeSecret(name);
    expect(stageOf(info, 'AWSCURRENT')).toBe(two.token);
    expect(stageOf(info, 'AWSPREVIOUS')).toBe(one.token);
    const pat2 = await tokenIn(name, two.token);
    expect(accountOf(pat2)?.state).toBe('ok');
    expect(accountOf(pat1)?.state).toBe('ok');
    // The token of the version before AWSPREVIOUS is deactivated, not deleted: a person may re-activate it.
    expect(accountOf(pat0)?.state).toBe('deactivated');
    expect(info.tags['dockerhub-credentials:retired']).toBe(accountOf(pat0)!.hub!.id);
    expect(hubFactsOf(info, first)).toMatchObject({ id: accountOf(pat0)!.hub!.id, state: 'inactive' });
    // moto's stored values: the admin password is only in the admin secret, no token in any tag.
    for (const v of Object.keys(info.versions)) expect((await tokenIn(name, v)).includes(ADMIN_PASSWORD)).toBe(false);
    for (const t of [pat0, pat1, pat2]) expect(leak(JSON.stringify(info.tags), t)).toBeUndefined();
  });

  it('OAT: same scope and repositories, the cap kept by deleting what the function retired', async () => {
    const oat0 = makePat('dckr_oat_');
    seeded.push(oat0);
    hub.accounts.push({ username: 'acmeorg', secret: oat0, kind: 'oat', state: 'ok', grants: { 'acmeorg/app': ['pull', 'push'], 'acmeorg/web': ['pull'] }, label: 'acme-ci' });
    const { name } = await arrange({ username: 'acmeorg', token: oat0, label: 'acme-ci', repository: 'acmeorg/app' });

    const one = await rotate(name);
    allOk(one.outcomes);
    const oat1 = await tokenIn(name, one.token);
    expect(oat1).toMatch(/^dckr_oat_/);
    expect(accountOf(oat1)?.grants).toEqual({ 'acmeorg/app': ['pull', 'push'], 'acmeorg/web': ['pull'] });
    const two = await rotate(name);
    allOk(two.outcomes);
    expect(accountOf(oat0)?.state).toBe('deactivated');
    expect(accountOf(oat1)?.state).toBe('ok');
    const three = await rotate(name);
    allOk(three.outcomes);
    // The third createSecret deleted oat0 (retired by the second), and the fourth version's predecessor is retired now.
    expect(accountOf(oat0)).toBeUndefined();
    expect(accountOf(oat1)?.state).toBe('deactivated');
    const info = await describeSecret(name);
    expect(info.tags['dockerhub-credentials:retired']).toBe(accountOf(oat1)!.hub!.id);
    expect(stageOf(info, 'AWSCURRENT')).toBe(three.token);
  });
});

describe('retries and failures', () => {
  const pat = async (repository = 'alice1/app') => {
    const token = makePat();
    seeded.push(token);
    hub.accounts.push({ username: 'alice1', secret: token, kind: 'pat', level: 'write', state: 'ok', label: `seed-${token.slice(-6)}` });
    return { token, ...(await arrange({ username: 'alice1', token, label: `seed-${token.slice(-6)}`, access: 'Read & Write', repository })) };
  };

  it('each step run twice creates no second token, and two rotations with different request tokens each create one', async () => {
    const { name } = await pat();
    const one = await rotate(name, { times: 2 });
    allOk(one.outcomes);
    expect(byLabel(`dhc-rotation ${one.token}`)).toHaveLength(1);
    expect(one.outcomes.filter((x) => x.step === 'createSecret')[1]!.log).toMatch(/already holds the new value/);
    expect(one.outcomes.filter((x) => x.step === 'finishSecret')[1]!.log).toMatch(/already AWSCURRENT; nothing to do/);
    const two = await rotate(name, { times: 2 });
    allOk(two.outcomes);
    expect(byLabel(`dhc-rotation ${two.token}`)).toHaveLength(1);
    expect(stageOf(await describeSecret(name), 'AWSCURRENT')).toBe(two.token);
  });

  it('a failed testSecret: AWSCURRENT unchanged, the new token deleted, AWSPENDING removed', async () => {
    // The push check's repository is in a namespace alice1 cannot push to: the new token fails it.
    const { name, first } = await pat('someoneelse/app');
    const r = await rotate(name);
    const test = r.outcomes.find((x) => x.step === 'testSecret')!;
    expect(test.ok).toBe(false);
    expect(test.errorMessage).toMatch(/^testSecret for ci\/rotation-\S+ failed: the new token failed its check \(.*push.*\); the new token \S+ was deleted, AWSPENDING was removed; AWSCURRENT is unchanged\.$/);
    const info = await describeSecret(name);
    expect(stageOf(info, 'AWSCURRENT')).toBe(first);
    expect(stageOf(info, 'AWSPENDING')).toBeUndefined();
    expect(byLabel(`dhc-rotation ${r.token}`)).toHaveLength(0);
    // The retried testSecret and finishSecret stop at the guard: nothing is pending any more.
    expect(r.outcomes.find((x) => x.step === 'finishSecret')!.errorMessage).toMatch(/is not AWSPENDING/);
    // The next rotation is not blocked by a stray stage: it starts, and its createSecret runs.
    const next = await rotate(name, { stopAfter: 'createSecret' });
    expect(next.outcomes[0]!.ok).toBe(true);
  });

  it('createSecret refused by Docker Hub (wrong admin password): nothing created, AWSCURRENT untouched; the retry after the fix creates one', async () => {
    const { name, admin, first } = await pat();
    await secrets.put(admin, JSON.stringify({ username: 'alice1', password: 'not-the-password-9x' }));
    const r = await rotate(name, { stopAfter: 'createSecret' });
    expect(r.outcomes[0]).toMatchObject({ ok: false });
    expect(r.outcomes[0]!.errorMessage).toMatch(/^createSecret for \S+ failed: signing in to Docker Hub as alice1 failed \(Docker Hub refused the password/);
    expect(byLabel(`dhc-rotation ${r.token}`)).toHaveLength(0);
    expect(stageOf(await describeSecret(name), 'AWSCURRENT')).toBe(first);
    await secrets.put(admin, JSON.stringify({ username: 'alice1', password: ADMIN_PASSWORD }));
    for (const event of driver.events(name, r.token)) expect((await driver.invoke(event)).ok).toBe(true);
    expect(byLabel(`dhc-rotation ${r.token}`)).toHaveLength(1);
    expect(stageOf(await describeSecret(name), 'AWSCURRENT')).toBe(r.token);
  });

  it('createSecret whose PutSecretValue answer is lost: the value is there, one token, and the retry creates nothing', async () => {
    const { name } = await pat();
    faults.fail({ target: 'PutSecretValue', mode: 'drop-after', count: 1 });
    const r = await rotate(name, { stopAfter: 'createSecret' });
    faults.restore();
    const again = await driver.invoke(driver.events(name, r.token)[0]);
    expect(again.ok).toBe(true);
    expect(byLabel(`dhc-rotation ${r.token}`)).toHaveLength(1);
    const info = await describeSecret(name);
    expect(info.versions[r.token]).toEqual(['AWSPENDING']);
    expect(hubFactsOf(info, r.token)?.id).toBe(byLabel(`dhc-rotation ${r.token}`)[0]!.hub!.id);
  });

  it('createSecret whose PutSecretValue times out: the new token is deleted; the retry creates exactly one', async () => {
    const { name, first } = await pat();
    faults.fail({ target: 'PutSecretValue', mode: 'hang', count: 10 });
    const r = await rotate(name, { stopAfter: 'createSecret' });
    faults.restore();
    expect(r.outcomes[0]!.ok).toBe(false);
    expect(r.outcomes[0]!.errorMessage).toMatch(/staging the new value failed .*the new token \S+ was deleted/);
    expect(byLabel(`dhc-rotation ${r.token}`)).toHaveLength(0);
    expect(stageOf(await describeSecret(name), 'AWSCURRENT')).toBe(first);
    for (const event of driver.events(name, r.token)) expect((await driver.invoke(event)).ok).toBe(true);
    expect(byLabel(`dhc-rotation ${r.token}`)).toHaveLength(1);
  });

  it('finishSecret whose answer is lost, and one that times out: decided from the stages, then retried', async () => {
    const { name, first } = await pat();
    faults.fail({ target: 'UpdateSecretVersionStage', mode: 'drop-after', count: 1 });
    const one = await rotate(name);
    faults.restore();
    allOk(one.outcomes);
    expect(stageOf(await describeSecret(name), 'AWSCURRENT')).toBe(one.token);

    faults.fail({ target: 'UpdateSecretVersionStage', mode: 'hang', count: 10 });
    const two = await rotate(name);
    faults.restore();
    const finish = two.outcomes.find((x) => x.step === 'finishSecret')!;
    expect(finish.ok).toBe(false);
    expect(finish.errorMessage).toMatch(/^finishSecret for \S+ failed: moving AWSCURRENT to version \S+ failed/);
    let info = await describeSecret(name);
    expect(stageOf(info, 'AWSCURRENT')).toBe(one.token);
    expect(info.versions[two.token]).toEqual(['AWSPENDING']);
    // Secrets Manager retries the step.
    expect((await driver.invoke(driver.events(name, two.token)[3])).ok).toBe(true);
    info = await describeSecret(name);
    expect(stageOf(info, 'AWSCURRENT')).toBe(two.token);
    expect(stageOf(info, 'AWSPREVIOUS')).toBe(one.token);
    expect(first).not.toBe(one.token);
  });

  it('the guard: rotation not enabled, or a version that is not pending, fails the step with one sentence', async () => {
    const { name, first } = await pat();
    const r = await driver.invoke({ Step: 'createSecret', SecretId: name, ClientRequestToken: randomUUID(), RotationToken: randomUUID() });
    expect(r.ok).toBe(false);
    expect(r.errorMessage).toMatch(/^createSecret for \S+ failed: rotation is not enabled on the secret\.$/);
    await rotate(name, { stopAfter: 'createSecret' });
    const stale = await driver.invoke({ Step: 'testSecret', SecretId: name, ClientRequestToken: first, RotationToken: randomUUID() });
    // The current version: the step is done.
    expect(stale.ok).toBe(true);
    expect(stale.log).toMatch(/already AWSCURRENT/);
  });
});
