// Issue 21 items 3, 4 and 5 as a person meets them in a real terminal (tmux): one label suggestion
// shown in the guide and at the question, a rotated token's label that must differ, the repository
// remembered from setup and a drop in access asked about, and a wrong answer at the token prompt
// that does not poison every later line.
import { expect, it } from 'vitest';
import { Canary, describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'docker', 'tmux'], 'label, repository and redaction at a terminal (tmux)', () => {
  const w = useWorld();
  const label = async (name: string) => JSON.parse((await w.run(['verify', '--secret-id', name, '--json'])).stdout).label as string | null;
  const current = async (name: string) => JSON.parse((await w.secrets.value(name))!).token as string;

  it('one label suggestion in the guide and at the question; rotate suggests another and asks again for the current one', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--secret-id', name]);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter');
    const guide = await t.waitFor('Docker ID');
    const suggested = /Description: (\S+)/.exec(guide)![1]!;
    await t.answerCredentials({ username: 'alice1', token: w.rw.token, repository: 'alice1/app' });
    const asked = await t.acceptLifecycleDefaults();
    // The typed repository (alice1/app) does not change the suggestion the guide already showed.
    expect(asked).toContain(`(its label): (${suggested})`);
    expect((await t.exit()).code).toBe(0);
    expect(await label(name)).toBe(suggested);
    await t.close();

    const r = await w.terminal(['rotate', '--secret-id', name]);
    const rguide = await r.waitFor('Docker ID');
    const next = /Description: (\S+)/.exec(rguide)![1]!;
    expect(next).not.toBe(suggested);
    await r.type('');
    await r.waitFor('New access token');
    await r.paste(w.rw2.token);
    // The repository given at setup is the default: Enter keeps the push check.
    await r.waitFor('Repository CI pushes to (namespace/name; Backspace, then Enter, to skip the push check): (alice1/app)');
    await r.key('Enter');
    await r.waitFor('Registry grants push to alice1/app');
    await r.waitFor('Expiration date chosen for this token in Docker Hub');
    await r.key('Enter');
    const question = await r.waitFor("The token's description in Docker Hub (its label)");
    expect(question).toContain(`(its label): (${next})`);
    await r.type(suggested);
    await r.waitFor("That is the current token's label; the new token needs its own description in Docker Hub");
    await r.erase(suggested.length);
    await r.key('Enter');
    const { code, screen } = await r.exit();
    expect(code).toBe(0);
    expect(screen).toContain(`The old token to revoke in Docker Hub: alice1, "${suggested}"`);
    w.assertNoCanary('screen', screen);
    expect(await label(name)).toBe(next);
  });

  it('a Read-only token after a Read & Write one: Enter checks push where setup did; skipping the check is asked about', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const stored = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--repository', 'alice1/app', '--expires-in', '90d'], { input: w.rw.token });
    expect(stored.exitCode).toBe(0);
    const before = await w.secrets.stages(name);

    const t = await w.terminal(['rotate', '--secret-id', name]);
    await t.answerCredentials({ token: w.ro.token }); // Enter at the repository keeps alice1/app
    // The refusal offers another token or another repository (recovery); Stop ends the run.
    await t.waitFor(/What now\?[\s\S]*Stop/);
    await t.key('Down');
    await t.key('Down'); // Skip the push check
    await t.key('Down');
    await t.key('Enter'); // Stop
    const refused = await t.exit();
    expect(refused.screen).toMatch(/push/i);
    expect(refused.screen).not.toContain('Rotated.');
    expect(refused.code).toBe(3);
    await t.close();

    const u = await w.terminal(['rotate', '--secret-id', name]);
    await u.waitFor('Docker ID');
    await u.type('');
    await u.waitFor('New access token');
    await u.paste(w.ro.token);
    await u.waitFor('Repository CI pushes to (namespace/name; Backspace, then Enter, to skip the push check): (alice1/app)');
    await u.key('BSpace'); // clears the default: skip the push check
    await u.key('Enter');
    const asked = await u.waitFor('Rotate to this token anyway?');
    expect(asked).toContain("The new token's access level is Read-only, lower than the current token's Read & Write.");
    expect(asked).toContain('Push rights to alice1/app were checked for the current token, but not for the new one');
    await u.type('n');
    const declined = await u.exit();
    expect(declined.code).toBe(2);
    expect(declined.screen).toContain('Kept the current token; nothing was changed.');
    expect(declined.sane).toBe(true);
    w.assertNoCanary('screen', declined.screen);
    expect(await w.secrets.stages(name)).toEqual(before);
    expect(await current(name)).toBe(w.rw.token);
  });

  it('setup replacing a Read & Write token with a Read-only one asks about the drop, even with --yes', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--repository', 'alice1/app', '--expires-in', '90d'], { input: w.rw.token })).exitCode).toBe(0);
    const before = await w.secrets.stages(name);
    const t = await w.terminal(['setup', '--secret-id', name, '--yes']);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter');
    await t.waitFor('Docker ID');
    await t.type('alice1');
    await t.waitFor(/ccess token \(input hidden\)/);
    await t.paste(w.ro.token);
    await t.waitFor('Repository CI pushes to (namespace/name; Backspace, then Enter, to skip the push check): (alice1/app)');
    await t.key('BSpace'); // clears the default: skip the push check
    await t.key('Enter');
    const asked = await t.waitFor('Replace the stored token with this one anyway?');
    expect(asked).toContain("The new token's access level is Read-only, lower than the current token's Read & Write.");
    await t.type('n');
    const { code, sane, screen } = await t.exit();
    expect(code).toBe(2);
    expect(sane).toBe(true);
    expect(screen).toContain('Kept the current token; nothing was changed.');
    expect(screen).not.toMatch(/Stored as|Done\./);
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.stages(name)).toEqual(before);
    expect(await current(name)).toBe(w.rw.token);
  });

  it('rotate --resume at a terminal asks for the expiry the pending version lacks, then checks push where setup did', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    expect((await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--repository', 'alice1/app', '--expires-in', '30d'], { input: w.rw.token })).exitCode).toBe(0);
    await w.secrets.stagePending(name, JSON.stringify({ username: 'alice1', token: w.rw2.token }));
    const t = await w.terminal(['rotate', '--secret-id', name, '--resume']);
    await t.waitFor('Registry grants push to alice1/app');
    await t.acceptLifecycleDefaults();
    await t.waitFor('Make it current (AWSCURRENT) now?');
    await t.type('y');
    const { code, screen } = await t.exit();
    expect(code).toBe(0);
    w.assertNoCanary('screen', screen);
    const v = JSON.parse((await w.run(['verify', '--secret-id', name, '--json'])).stdout);
    expect(v.expiresAt).toBe(new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10));
    expect(await current(name)).toBe(w.rw2.token);
  });

  it('the Docker ID typed at the token prompt is refused, not redacted; a replaced wrong answer is shown again', async () => {
    // A Docker ID long enough to be registered as a secret (8 characters or more).
    const demo = new Canary();
    const accounts = w.hub.accounts as { username: string }[];
    accounts.splice(0, accounts.length, ...accounts.filter((a) => a.username !== 'demouser'), { username: 'demouser', secret: demo.token, kind: 'pat', level: 'write', state: 'ok' } as { username: string });
    const token = demo.token;
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--secret-id', name]);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter');
    await t.waitFor('Docker ID');
    await t.type('demouser');
    await t.waitFor('Access token (input hidden)');
    await t.type('demouser');
    await t.waitFor('That is the Docker ID; paste the access token Docker Hub showed you');
    await t.erase('demouser'.length);
    await t.paste(token);
    await t.waitFor('Repository CI pushes to');
    await t.type('demouser/app');
    await t.acceptLifecycleDefaults();
    const first = await t.exit();
    expect(first.code).toBe(0);
    expect(first.screen).toContain('docker login as demouser succeeded');
    expect(first.screen).toContain('Registry grants push to demouser/app');
    expect(first.screen).not.toContain('[redacted]');
    expect(first.screen).not.toContain('looks like an access token');
    await t.close();

    // A wrong answer at the token prompt (the repository), rejected, then replaced by the real token.
    const other = uniqueName();
    await w.secrets.create(other);
    const u = await w.terminal(['setup', '--secret-id', other, '--repository', 'demouser/app']);
    await u.waitFor('Which AWS services will read this secret');
    await u.key('Enter');
    await u.waitFor('Docker ID');
    await u.type('demouser');
    await u.waitFor('Access token (input hidden)');
    await u.type('demouser/app');
    await u.waitFor('What now?');
    await u.key('Down');
    await u.key('Enter'); // Paste another token
    await u.waitFor(/What now\? Paste another token[\s\S]*Access token \(input hidden\)/);
    await u.paste(token);
    await u.acceptLifecycleDefaults();
    const second = await u.exit();
    expect(second.code).toBe(0);
    const after = second.screen.slice(second.screen.indexOf('Validating against Docker Hub again'));
    expect(after).toContain('Registry grants push to demouser/app');
    expect(after).not.toContain('[redacted]');
    for (const s of [first.screen, second.screen]) {
      w.assertNoCanary('screen', s);
      demo.assertAbsent('screen', s);
    }
  });
});
