// The token's record guards the next rotation (issue 21 items 3, 4, 6, 11, 13; issue 22 item 3;
// issue 24 item 3), unattended, against moto and the Docker Hub stand-in: a label that is not the
// current one, the repository remembered from setup, a drop in access refused without --yes,
// tags read by the rules they were written by, and expiry that cannot silently go unknown.
import { expect, it } from 'vitest';
import { DescribeSecretCommand, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { startFaultProxy } from '../support/fault-proxy.mjs';
import { REPOSITORY_TAG, encodeMeta, tagKey } from '../../src/domain/lifecycle.js';

const DAY = 86_400_000;
const dayFromNow = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

describeWith(['moto_server', 'docker'], 'the token record guards rotation: label, repository, access, expiry', () => {
  const w = useWorld();
  const setupArgs = (name: string, ...extra: string[]) => ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, ...extra];
  const rotateArgs = (name: string, ...extra: string[]) => ['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, ...extra];
  const current = async (name: string) => JSON.parse((await w.secrets.value(name))!).token as string;
  const tags = async (name: string) => Object.fromEntries(((await w.secrets.client.send(new DescribeSecretCommand({ SecretId: name }))).Tags ?? []).map((t) => [t.Key!, t.Value!]));
  const currentVersion = async (name: string) => Object.entries(await w.secrets.stages(name)).find(([, s]) => s.includes('AWSCURRENT'))![0];
  const tag = async (name: string, key: string, value: string) => w.secrets.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: key, Value: value }] }));
  const verifyJson = async (name: string, ...extra: string[]) => {
    const r = await w.run(['verify', '--secret-id', name, '--json', ...extra]);
    return { code: r.exitCode, out: JSON.parse(r.stdout) };
  };

  it('rotate refuses --label equal to the current token\'s, before anything is written; a new label is recorded', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await w.run(setupArgs(name, '--label', 'app-ci-2026-12', '--expires-in', '90d'), { input: w.rw.token })).exitCode).toBe(0);
    const before = await w.secrets.stages(name);
    const same = await w.run(rotateArgs(name, '--label', 'APP-ci-2026-12', '--expires-in', '90d'), { input: w.rw2.token });
    expect(same.exitCode).toBe(2);
    expect(same.stderr).toContain('The label "APP-ci-2026-12" is the current token\'s: with two tokens under one label, revoking the old one by its label could revoke the one CI uses.');
    expect(same.stderr).toMatch(/for example --label work-ci-\d{4}-\d{2}\)/);
    expect(same.stderr).not.toContain('Validating');
    expect(await w.secrets.stages(name)).toEqual(before);

    const other = await w.run(rotateArgs(name, '--label', 'app-ci-2027-01', '--expires-in', '90d'), { input: w.rw2.token });
    expect(other.exitCode, other.stderr).toBe(0);
    expect(other.stdout).toContain('The old token to revoke in Docker Hub: alice1, "app-ci-2026-12"');
    expect(other.stdout).not.toContain('share the label');
    expect((await verifyJson(name)).out.label).toBe('app-ci-2027-01');
  });

  it('the hand-over says plainly when two versions share the old token\'s label', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const first = await currentVersion(name);
    await w.secrets.put(name, JSON.stringify({ username: 'alice1', token: w.ro.token }));
    const second = await currentVersion(name);
    // Two versions recorded with one label, as an earlier version of the tool allowed.
    await tag(name, tagKey(first), encodeMeta({ label: 'shared-ci' }));
    await tag(name, tagKey(second), encodeMeta({ label: 'shared-ci' }));
    const r = await w.run(rotateArgs(name, '--label', 'fresh-ci'), { input: w.rw2.token });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`2 versions share the label "shared-ci" \\(also version ${first}\\): do not revoke by the label alone`));
    expect(JSON.parse((await w.run(rotateArgs(name, '--label', 'fresher-ci', '--json'), { input: w.rw.token })).stdout).oldToken).toMatchObject({ label: 'fresh-ci', sharesLabelWith: [] });
  });

  it('the repository given at setup is remembered: a Read-only token is refused by the push check (rotate and rotate --resume)', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await w.run(setupArgs(name, '--repository', 'alice1/app', '--expires-in', '90d'), { input: w.rw.token })).exitCode).toBe(0);
    expect((await tags(name))[REPOSITORY_TAG]).toBe('alice1/app');

    const r = await w.run(rotateArgs(name, '--expires-in', '90d'), { input: w.ro.token });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('alice1/app');
    expect(r.stdout).not.toContain('Rotated');
    expect(await current(name)).toBe(w.rw.token);

    await w.secrets.stagePending(name, JSON.stringify({ username: 'alice1', token: w.ro.token }));
    const resumed = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--resume', '--yes']);
    expect(resumed.exitCode, resumed.stderr).toBe(3);
    expect(resumed.stderr).toContain('alice1/app');
    expect(await current(name)).toBe(w.rw.token);
  });

  it('rotate --resume keeps the guards of a new token: a change of account is said, and the pending label must differ', async () => {
    const resume = (name: string, ...extra: string[]) => ['rotate', '--non-interactive', '--secret-id', name, '--resume', '--yes', ...extra];
    const pendingVersion = async (name: string) => Object.entries(await w.secrets.stages(name)).find(([, s]) => s.includes('AWSPENDING'))![0];
    // A pending value staged for another Docker ID: --yes goes on, but not without saying so.
    const other = uniqueName();
    await w.secrets.create(other);
    expect((await w.run(setupArgs(other, '--expires-in', '90d'), { input: w.rw.token })).exitCode).toBe(0);
    await w.secrets.stagePending(other, JSON.stringify({ username: 'bobby2', token: w.bob.token }));
    const moved = await w.run(resume(other, '--expires-in', '90d'));
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(moved.stderr).toContain('This rotation changes the account CI uses: from alice1 to bobby2.');

    // A pending version recorded with the current token's label is refused before Docker Hub is asked.
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await w.run(setupArgs(name, '--label', 'app-ci-a', '--expires-in', '90d'), { input: w.rw.token })).exitCode).toBe(0);
    await w.secrets.stagePending(name, JSON.stringify({ username: 'alice1', token: w.rw2.token }));
    await tag(name, tagKey(await pendingVersion(name)), encodeMeta({ label: 'APP-ci-a', expires: dayFromNow(90) }));
    const before = await w.secrets.stages(name);
    const calls = w.hub.requests.length;
    const same = await w.run(resume(name));
    expect(same.exitCode, same.stderr).toBe(2);
    expect(same.stderr).toContain('The label "APP-ci-a" is the current token\'s');
    expect(w.hub.requests.length, 'Docker Hub was asked').toBe(calls);
    expect(await w.secrets.stages(name)).toEqual(before);
    // A label of its own, given with --label, goes on.
    const own = await w.run(resume(name, '--label', 'app-ci-b'));
    expect(own.exitCode, own.stderr).toBe(0);
    expect((await verifyJson(name)).out.label).toBe('app-ci-b');
  });

  it('push that can no longer be checked, or a lower access level, is refused unattended without --yes, and goes on with it', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await w.run(setupArgs(name, '--repository', 'alice1/app', '--expires-in', '90d'), { input: w.rw.token })).exitCode).toBe(0);
    // The registry now offers only Basic authentication: push rights cannot be read from a token.
    w.hub.switches.challenge = 'basic';
    const before = await w.secrets.stages(name);
    const refused = await w.run(rotateArgs(name, '--expires-in', '90d'), { input: w.rw2.token });
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toContain("Push rights to alice1/app could not be checked for the new token, but were for the current one, so CI's pushes may fail.");
    expect(refused.stderr).toContain('Not rotated: the new token may not do what CI does now');
    expect(refused.stderr).toContain('add --yes');
    expect(await w.secrets.stages(name)).toEqual(before);

    const yes = await w.run(rotateArgs(name, '--expires-in', '90d', '--yes'), { input: w.rw2.token });
    expect(yes.exitCode, yes.stderr).toBe(0);
    expect(await current(name)).toBe(w.rw2.token);
    w.hub.switches.challenge = 'bearer';

    // A secret whose record says Read & Write with push checked, and no repository remembered.
    const legacy = uniqueName();
    await w.secrets.create(legacy, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    await tag(legacy, tagKey(await currentVersion(legacy)), encodeMeta({ access: 'Read & Write', push: true }));
    const drop = await w.run(rotateArgs(legacy, '--expires-in', '90d'), { input: w.ro.token });
    expect(drop.exitCode, drop.stderr).toBe(2);
    expect(drop.stderr).toContain("The new token's access level is Read-only, lower than the current token's Read & Write.");
    expect(await current(legacy)).toBe(w.rw.token);
  });

  it('setup replacing a token keeps rotate\'s guards: a drop in access is refused unattended even with --yes, and the label must differ', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await w.run(setupArgs(name, '--repository', 'alice1/app', '--label', 'app-ci-a', '--expires-in', '90d'), { input: w.rw.token })).exitCode).toBe(0);
    const before = await w.secrets.stages(name);
    // A Read-only token replacing a Read & Write one, the remembered repository not given: not a silent downgrade.
    const down = await w.run(setupArgs(name, '--yes', '--expires-in', '90d'), { input: w.ro.token });
    expect(down.exitCode, down.stderr).toBe(2);
    expect(down.stderr).toContain("The new token's access level is Read-only, lower than the current token's Read & Write.");
    expect(down.stderr).toContain('Push rights to alice1/app were checked for the current token, but not for the new one');
    expect(down.stderr).toContain('Not stored: the new token may not do what CI does now');
    expect(down.stderr).toMatch(/to replace the token anyway: npx dockerhub-credentials rotate --secret-id \S+ (--region \S+ )?--token-stdin --yes/);
    expect(down.stdout + down.stderr).not.toMatch(/Stored as|Done\./);
    expect(await w.secrets.stages(name)).toEqual(before);
    expect(await current(name)).toBe(w.rw.token);

    // The current token's label given to another token is refused before Docker Hub is asked.
    const calls = w.hub.requests.length;
    const same = await w.run(setupArgs(name, '--yes', '--repository', 'alice1/app', '--label', 'APP-ci-a'), { input: w.rw2.token });
    expect(same.exitCode).toBe(2);
    expect(same.stderr).toContain('The label "APP-ci-a" is the current token\'s');
    expect(w.hub.requests.length, 'Docker Hub was asked').toBe(calls);
    expect(await w.secrets.stages(name)).toEqual(before);

    // The same token stored again is neither: it does what it did, under its own label.
    const again = await w.run(setupArgs(name, '--yes', '--label', 'app-ci-a', '--expires-in', '90d'), { input: w.rw.token });
    expect(again.exitCode, again.stderr).toBe(0);
    // Another Read & Write token with push checked goes on.
    const ok = await w.run(setupArgs(name, '--yes', '--repository', 'alice1/app', '--label', 'app-ci-b', '--expires-in', '90d'), { input: w.rw2.token });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(await current(name)).toBe(w.rw2.token);
  });

  it('rotating away from an organization token points to the Admin Console, not the personal tokens page', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'acmeorg', token: w.oat.token }));
    const r = await w.run(rotateArgs(name, '--username', 'acmeorg', '--expires-in', '90d'), { input: w.oat2.token });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('select the organization, then Admin Console > Access tokens');
    expect(r.stdout).not.toContain('settings/personal-access-tokens');
  });

  it('tags that break the rules they were written by are unknown, with a warning: no "NaN days", and --require-expiry still fires', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const id = await currentVersion(name);
    const raw = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    await tag(name, tagKey(id), raw({ e: '2026-13-45', l: 'ok\u001b[2Jfake' }));
    const human = await w.run(['verify', '--secret-id', name]);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).not.toContain('NaN');
    expect(human.stdout).toMatch(/expiry: +unknown/);
    expect(human.stdout).toMatch(/label: +unknown/);
    expect(human.stdout + human.stderr).not.toContain('fake');
    expect(human.stderr).toContain('The expiry and label recorded for this version are not valid');
    const { code, out } = await verifyJson(name, '--fail-when-due', '--require-expiry');
    expect(code).toBe(6);
    expect(out).toMatchObject({ expiresAt: null, daysLeft: null, label: null, expiryKnown: false, rotationDue: true });

    await tag(name, tagKey(id), 'not-base64-json');
    expect((await verifyJson(name)).out.warnings.join(' ')).toContain('not valid');
    await tag(name, REPOSITORY_TAG, 'Not A Repo');
    const rot = await w.run(rotateArgs(name, '--expires-in', '90d'), { input: w.rw2.token });
    expect(rot.exitCode, rot.stderr).toBe(0);
    expect(rot.stderr).not.toContain('Not A Repo');
  });

  it('unknown expiry: verify warns; --require-expiry exits 6; unattended rotate without an expiry says so', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const stored = await w.run(setupArgs(name), { input: w.rw.token });
    expect(stored.stderr).toContain('No expiry was given (--expires-in or --expires-at)');
    const human = await w.run(['verify', '--secret-id', name, '--fail-when-due']);
    expect(human.exitCode).toBe(0);
    expect(human.stderr).toContain("The token's expiry is unknown");
    expect((await verifyJson(name, '--fail-when-due')).code).toBe(0);
    expect((await verifyJson(name, '--require-expiry')).code).toBe(6);
    expect((await verifyJson(name, '--fail-when-due', '--require-expiry')).code).toBe(6);

    expect((await w.run(rotateArgs(name, '--expires-in', 'never'), { input: w.rw2.token })).exitCode).toBe(0);
    const never = await verifyJson(name, '--fail-when-due', '--require-expiry');
    expect(never.code).toBe(0);
    expect(never.out.warnings).toEqual([]);
  });

  it('a 30-day token is not due the day it is stored; more than a year ahead is refused', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await w.run(setupArgs(name, '--expires-in', '30d'), { input: w.rw.token })).exitCode).toBe(0);
    const { code, out } = await verifyJson(name, '--fail-when-due');
    expect(code).toBe(0);
    expect(out.rotationDue).toBe(false);
    // An explicit --warn-days still wins.
    expect((await verifyJson(name, '--fail-when-due', '--warn-days', '30')).code).toBe(6);
    // The text headline says what exit 6 says: no ✓ above a failing exit (stranger trial, session 3).
    const text = await w.run(['verify', '--secret-id', name, '--fail-when-due', '--warn-days', '30']);
    expect(text.exitCode).toBe(6);
    expect(text.stdout.split('\n')[0]).toMatch(new RegExp(`^! ${name}.*: rotation due$`));

    const far = await w.run(setupArgs(uniqueName(), '--expires-at', dayFromNow(400)), { input: w.rw.token });
    expect(far.exitCode).toBe(2);
    expect(far.stderr).toContain('is more than a year away, and a Docker Hub token expires within a year at most.');
  });

  it('"last changed" is when AWSCURRENT\'s version was written, not when a stage last moved', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    // A stage written now moves LastChangedDate; the current version itself is made to look 3 days old.
    await w.secrets.stagePending(name, JSON.stringify({ username: 'alice1', token: w.rw2.token }));
    const proxy = await startFaultProxy(w.moto.url);
    try {
      void proxy.fail({ target: 'GetSecretValue', mode: 'rewrite', count: Infinity, rewrite: (a: { CreatedDate: number }) => ({ ...a, CreatedDate: a.CreatedDate - 3 * 86400 }) });
      const env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url };
      const json = JSON.parse((await w.run(['verify', '--secret-id', name, '--json'], { env })).stdout);
      expect(Math.round((Date.now() - Date.parse(json.lastChanged)) / DAY)).toBe(3);
      expect((await w.run(['verify', '--secret-id', name], { env })).stdout).toMatch(/last changed: +\S+ \S+ UTC \(3 days ago\)/);
    } finally {
      await proxy.stop();
    }
  });
});
