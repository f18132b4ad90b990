// The write commands' control flow, as CI and scripts meet it: a re-run that writes
// nothing, alias keys repaired without a new token (rotate --same-token), checks
// that come before any network call, and JSON that agrees with the exit code.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useFaultProxy, useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'docker'], 're-runs, same-token repairs and early checks', () => {
  const w = useWorld();
  const faults = useFaultProxy(w);
  const value = (token: string, extra: Record<string, string> = {}) => JSON.stringify({ username: 'alice1', token, ...extra });
  const rotate = (name: string, ...extra: string[]) => ['rotate', '--non-interactive', '--secret-id', name, ...extra];
  const hubCalls = () => w.hub.requests.length;

  /** setup with PAT A through the CLI, with an expiry and a label, as a team would start. */
  async function setUpWithA(): Promise<{ name: string; result: unknown }> {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--expires-in', '90d', '--label', 'app-ci-a', '--json'], { input: w.rw.token });
    expect(r.exitCode, r.stderr).toBe(0);
    return { name, result: JSON.parse(r.stdout) };
  }

  it('a re-run of a successful rotate (same token, already current) exits 0, writes nothing and asks Docker Hub nothing', async () => {
    const { name, result } = await setUpWithA();
    // setup's result echoes what it recorded.
    expect(result).toMatchObject({ ok: true, label: 'app-ci-a', expiresAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const first = await w.run([...rotate(name, '--token-stdin', '--consumers', 'ecs', '--expires-in', '30d', '--label', 'app-ci-b'), '--json'], { input: w.rw2.token });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, written: true, alreadyCurrent: false, label: 'app-ci-b', expiresAt: expect.stringMatching(/^\d{4}-/) });

    const stages = await w.secrets.stages(name);
    const calls = hubCalls();
    const again = await w.run([...rotate(name, '--token-stdin', '--consumers', 'ecs', '--expires-in', '30d', '--label', 'app-ci-b'), '--json'], { input: w.rw2.token });
    expect(again.exitCode, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout);
    expect(out).toMatchObject({ ok: true, written: false, alreadyCurrent: true, username: 'alice1', tokenLength: 36, label: 'app-ci-b', problems: [] });
    expect(out.currentVersionId).toBe(Object.entries(stages).find(([, st]) => st.includes('AWSCURRENT'))![0]);
    const text = await w.run(rotate(name, '--token-stdin'), { input: w.rw2.token });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/✓ Already current\. .* holds this token \(alice1, 36 characters, version [\w-]+\); nothing was written\./);
    expect(text.stdout + text.stderr).not.toMatch(/revoke|Rotated/i);
    expect(hubCalls(), 'Docker Hub was asked').toBe(calls);
    expect(await w.secrets.stages(name)).toEqual(stages);
  });

  it('the current token with a consumer whose key is missing is refused with --same-token as the fix; --same-token writes the key as a staged version', async () => {
    const { name } = await setUpWithA();
    const stages = await w.secrets.stages(name);
    const calls = hubCalls();
    const refused = await w.run(rotate(name, '--token-stdin', '--consumers', 'ecs'), { input: w.rw.token });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/That is the token already stored, but the value's "password" must be added or rewritten for ecs\./);
    expect(refused.stderr).toMatch(/To rewrite the value without a new token: npx dockerhub-credentials rotate --secret-id \S+ (--region \S+ )?--same-token --consumers ecs$/m);
    expect(hubCalls()).toBe(calls);
    expect(await w.secrets.stages(name)).toEqual(stages);

    const before = await w.secrets.value(name);
    const repaired = await w.run([...rotate(name, '--same-token', '--consumers', 'ecs'), '--json']);
    expect(repaired.exitCode, repaired.stdout).toBe(0);
    const out = JSON.parse(repaired.stdout);
    expect(out).toMatchObject({ ok: true, written: true, sameToken: true, aliasKeys: ['password'], oldToken: null, label: 'app-ci-a' });
    expect(JSON.parse((await w.secrets.value(name))!)).toEqual({ username: 'alice1', token: w.rw.token, password: w.rw.token });
    expect(await w.secrets.value(name, 'AWSPREVIOUS')).toBe(before);
    expect(Object.values(await w.secrets.stages(name)).some((st) => st.includes('AWSPENDING'))).toBe(false);
    expect((await w.run(['verify', '--secret-id', name, '--consumers', 'ecs'])).exitCode).toBe(0);
    // The expiry and label stay with the token.
    expect(JSON.parse((await w.run(['verify', '--secret-id', name, '--json'])).stdout)).toMatchObject({ label: 'app-ci-a' });

    // Run again: nothing is left to write.
    const again = await w.run(rotate(name, '--same-token', '--consumers', 'ecs,batch'));
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing was written');

    // An alias edited by hand is rewritten too, staged like any write; no revoke advice, since CI keeps the same token.
    const edited = uniqueName();
    await w.secrets.create(edited, value(w.rw.token, { password: 'edited-by-hand' }));
    const drifted = await w.run(rotate(edited, '--same-token'));
    expect(drifted.exitCode, drifted.stderr).toBe(0);
    expect(drifted.stderr, drifted.stdout).toContain('Validating the stored token against Docker Hub');
    expect(drifted.stderr).toContain('Staged as AWSPENDING');
    expect(drifted.stdout).toMatch(/✓ Rewritten\. The token is unchanged \(alice1, 36 characters\); the value now also holds password\./);
    expect(drifted.stdout).toContain('Nothing to revoke in Docker Hub');
    expect(drifted.stdout).not.toMatch(/old token to revoke/);
    expect(JSON.parse((await w.secrets.value(edited))!).password).toBe(w.rw.token);
  });

  it('rotate --same-token takes --label (the current one included) and an expiry: recorded for the rewritten version, or for the current one when nothing is rewritten', async () => {
    const { name } = await setUpWithA();
    const verify = async () => JSON.parse((await w.run(['verify', '--secret-id', name, '--json'])).stdout);
    const expiry = new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10);
    // The current label is not "another token under one label": it is the same token.
    const same = await w.run([...rotate(name, '--same-token', '--consumers', 'ecs', '--label', 'app-ci-a', '--expires-at', expiry), '--json']);
    expect(same.exitCode, same.stdout + same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ ok: true, written: true, sameToken: true, label: 'app-ci-a', expiresAt: expiry });
    expect(await verify()).toMatchObject({ label: 'app-ci-a', expiresAt: expiry });
    // Nothing to rewrite: no new version, but the given label, then the given expiry, are recorded on the current one.
    const stages = await w.secrets.stages(name);
    const relabel = await w.run(rotate(name, '--same-token', '--label', 'app-ci-renamed'));
    expect(relabel.exitCode, relabel.stderr).toBe(0);
    expect(relabel.stdout).toMatch(/nothing was written; the given label is recorded for version [\w-]+\./);
    expect(await verify()).toMatchObject({ label: 'app-ci-renamed', expiresAt: expiry });
    const later = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const record = await w.run(rotate(name, '--same-token', '--expires-at', later));
    expect(record.exitCode, record.stderr).toBe(0);
    expect(record.stdout).toMatch(/nothing was written; the given expiry is recorded for version [\w-]+\./);
    expect(await w.secrets.stages(name)).toEqual(stages);
    expect(await verify()).toMatchObject({ label: 'app-ci-renamed', expiresAt: later });
  });

  it('rotate --discard-pending with nothing pending is exit 2, like --resume, and writes nothing', async () => {
    const { name } = await setUpWithA();
    const stages = await w.secrets.stages(name);
    const r = await w.run(rotate(name, '--token-stdin', '--discard-pending', '--yes'), { input: w.rw2.token });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Nothing is pending for .*, so there is nothing to discard\./);
    expect(await w.secrets.stages(name)).toEqual(stages);
  });

  it('rotate --resume refuses a pending value that lacks a declared consumer\'s key, before asking Docker Hub', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token, { password: w.rw.token }));
    await w.secrets.stagePending(name, value(w.rw2.token));
    const stages = await w.secrets.stages(name);
    const calls = hubCalls();
    const r = await w.run([...rotate(name, '--resume', '--yes', '--consumers', 'ecs'), '--json']);
    expect(r.exitCode).toBe(4);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('pending-lacks-alias');
    expect(err.message).toMatch(/The pending value lacks "password", which ecs reads, so making it current would break it\./);
    expect(err.hint).toContain('--discard-pending');
    expect(hubCalls()).toBe(calls);
    expect(await w.secrets.stages(name)).toEqual(stages);
  });

  it('unattended, a confirmation that only --yes can give is asked for before any call to AWS or Docker Hub', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.put(name, value(w.rw2.token));
    const calls = hubCalls();
    const env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url };
    faults().state.seen.length = 0;
    const rb = await w.run(['rollback', '--non-interactive', '--secret-id', name], { env });
    expect(rb.exitCode).toBe(2);
    expect(rb.stderr).toMatch(/Rollback needs a confirmation: no answer without a terminal\.\n {2}Pass --yes\./);
    const resume = await w.run(rotate(name, '--resume'), { env });
    expect(resume.exitCode).toBe(2);
    expect(resume.stderr).toMatch(/--resume promotes the pending value, which needs a confirmation: no answer without a terminal\.\n {2}Pass --yes\./);
    // Listed with the other missing answers, in one message.
    const both = await w.run(['rollback', '--non-interactive'], { env });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/2 answers are missing or invalid: No secret id was given\. Rollback needs a confirmation: no answer without a terminal\./);
    expect(faults().state.seen, 'AWS calls before the refusal').toEqual([]);
    // A change of account needs only the stored value, read first: Docker Hub is not asked.
    const other = await w.run(rotate(name, '--token-stdin', '--username', 'bobby2'), { input: w.bob.token });
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain('This rotation changes the account CI uses: from alice1 to bobby2.');
    expect(other.stderr).not.toContain('docker login');
    expect(hubCalls(), 'Docker Hub was asked').toBe(calls);
  });

  it('verify --fail-when-due: "ok" agrees with the exit code', async () => {
    const { name } = await setUpWithA();
    const due = await w.run(['verify', '--secret-id', name, '--json', '--fail-when-due', '--warn-days', '120']);
    expect(due.exitCode).toBe(6);
    expect(JSON.parse(due.stdout)).toMatchObject({ ok: false, rotationDue: true, problems: [] });
    const notAsked = await w.run(['verify', '--secret-id', name, '--json', '--warn-days', '120', '--live']);
    expect(notAsked.exitCode).toBe(0);
    expect(JSON.parse(notAsked.stdout)).toMatchObject({ ok: true, rotationDue: true });
    // verify --help lists every field of the object (live only with --live).
    const help = (await w.run(['verify', '--help'])).stdout;
    const listed = /JSON \(--json\): \{([^}]*)\}/.exec(help)![1]!.split(',').map((f) => f.trim());
    expect(listed.sort()).toEqual(Object.keys(JSON.parse(notAsked.stdout)).sort());
  });
});
