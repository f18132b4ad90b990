// The recovery menu after Docker Hub refuses, in a real terminal (tmux): each
// refusal offers the fixes that can work, and "Stop" ends with the failure once.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'docker', 'tmux'], 'recovery menus in a real terminal (tmux)', () => {
  const w = useWorld();

  /** setup in a terminal up to the push check, with these answers. */
  async function setupWith(token: string, repository: string) {
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--secret-id', name]);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter'); // none: CI jobs only
    await t.answerCredentials({ username: 'alice1', token, repository });
    return { name, t };
  }
  const menu = (screen: string) => screen.slice(screen.lastIndexOf('What now?'));

  it('a Read-only token with a push repository offers another token (or repository), and the pasted one is stored', async () => {
    const { name, t } = await setupWith(w.ro.token, 'alice1/app');
    const asked = menu(await t.waitFor(/What now\?[\s\S]*Stop/));
    expect(asked).toContain('Paste another token');
    expect(asked).toContain('Change the repository (now alice1/app)');
    expect(asked).not.toContain('Type the Docker ID again');
    await t.key('Enter'); // "Paste another token" is the default
    await t.waitFor(/What now\? Paste another token[\s\S]*Access token \(input hidden\)/);
    await t.paste(w.rw2.token);
    await t.acceptLifecycleDefaults();
    const { code, screen } = await t.exit();
    expect(code, screen).toBe(0);
    expect(screen).toContain('Registry grants push to alice1/app');
    w.assertNoCanary('screen', screen);
    expect(JSON.parse((await w.secrets.value(name))!)).toMatchObject({ username: 'alice1', token: w.rw2.token });
  });

  it('a namespace without push offers only another repository, never token re-entry', async () => {
    const { name, t } = await setupWith(w.rw.token, 'bobby2/app');
    const screen = await t.waitFor(/What now\?[\s\S]*Stop/);
    expect(screen).toContain('has no permission to push to the namespace bobby2');
    const asked = menu(screen);
    expect(asked).toContain('Change the repository (now bobby2/app)');
    expect(asked).not.toMatch(/Paste another token|Type the Docker ID again/);
    await t.key('Enter');
    await t.waitFor(/What now\? Change the repository[\s\S]*Repository CI pushes to/);
    await t.key('C-u');
    await t.type('alice1/app');
    await t.waitFor('Validating against Docker Hub again');
    await t.acceptLifecycleDefaults();
    const done = await t.exit();
    expect(done.code, done.screen).toBe(0);
    expect(done.screen).toContain('Registry grants push to alice1/app');
    w.assertNoCanary('screen', done.screen);
    expect(JSON.parse((await w.secrets.value(name))!)).toMatchObject({ username: 'alice1', token: w.rw.token });
  });

  it('"Stop" ends with exit 3 and the failure printed once', async () => {
    const { name, t } = await setupWith(w.rw.token, 'bobby2/app');
    await t.waitFor(/What now\?[\s\S]*Stop/);
    await t.key('Down'); // Skip the push check
    await t.key('Down');
    await t.key('Enter'); // Stop
    const { code, screen, sane } = await t.exit();
    expect(code).toBe(3);
    expect(sane).toBe(true);
    expect(screen.match(/has no permission to push to the namespace bobby2/g)).toHaveLength(1);
    expect(screen.match(/Check the namespace in --repository for a typo/g)).toHaveLength(1);
    expect(screen).toContain('✗ Stopped at your choice.');
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.value(name).catch(() => undefined)).toBeUndefined();
  });
});
