import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import type { Terminal } from '../support/pty.js';
import { uniqueName } from '../support/aws.js';
import { startFaultProxy } from '../support/fault-proxy.mjs';

describeWith(['moto_server', 'docker', 'tmux'], 'rotate and rollback in a real terminal (tmux)', () => {
  const w = useWorld();
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });


  it('rotates interactively, then rolls back after a confirmation', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const t = await w.terminal(['rotate', '--secret-id', name]);
    await t.waitFor(/Current: alice1, token 36 characters, changed/);
    await t.waitFor('never offered for CI');
    const guide = await t.waitFor('Docker ID');
    expect(guide).toContain('Do not revoke the old token yet');
    await t.type(''); // keeps the current username by default
    await t.waitFor('New access token');
    await t.paste(w.rw2.token);
    await t.waitFor('Repository CI pushes to');
    await t.type('alice1/app');
    await t.acceptLifecycleDefaults();
    const { code, sane, screen } = await t.exit();
    expect(screen).toMatch(/AWSCURRENT is now version [\w-]+; the old value is AWSPREVIOUS/);
    expect(screen).toContain('Rotated.');
    expect(code).toBe(0);
    expect(sane).toBe(true);
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.value(name)).toBe(value(w.rw2.token));
    await t.close();

    const r = await w.terminal(['rollback', '--secret-id', name]);
    await r.waitFor('Roll back to the previous value?');
    await r.type('y');
    const done = await r.exit();
    expect(done.code).toBe(0);
    expect(done.screen).toContain('Rolled back');
    w.assertNoCanary('screen', done.screen);
    expect(await w.secrets.value(name)).toBe(value(w.rw.token));
  });

  it('rotate --resume declined at "Make it current?" after another run made the pending value current: a decline, not "Rotated"', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.stagePending(name, value(w.rw2.token));
    const pendingId = Object.entries(await w.secrets.stages(name)).find(([, st]) => st.includes('AWSPENDING'))![0];
    const t = await w.terminal(['rotate', '--secret-id', name, '--resume', '--label', 'declined-ci', '--expires-in', '90d']);
    await t.waitFor('Make it current (AWSCURRENT) now?');
    // Meanwhile another run resumes the same stage and promotes it.
    const other = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--resume', '--yes', '--label', 'other-ci']);
    expect(other.exitCode, other.stderr).toBe(0);
    await t.type('n');
    const { code, sane, screen } = await t.exit();
    expect(code).toBe(2);
    expect(sane).toBe(true);
    w.assertNoCanary('screen', screen);
    expect(screen).toContain('Left the pending value as it was; nothing was changed.');
    expect(screen).toContain(`State: AWSCURRENT is version ${pendingId}, the value this run was to make current, made current by another run.`);
    expect(screen).not.toMatch(/Rotated|revoke/i);
    // The declining run recorded nothing: the label is the promoting run's.
    expect(JSON.parse((await w.run(['verify', '--secret-id', name, '--json'])).stdout).label).toBe('other-ci');
  });

  const interrupts: [string, string[], (t: Terminal) => Promise<void>][] = [
    ['the username prompt', [], async (t) => {
      await t.waitFor('never offered for CI');
      await t.waitFor('Docker ID');
    }],
    ['the new token prompt', [], async (t) => {
      await t.waitFor('never offered for CI');
      await t.waitFor('Docker ID');
      await t.type('');
      await t.waitFor('New access token');
    }],
    ['the resume/discard choice', ['PENDING'], async (t) => void (await t.waitFor('What should happen to it?'))],
  ];
  for (const [where, flags, reach] of interrupts) {
    it(`Ctrl-C at ${where} exits 130 and changes no stage`, async () => {
      const name = uniqueName();
      await w.secrets.create(name, value(w.rw.token));
      if (!flags.includes('PENDING')) return w.interruptAt(['rotate', '--secret-id', name], name, reach);
      // A stray stage from an earlier rotation: moto stamps it now, so the proxy makes it three days old.
      await w.secrets.stagePending(name, value(w.rw2.token));
      const proxy = await startFaultProxy(w.moto.url);
      try {
        void proxy.fail({ target: 'GetSecretValue', match: (b: { VersionId?: string }) => Boolean(b.VersionId), mode: 'rewrite', count: Infinity, rewrite: (a: { CreatedDate: number }) => ({ ...a, CreatedDate: a.CreatedDate - 3 * 86400 }) });
        await w.interruptAt(['rotate', '--secret-id', name], name, reach, { AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url });
      } finally {
        await proxy.stop();
      }
    });
  }
});
