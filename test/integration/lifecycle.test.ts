// The token's lifecycle against moto and the stand-in: expiry and label recorded
// with each version, verify's dates and --fail-when-due, rollback bringing the old
// ones back, history, and the rotation hand-over naming the token to revoke.
import { expect, it } from 'vitest';
import { TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { encodeMeta, tagKey } from '../../src/domain/lifecycle.js';

const DAY = 86_400_000;
const dayFromNow = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

describeWith(['moto_server', 'docker'], 'token lifecycle: expiry, label, rotation due, history', () => {
  const w = useWorld();
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });
  const setup = (name: string, ...extra: string[]) => w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, ...extra], { input: w.rw.token });
  const verifyJson = async (name: string, ...extra: string[]) => {
    const r = await w.run(['verify', '--secret-id', name, '--json', ...extra]);
    return { code: r.exitCode, out: JSON.parse(r.stdout), stderr: r.stderr };
  };
  /** Records metadata for the current version directly, as if stored long ago. */
  const plantMeta = async (name: string, meta: { expires?: string; label?: string }) => {
    const stages = await w.secrets.stages(name);
    const current = Object.entries(stages).find(([, s]) => s.includes('AWSCURRENT'))![0];
    await w.secrets.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: tagKey(current), Value: encodeMeta(meta) }] }));
  };

  it('setup --expires-in 90d --label: verify shows the date, 90 days left, the label, and no rotation due', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await setup(name, '--expires-in', '90d', '--label', 'app-ci-2026-11')).exitCode).toBe(0);
    const { code, out } = await verifyJson(name);
    expect(code).toBe(0);
    expect(out.expiresAt).toBe(dayFromNow(90));
    expect(Math.abs(out.daysLeft - 90)).toBeLessThanOrEqual(1);
    expect(out).toMatchObject({ label: 'app-ci-2026-11', rotationDue: false, ok: true });

    const human = await w.run(['verify', '--secret-id', name]);
    expect(human.stdout).toMatch(new RegExp(`expires: +${dayFromNow(90)} \\(in 9[01] days\\)`));
    expect(human.stdout).toMatch(/label: +app-ci-2026-11/);

    // A wider warning window makes the rotation due: a warning, still exit 0; --fail-when-due turns it into exit 6.
    const due = await verifyJson(name, '--warn-days', '120');
    expect(due.code).toBe(0);
    expect(due.out.rotationDue).toBe(true);
    expect(due.out.warnings.join(' ')).toMatch(/The token expires in 9[01] days .*rotate it before then/);
    expect((await verifyJson(name, '--warn-days', '120', '--fail-when-due')).code).toBe(6);
    expect((await verifyJson(name, '--fail-when-due')).code).toBe(0);
  });

  it('without expiry or label: "expiry: unknown", nulls in JSON, never due', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await setup(name)).exitCode).toBe(0);
    const { code, out } = await verifyJson(name, '--fail-when-due', '--warn-days', '9999');
    expect(code).toBe(0);
    expect(out).toMatchObject({ expiresAt: null, daysLeft: null, label: null, rotationDue: false });
    expect((await w.run(['verify', '--secret-id', name])).stdout).toMatch(/expiry: +unknown/);

    const never = uniqueName();
    await w.secrets.create(never);
    expect((await setup(never, '--expires-in', 'never')).exitCode).toBe(0);
    expect((await w.run(['verify', '--secret-id', never])).stdout).toMatch(/expires: +never \(no expiry was set\)/);
  });

  it('a recorded expiry in the past exits 3 and says to rotate, without --live', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await plantMeta(name, { expires: dayFromNow(-3), label: 'old-ci' });
    const { code, out } = await verifyJson(name);
    expect(code).toBe(3);
    expect(out.ok).toBe(false);
    expect(out.rotationDue).toBe(true);
    expect(out.problems.join(' ')).toMatch(new RegExp(`The token expired on ${dayFromNow(-3)}; rotate it`));
  });

  it("with --live, Docker Hub's expired answer is reported as expiry whatever the recorded date says", async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.expired.token));
    await plantMeta(name, { expires: dayFromNow(200) });
    const { code, out } = await verifyJson(name, '--live');
    expect(code).toBe(3);
    expect(out.rotationDue).toBe(true);
    expect(out.problems.join(' ')).toMatch(/has expired/);
  });

  it('rotate records the new expiry and label, names the old token to revoke; rollback brings the old ones back', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await setup(name, '--expires-in', '90d', '--label', 'a')).exitCode).toBe(0);
    const r = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--expires-in', '30d', '--label', 'b'], { input: w.rw2.token });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`The old token to revoke in Docker Hub: alice1, "a", expires ${dayFromNow(90)}, stored \\d{4}-`));
    expect(r.stdout).toContain('Revoke it only after CI has used the new one');
    let v = (await verifyJson(name)).out;
    expect(v).toMatchObject({ label: 'b', expiresAt: dayFromNow(30) });

    expect((await w.run(['rollback', '--non-interactive', '--secret-id', name, '--yes'])).exitCode).toBe(0);
    v = (await verifyJson(name)).out;
    expect(v).toMatchObject({ label: 'a', expiresAt: dayFromNow(90) });
  });

  it('the hand-over says how to find an old token whose label was never recorded', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const r = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name], { input: w.rw2.token });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/alice1, label unknown, stored/);
    expect(r.stdout).toContain('Docker Hub lists tokens with their last-used dates');
  });

  it('metadata of versions that no longer exist is pruned on the next write', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const gone = '0b1c2d3e-0000-4000-8000-000000000000';
    await w.secrets.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: tagKey(gone), Value: encodeMeta({ label: 'gone' }) }] }));
    expect((await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'new'], { input: w.rw2.token })).exitCode).toBe(0);
    const { DescribeSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    const tags = (await w.secrets.client.send(new DescribeSecretCommand({ SecretId: name }))).Tags ?? [];
    expect(tags.map((t) => t.Key)).not.toContain(tagKey(gone));
    expect(tags.filter((t) => t.Key?.startsWith('dockerhub-credentials:version:'))).toHaveLength(1);
  });

  it('history lists every version, newest first, with stages, usernames and lengths, never a token', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await setup(name, '--expires-in', '90d', '--label', 'first')).exitCode).toBe(0);
    expect((await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'second'], { input: w.rw2.token })).exitCode).toBe(0);
    await w.secrets.stagePending(name, 'not json at all');

    const r = await w.run(['history', '--secret-id', name, '--json']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.total).toBe(3);
    const [pending, current, previous] = out.versions;
    expect(pending).toMatchObject({ stages: ['AWSPENDING'], username: null, problem: expect.stringMatching(/not JSON/) });
    expect(current).toMatchObject({ stages: ['AWSCURRENT'], username: 'alice1', tokenLength: 36, label: 'second', expiry: 'unknown', sameAsCurrent: true });
    expect(previous).toMatchObject({ stages: ['AWSPREVIOUS'], username: 'alice1', tokenLength: 36, label: 'first', expiresAt: dayFromNow(90), sameAsCurrent: false });
    for (const t of [w.rw.token, w.rw2.token]) expect(r.stdout).not.toContain(t.slice(9, 15));

    const limited = await w.run(['history', '--secret-id', name, '--limit', '1']);
    expect(limited.stdout).toMatch(/3 versions, newest 1 shown/);
    expect(limited.stdout).toContain('not a credential');
    expect((await w.run(['history', '--secret-id', name, '--limit', '0'])).exitCode).toBe(2);
  });

  it('bad lifecycle flags are usage errors before anything is written', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    for (const extra of [['--expires-in', '45d'], ['--expires-at', '2020-01-01'], ['--expires-at', '2027-02-30'], ['--expires-at', dayFromNow(30), '--expires-in', '30d']]) {
      const r = await setup(name, ...extra);
      expect(r.exitCode, extra.join(' ')).toBe(2);
    }
    expect(await w.secrets.stages(name)).toEqual({});
  });
});
