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
});
