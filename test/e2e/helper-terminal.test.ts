// login --helper at a terminal (tmux) after a login: the token docker stored in "auths" is
// offered for removal, and the claim "nothing is stored" comes only once it is gone (issue 22 item 5).
import { expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'docker', 'tmux'], 'login --helper in a real terminal (tmux)', () => {
  const w = useWorld();

  it('offers to remove the login docker stored in auths; yes removes it, then says nothing is stored', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    // The helper installed on PATH (the terminal's PATH starts with the sandbox's bin/).
    mkdirSync(join(w.sandbox.root, 'bin'));
    symlinkSync(join(ROOT, 'bin/docker-credential-dockerhub-credentials.cjs'), join(w.sandbox.root, 'bin', 'docker-credential-dockerhub-credentials'));
    const config = join(w.sandbox.root, 'agent-docker');
    const env = { DOCKER_CONFIG: config, DOCKERHUB_CREDENTIALS_SECRET_ID: name };
    expect((await w.run(['login'], { env })).exitCode).toBe(0);
    const host = new URL(w.hub.url).host;
    const stored = Buffer.from(`alice1:${w.rw.token}`).toString('base64');
    expect(readFileSync(join(config, 'config.json'), 'utf8')).toContain(stored);

    const t = await w.terminal(['login', '--helper'], env);
    const asked = await t.waitFor('Remove it?');
    expect(asked).toContain(`also holds the login docker stored for ${host}`);
    expect(asked).not.toContain('nothing is stored');
    await t.type('y');
    const { code, screen } = await t.exit();
    expect(code).toBe(0);
    expect(screen).toContain('the login in "auths" removed');
    expect(screen).toContain('nothing is stored on this machine');
    w.assertNoCanary('screen', screen);
    for (const f of readdirSync(config)) expect(readFileSync(join(config, f), 'utf8'), f).not.toContain(stored);
    expect(JSON.parse(readFileSync(join(config, 'config.json'), 'utf8')).credHelpers).toEqual({ [host]: 'dockerhub-credentials' });
  });

  it('a failed docker login at a terminal is one ✗ line, not the spinner\'s and the report\'s', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.revoked.token }));
    const t = await w.terminal(['login', '--secret-id', name], { DOCKER_CONFIG: join(w.sandbox.root, 'agent-docker') });
    const { code, screen } = await t.exit();
    expect(code).toBe(3);
    expect(screen).toContain('Docker Hub rejected the token stored in');
    expect(screen.match(/✗/g)).toHaveLength(1);
    w.assertNoCanary('screen', screen);
  });
});
