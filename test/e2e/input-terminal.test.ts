// Input hygiene in a real terminal (tmux): a token pasted at the Docker ID prompt
// is masked on screen, and a registry named only by the config file is asked about by host.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { Terminal } from '../support/pty.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'tmux'], 'input hygiene in a real terminal (tmux)', () => {
  const w = useWorld();

  it('masks a token pasted at the Docker ID prompt, refuses it without showing it, and goes on with the Docker ID', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    // Expiry and label on the command line, so the prompts are the ones this test is about.
    const t = await w.terminal(['setup', '--secret-id', name, '--expires-in', '90d', '--label', 'app-ci']);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter'); // none: CI jobs only
    await t.waitFor('Docker ID (or organization name');
    await t.paste(w.rw.token, false);
    const typed = await t.waitFor('*'.repeat(36));
    w.assertNoCanary('screen while the token is typed', typed);
    await t.key('Enter');
    const refused = await t.waitFor('That looks like an access token, so it is hidden and was not used');
    w.assertNoCanary('screen after Enter', refused);
    await t.key('C-u');
    await t.type('alice1');
    await t.waitFor('Access token (input hidden)');
    await t.paste(w.rw.token);
    await t.waitFor('Repository CI pushes to');
    await t.type('');
    const { code, screen } = await t.exit();
    expect(code, screen).toBe(0);
    expect(screen).toContain('Verified: username alice1, token 36 characters');
    w.assertNoCanary('screen', screen);
  });

  let own: Terminal | undefined;
  afterEach(async () => {
    await own?.close();
    own = undefined;
  });

  it('asks before sending the token to a registry that only the config file names, naming the host', async () => {
    const host = new URL(w.hub.url).host;
    const start = async (name: string) => {
      await own?.close();
      own = new Terminal();
      writeFileSync(join(w.sandbox.cwd, '.dockerhub-credentials.json'), JSON.stringify({ secretId: name, registry: w.hub.url }));
      const env = { ...w.env({ DOCKERHUB_CREDENTIALS_REGISTRY: undefined, DOCKERHUB_TOKEN: w.rw.token }), PATH: process.env.PATH, HOME: w.sandbox.home, TMPDIR: w.sandbox.tmp };
      await own.start(['setup', '--username', 'alice1', '--expires-in', '90d', '--label', 'app-ci'], env, w.sandbox.cwd);
      return own;
    };
    const declined = uniqueName();
    await w.secrets.create(declined);
    const before = w.hub.requests.length;
    let t = await start(declined);
    await t.waitFor(`Send the Docker Hub token to ${host} (the "registry" in .dockerhub-credentials.json)?`);
    await t.type('n');
    let end = await t.exit();
    expect(end.code).toBe(2);
    // A "No" is a choice: no ✗, no "answers are missing", and the second host is not asked about (stranger trial, session 3).
    expect(end.screen).toContain(`Not sent: you did not confirm ${host} (the "registry" in `);
    expect(end.screen).not.toMatch(/✗|missing or invalid|"hubUrl"/);
    expect(w.hub.requests.length).toBe(before);
    expect(await w.secrets.stages(declined)).toEqual({});

    const confirmed = uniqueName();
    await w.secrets.create(confirmed);
    t = await start(confirmed);
    await t.waitFor(`Send the Docker Hub token to ${host} (`);
    await t.type('y');
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter');
    await t.waitFor('Repository CI pushes to');
    await t.type('');
    end = await t.exit();
    expect(end.code, end.screen).toBe(0);
    expect(end.screen).toContain(`Hosts: registry ${host}, Docker Hub API ${host}`);
    expect(end.screen).toContain('docker login as alice1 succeeded');
    expect(w.hub.requests.length).toBeGreaterThan(before);
    w.assertNoCanary('screen', end.screen);
  });
});
