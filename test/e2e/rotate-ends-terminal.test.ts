// rotate's ends at a terminal (stranger trial, session 3: findings 4b, 5, 10, 12): end of input
// at any prompt is a cancellation (exit 130, State line), as in setup; --discard-pending only
// discards; the repository prompt does what it says.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import type { Terminal } from '../support/pty.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'docker', 'tmux'], 'rotate at a terminal: Ctrl-D, --discard-pending, the repository answer', () => {
  const w = useWorld();
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });

  const eofAt: [string, (t: Terminal) => Promise<void>][] = [
    ['the Docker ID prompt', async (t) => void (await t.waitFor('Docker ID'))],
    ['the token prompt', async (t) => {
      await t.waitFor('Docker ID');
      await t.type('');
      await t.waitFor('New access token');
    }],
    ['the repository prompt', async (t) => {
      await t.waitFor('Docker ID');
      await t.type('');
      await t.waitFor('New access token');
      await t.paste(w.rw2.token);
      await t.waitFor('Repository CI pushes to');
    }],
    ['the label prompt', async (t) => {
      await t.answerCredentials({ token: w.rw2.token, repository: 'alice1/app' });
      await t.waitFor('Expiration date chosen for this token in Docker Hub');
      await t.key('Enter');
      await t.waitFor("The token's description in Docker Hub (its label)");
    }],
  ];
  for (const [where, reach] of eofAt) {
    // As Ctrl-C at the same prompts: "✗ Cancelled." and the State line saying what is unchanged.
    it(`Ctrl-D at ${where}: "Cancelled.", a State line saying nothing changed, exit 130`, async () => {
      const name = uniqueName();
      await w.secrets.create(name, value(w.rw.token));
      const before = await w.secrets.stages(name);
      const t = await w.terminal(['rotate', '--secret-id', name]);
      await reach(t);
      await t.key('C-d');
      const { code, sane, screen } = await t.exit();
      expect(screen).toContain('✗ Cancelled.');
      expect(screen).toMatch(/State: AWSCURRENT unchanged \(version [\w-]+\); CI keeps reading the current token\./);
      expect(code).toBe(130);
      expect(sane).toBe(true);
      w.assertNoCanary('screen', screen);
      expect(await w.secrets.stages(name)).toEqual(before);
    });
  }

  it('Ctrl-D at "What now?" after Docker Hub rejected the token: exit 130, not 0', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const t = await w.terminal(['rotate', '--secret-id', name]);
    await t.answerCredentials({ token: w.revoked.token, repository: 'alice1/app' });
    await t.waitFor('What now?');
    await t.key('C-d');
    const { code, screen } = await t.exit();
    expect(screen).toContain('✗ Cancelled.');
    expect(screen).toMatch(/State: AWSCURRENT unchanged/);
    expect(code).toBe(130);
    expect(await w.secrets.value(name)).toBe(value(w.rw.token));
  });

  it('interactive --discard-pending asks, discards, reads back, and ends: no new rotation', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.stagePending(name, value(w.bob.token));
    const t = await w.terminal(['rotate', '--secret-id', name, '--discard-pending']);
    await t.waitFor('Discard the pending value?');
    await t.type('y');
    const { code, sane, screen } = await t.exit();
    expect(screen).toContain('Removed AWSPENDING');
    expect(screen).toMatch(/Discarded\. .* has no AWSPENDING stage now/);
    expect(screen).not.toContain('Docker ID');
    expect(screen).not.toContain('Create the new access token');
    expect(code).toBe(0);
    expect(sane).toBe(true);
    expect(Object.values(await w.secrets.stages(name)).some((s) => s.includes('AWSPENDING'))).toBe(false);
    expect(await w.secrets.value(name)).toBe(value(w.rw.token));
  });

  /** setup with alice1's first token, remembering alice1/app (push checked), as a team would start. */
  const setUpRemembering = async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--repository', 'alice1/app', '--expires-in', '90d'], { input: w.rw.token });
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await w.secrets.tags(name))['dockerhub-credentials:repository']).toBe('alice1/app');
    return name;
  };

  it('the remembered repository, cleared (Backspace, Enter) and confirmed, is forgotten: the tag is gone, read back', async () => {
    const name = await setUpRemembering();
    const t = await w.terminal(['rotate', '--secret-id', name]);
    await t.waitFor('Docker ID');
    await t.type('');
    await t.waitFor('New access token');
    await t.paste(w.rw2.token);
    // The prompt says how to skip when a default is shown (finding 10).
    await t.waitFor('Repository CI pushes to (namespace/name; Backspace, then Enter, to skip the push check): (alice1/app)');
    await t.key('BSpace');
    await t.key('Enter');
    await t.waitFor(/anyway\? \(y\/N\)/);
    await t.type('y');
    await t.acceptLifecycleDefaults();
    const { code, screen } = await t.exit();
    expect(code, screen).toBe(0);
    expect(screen).toContain('Rotated.');
    expect(screen).toContain('alice1/app is no longer remembered as the repository CI pushes to');
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.tags(name)).not.toHaveProperty(['dockerhub-credentials:repository']);
    // The next unattended rotation is not checked against the forgotten repository.
    const next = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', 'next-1'], { input: w.rw.token });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stderr).not.toContain('alice1/app');
  });

  it('"What now?" after a token that cannot push offers "Skip the push check" as a choice of its own', async () => {
    const name = await setUpRemembering();
    const t = await w.terminal(['rotate', '--secret-id', name]);
    await t.answerCredentials({ token: w.ro.token }); // Enter keeps alice1/app
    const asked = await t.waitFor(/What now\?[\s\S]*Stop/);
    expect(asked.slice(asked.lastIndexOf('What now?'))).toContain('Skip the push check (do not check alice1/app)');
    await t.key('Down'); // Change the repository
    await t.key('Down'); // Skip the push check
    await t.key('Enter');
    await t.waitFor('Validating against Docker Hub again');
    await t.waitFor(/anyway\? \(y\/N\)/);
    await t.type('n');
    const { code, screen } = await t.exit();
    // Declined at the access-drop question: nothing written.
    expect(code, screen).toBe(2);
    expect(screen).not.toMatch(/Registry grants push|no permission to push[\s\S]*Validating against Docker Hub again[\s\S]*no permission to push/);
    expect(JSON.parse((await w.secrets.value(name))!).token).toBe(w.rw.token);
  });

  it('setup at a terminal replacing alice1\'s token with bobby2\'s asks about the account; No keeps it', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const before = await w.secrets.stages(name);
    const t = await w.terminal(['setup', '--secret-id', name]);
    await t.waitFor('Replace the stored value with a new one?');
    await t.type('y');
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter');
    await t.answerCredentials({ username: 'bobby2', token: w.bob.token });
    await t.waitFor('This replaces the account CI uses: from alice1 to bobby2.');
    await t.waitFor('Store the token of bobby2?');
    await t.type('n');
    const { code, screen } = await t.exit();
    expect(screen).toContain('Kept the token of alice1.');
    expect(code).toBe(2);
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.stages(name)).toEqual(before);
  });
});
