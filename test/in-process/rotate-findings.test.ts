// rotate and rollback, in process against the in-memory Secrets Manager (stranger trial,
// session 3: findings 3, 4, 14). The Docker Hub stand-in and the docker CLI are the real ones.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['docker'], 'rotate --discard-pending, the revoke advice, and two rollbacks at once, in process', () => {
  const w = useWorld({ inProcess: true });
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });
  const pendingLeft = async (name: string) => Object.values(await w.secrets.stages(name)).some((s) => s.includes('AWSPENDING'));
  const setUp = async (label = 'ci-first') => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--label', label, '--expires-in', '90d'], { input: w.rw.token });
    expect(r.exitCode, r.stderr).toBe(0);
    return name;
  };

  it('unattended --discard-pending --yes needs no token: it drops the stray stage (read back) and ends', async () => {
    const name = await setUp();
    const currentBefore = await w.secrets.value(name);
    await w.secrets.stagePending(name, value(w.bob.token));
    const r = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--discard-pending', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('No token was given');
    expect(r.stdout).toMatch(/Discarded\. .* has no AWSPENDING stage now \(it was on version [\w-]+\); AWSCURRENT unchanged/);
    expect(await pendingLeft(name)).toBe(false);
    expect(await w.secrets.value(name)).toBe(currentBefore);
    // No token was sent anywhere: Docker Hub's stand-in saw no login.
    expect(r.stderr).not.toContain('Validating');
  });

  it('unattended --discard-pending without --yes asks for --yes only, not a token', async () => {
    const name = await setUp();
    await w.secrets.stagePending(name, value(w.bob.token));
    const r = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--discard-pending']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--discard-pending removes the pending value, which needs a confirmation: no answer without a terminal.');
    expect(r.stderr).not.toContain('No token was given');
    expect(await pendingLeft(name)).toBe(true);
  });

  it('versions sharing the old label but holding the same token (a --same-token rewrite): no ambiguity warning; "stored" is the first storing', async () => {
    const name = await setUp('ci-shared');
    const firstId = Object.keys(await w.secrets.stages(name))[0]!;
    // Later: the same token rewritten for ECS (same label), so two versions share "ci-shared".
    await new Promise((r) => setTimeout(r, 1100));
    const same = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--same-token', '--consumers', 'ecs']);
    expect(same.exitCode, same.stderr).toBe(0);
    const stages = await w.secrets.stages(name);
    expect(stages[firstId]).toEqual(['AWSPREVIOUS']);
    const r = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'ci-next'], { input: w.rw2.token });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('The old token to revoke in Docker Hub: alice1, "ci-shared"');
    expect(r.stdout).not.toContain('versions share the label');
    // The token was first stored with the first version, not with its rewrite.
    const firstStored = w.memory.getValue(name, { versionId: firstId }).created!;
    const fmt = (d: Date) => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
    expect(r.stdout).toContain(`stored ${fmt(firstStored)}`);
  });

  it('versions sharing the old label with another token still get the warning', async () => {
    const name = await setUp('ci-dup');
    const r1 = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'ci-other'], { input: w.rw2.token });
    expect(r1.exitCode, r1.stderr).toBe(0);
    // A third token under the first version's label: two tokens now carry "ci-dup".
    const r2 = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'ci-dup', '--yes'], { input: w.ro.token });
    expect(r2.exitCode, r2.stderr).toBe(0);
    const r3 = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'ci-z'], { input: w.rw2.token });
    expect(r3.exitCode, r3.stderr).toBe(0);
    expect(r3.stdout).toMatch(/! 2 versions share the label "ci-dup" \(also version [\w-]+\): do not revoke by the label alone/);
  });

  it('two rollbacks at once: one "Rolled back", the other exit 5 concurrent-change (Secrets Manager refuses its move, REFERENCE 3)', async () => {
    const name = await setUp();
    const r0 = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'ci-second'], { input: w.rw2.token });
    expect(r0.exitCode, r0.stderr).toBe(0);
    const stages = await w.secrets.stages(name);
    const previousId = Object.entries(stages).find(([, st]) => st.includes('AWSPREVIOUS'))![0];
    const currentId = Object.entries(stages).find(([, st]) => st.includes('AWSCURRENT'))![0];
    // Run A's move of AWSCURRENT is held until run B has rolled back; then A's move (RemoveFromVersionId
    // the version B just replaced) is answered as AWS answers it: refused, the label is elsewhere.
    const held = w.memory.fail({ target: 'UpdateSecretVersionStage', match: (i) => i.VersionStage === 'AWSCURRENT', mode: 'hold' });
    const a = w.run(['rollback', '--non-interactive', '--secret-id', name, '--yes']);
    await held;
    const b = await w.run(['rollback', '--non-interactive', '--secret-id', name, '--yes']);
    w.memory.release();
    const ra = await a;
    w.memory.restore();
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.stdout).toContain('Rolled back');
    expect(ra.exitCode, ra.stderr).toBe(5);
    expect(ra.stdout).not.toContain('Rolled back');
    expect(ra.stderr).toContain(`Another run changed ${name} at the same time: another run made version ${previousId} current first, so this run's move was refused.`);
    expect(ra.stderr).toContain(`State: AWSCURRENT is version ${previousId}, the value this run was to make current, made current by another run`);
    // One swap, not two.
    const after = await w.secrets.stages(name);
    expect(after[previousId]).toEqual(['AWSCURRENT']);
    expect(after[currentId]).toEqual(['AWSPREVIOUS']);
  });

  it('a promotion whose first answer was lost (the retry refused) still counts as this run\'s: "Rolled back", exit 0', async () => {
    const name = await setUp();
    const r0 = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'ci-second'], { input: w.rw2.token });
    expect(r0.exitCode, r0.stderr).toBe(0);
    void w.memory.fail({ target: 'UpdateSecretVersionStage', match: (i) => i.VersionStage === 'AWSCURRENT', mode: 'drop-after' });
    const r = await w.run(['rollback', '--non-interactive', '--secret-id', name, '--yes']);
    w.memory.restore();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Rolled back');
    expect(JSON.parse((await w.secrets.value(name))!).token).toBe(w.rw.token);
  });

  it('setup replacing one account\'s token with another\'s says the account changes, as rotate does (--yes confirms it)', async () => {
    const name = await setUp();
    const r = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'bobby2', '--secret-id', name, '--label', 'bob-ci', '--yes'], { input: w.bob.token });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('! This replaces the account CI uses: from alice1 to bobby2.');
    expect(JSON.parse((await w.secrets.value(name))!).username).toBe('bobby2');
    // The same account again: nothing to say.
    const same = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'bobby2', '--secret-id', name, '--label', 'bob-ci-2', '--yes'], { input: w.bob.token });
    expect(same.stderr).not.toContain('This replaces the account CI uses');
  });
});
