// Reusing the local Docker Hub login in a real terminal (tmux): a PAT found there
// may be auto-generated, so it is reused only on an explicit yes (default No).
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

const HUB = 'https://index.docker.io/v1/';

describeWith(['moto_server', 'docker', 'tmux'], 'the local Docker Hub login in a real terminal (tmux)', () => {
  const w = useWorld();
  /** setup in a terminal, with a PAT in the local docker config, up to the reuse question. */
  const askedToReuse = async () => {
    const auth = (secret: string) => Buffer.from(`alice1:${secret}`).toString('base64');
    // What docker login's web flow leaves: the PAT, and its access-token entry next to it.
    w.sandbox.plantDockerConfig(JSON.stringify({ auths: { [HUB]: { auth: auth(w.rw.token) }, [`${HUB}access-token`]: { auth: auth('session') } } }));
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--secret-id', name]);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter'); // none
    await t.waitFor('Reuse the personal access token of alice1 for CI');
    return { name, t };
  };

  it('explains that a local PAT may be auto-generated; Enter (the default No) leads to the guide for both kinds of token', async () => {
    const { name, t } = await askedToReuse();
    const asked = await t.screen();
    expect(asked).toContain('This token looks auto-generated');
    expect(asked).toContain('full Read, Write, Delete rights and is deleted when that session ends');
    expect(asked).toMatch(/\(y\/N\)/);
    await t.key('Enter');
    const guide = await t.waitFor('Docker ID');
    expect(guide).toContain('https://app.docker.com/settings/personal-access-tokens');
    expect(guide).toContain('Admin Console > Access tokens');
    expect(guide).toContain("username: the organization's name, not your Docker ID");
    await t.key('C-c');
    const { code, screen } = await t.exit();
    expect(code).toBe(130);
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.stages(name)).toEqual({});
  });

  it('reuses the local PAT after an explicit yes', async () => {
    const { name, t } = await askedToReuse();
    await t.type('y');
    await t.waitFor('Docker ID');
    await t.type(''); // the local login's username is the default
    await t.waitFor('Repository CI pushes to');
    await t.type('');
    await t.acceptLifecycleDefaults();
    const { code, screen } = await t.exit();
    expect(screen).toContain('docker login as alice1 succeeded');
    expect(code).toBe(0);
    w.assertNoCanary('screen', screen);
    expect(JSON.parse((await w.secrets.value(name))!)).toEqual({ username: 'alice1', token: w.rw.token });
  });
});
