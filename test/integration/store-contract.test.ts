// One contract, two Secrets Managers: moto (real) and the in-memory one the
// in-process tests use (test/support/memory-secrets.ts). Every case runs on
// both through the store interface the commands use, so the in-memory one
// cannot drift from what moto does.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { startMoto } from '../support/moto.mjs';
import { REGION, TestSecrets, awsEnv, uniqueName } from '../support/aws.js';
import { MemorySecretsManager } from '../support/memory-secrets.js';
import { AwsSecretStore, type SecretStore } from '../../src/aws/store.js';
import { isCliError } from '../../src/errors.js';

interface Backend {
  open(secretId: string): Promise<SecretStore>;
  create(name: string, value?: string): Promise<void>;
  scheduleDeletion(name: string): Promise<void>;
}

const TIMEOUTS = { connectMs: 5000, requestMs: 10_000, totalMs: 20_000 };

function contract(title: string, backend: () => Backend) {
  describe(title, () => {
    const fresh = async (value?: string) => {
      const name = uniqueName('contract/secret');
      await backend().create(name, value);
      return { name, store: await backend().open(name) };
    };
    // Labelled versions only: AWS leaves a version without labels out of DescribeSecret, moto lists it with none.
    const labels = async (store: SecretStore) =>
      Object.fromEntries(Object.entries((await store.describe()).versions).filter(([, v]) => v.length).map(([k, v]) => [k, [...v].sort()]));
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'ok';
      } catch (e) {
        return isCliError(e) ? e.code : `not a CliError: ${String(e)}`;
      }
    };

    it('a secret created without a value has no versions, and reading AWSCURRENT is secret-not-found', async () => {
      const { store } = await fresh();
      expect((await store.describe()).versions).toEqual({});
      expect(await codeOf(store.get({ stage: 'AWSCURRENT' }))).toBe('secret-not-found');
    });

    it('a plain put makes the new version AWSCURRENT and the old one AWSPREVIOUS, and AWSPREVIOUS moves along', async () => {
      const { store } = await fresh('v1');
      const first = Object.keys((await store.describe()).versions)[0]!;
      const second = await store.put('v2', randomUUID());
      expect(await labels(store)).toEqual({ [first]: ['AWSPREVIOUS'], [second]: ['AWSCURRENT'] });
      const third = await store.put('v3', randomUUID());
      // The first version keeps no label.
      expect(await labels(store)).toEqual({ [second]: ['AWSPREVIOUS'], [third]: ['AWSCURRENT'] });
      expect((await store.get({ stage: 'AWSPREVIOUS' })).secretString).toBe('v2');
      expect((await store.get({ versionId: first })).secretString).toBe('v1');
    });

    it('the first version of a secret is AWSCURRENT', async () => {
      const { store } = await fresh();
      const id = await store.put('v1', randomUUID());
      expect(await labels(store)).toEqual({ [id]: ['AWSCURRENT'] });
    });

    it('staging as AWSPENDING leaves AWSCURRENT where it was', async () => {
      const { store } = await fresh('v1');
      const current = Object.keys((await store.describe()).versions)[0]!;
      const pending = await store.put('v2', randomUUID(), ['AWSPENDING']);
      expect(await labels(store)).toEqual({ [current]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
      expect((await store.get({ stage: 'AWSPENDING' })).secretString).toBe('v2');
    });

    // (Another value under a used token is refused by AWS but accepted by moto: the tool never sends one, so it is no part of the contract.)
    it('ClientRequestToken: the same request again writes no second version', async () => {
      const { store } = await fresh('v1');
      const token = randomUUID();
      const id = await store.put('v2', token, ['AWSPENDING']);
      expect(id).toBe(token);
      expect(await store.put('v2', token, ['AWSPENDING'])).toBe(token);
      expect((await store.listVersions(store.secretId)).length).toBe(2);
      expect((await store.get({ versionId: token })).secretString).toBe('v2');
    });

    it('compare-and-swap: AWSCURRENT moves only when RemoveFromVersionId names where it is; AWSPREVIOUS follows', async () => {
      const { store } = await fresh('v1');
      const current = Object.keys((await store.describe()).versions)[0]!;
      const pending = await store.put('v2', randomUUID(), ['AWSPENDING']);
      const before = await labels(store);
      // Naming the wrong version (another run moved it) is refused and changes nothing.
      expect(await codeOf(store.moveStage('AWSCURRENT', { to: pending, from: pending }))).not.toBe('ok');
      expect(await codeOf(store.moveStage('AWSCURRENT', { to: pending }))).not.toBe('ok');
      expect(await labels(store)).toEqual(before);
      await store.moveStage('AWSCURRENT', { to: pending, from: current });
      expect(await labels(store)).toEqual({ [current]: ['AWSPREVIOUS'], [pending]: ['AWSCURRENT', 'AWSPENDING'] });
      // The same move again (a retried call whose answer was lost) is refused: AWSCURRENT is no longer on `current`.
      expect(await codeOf(store.moveStage('AWSCURRENT', { to: pending, from: current }))).not.toBe('ok');
      await store.moveStage('AWSPENDING', { from: pending });
      expect(await labels(store)).toEqual({ [current]: ['AWSPREVIOUS'], [pending]: ['AWSCURRENT'] });
    });

    it('a rollback move: AWSCURRENT back to AWSPREVIOUS swaps the two', async () => {
      const { store } = await fresh('v1');
      const first = Object.keys((await store.describe()).versions)[0]!;
      const second = await store.put('v2', randomUUID());
      await store.moveStage('AWSCURRENT', { to: first, from: second });
      expect(await labels(store)).toEqual({ [first]: ['AWSCURRENT'], [second]: ['AWSPREVIOUS'] });
    });

    it('version listing includes versions without a label', async () => {
      const { store } = await fresh('v1');
      const ids = [Object.keys((await store.describe()).versions)[0]!];
      for (const v of ['v2', 'v3']) ids.push(await store.put(v, randomUUID()));
      const listed = await store.listVersions(store.secretId);
      expect(listed.map((v) => v.versionId).sort()).toEqual([...ids].sort());
      const byId = Object.fromEntries(listed.map((v) => [v.versionId, [...v.stages].sort()]));
      expect(byId[ids[0]!]).toEqual([]);
      expect(byId[ids[2]!]).toEqual(['AWSCURRENT']);
      expect(listed.every((v) => v.created instanceof Date)).toBe(true);
      expect(await store.versionExists(ids[0]!)).toBe(true);
      expect(await store.versionExists(randomUUID())).toBe(false);
    });

    it('tags: set, overwritten, removed, read back by DescribeSecret', async () => {
      const { store } = await fresh('v1');
      await store.tag({ a: '1', b: '2' });
      await store.tag({ b: '3' });
      expect((await store.describe()).tags).toEqual({ a: '1', b: '3' });
      await store.untag(['a']);
      expect((await store.describe()).tags).toEqual({ b: '3' });
    });

    it('a missing secret is secret-not-found for reads and writes; a close name is offered', async () => {
      const { name } = await fresh('v1');
      const missing = await backend().open(`${name}x`);
      expect(await codeOf(missing.describe())).toBe('secret-not-found');
      expect(await codeOf(missing.get({ stage: 'AWSCURRENT' }))).toBe('secret-not-found');
      expect(await codeOf(missing.put('v', randomUUID()))).toBe('secret-not-found');
      expect((await missing.closeNames(`${name}x`, 100)).names).toContain(name);
    });

    it('a secret scheduled for deletion: describe shows it, describeLive and reads refuse it', async () => {
      const { name, store } = await fresh('v1');
      await backend().scheduleDeletion(name);
      expect((await store.describe()).deleted).toBeInstanceOf(Date);
      expect(await codeOf(store.describeLive())).toBe('secret-deleted');
      expect(await codeOf(store.get({ stage: 'AWSCURRENT' }))).toBe('secret-deleted');
    });
  });
}

describeWith(['moto_server'], 'the store contract', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let admin: TestSecrets;
  beforeAll(async () => {
    moto = await startMoto();
    admin = new TestSecrets(moto.url);
    // The SDK reads credentials from this process's environment (the store's env carries the endpoint).
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  });
  afterAll(async () => {
    await moto?.stop();
  });
  contract('on moto', () => ({
    open: (secretId) => AwsSecretStore.open({ secretId, env: awsEnv(moto.url), region: REGION, timeouts: TIMEOUTS }),
    create: async (name, value) => void (await admin.create(name, value)),
    scheduleDeletion: (name) => admin.scheduleDeletion(name),
  }));

  const memory = new MemorySecretsManager();
  contract('in memory', () => ({
    open: (secretId) => memory.open({ secretId, env: {}, timeouts: TIMEOUTS }),
    create: async (name, value) => void (await memory.create(name, value)),
    scheduleDeletion: (name) => memory.scheduleDeletion(name),
  }));
});
