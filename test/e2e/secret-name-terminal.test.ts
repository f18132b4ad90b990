// Issue 21, item 12: a secret name mistyped at setup's prompt does not end the wizard:
// it is asked again, naming close matches from ListSecrets (the nearest is the default).
import { expect, it } from 'vitest';
import { uniqueName } from '../support/aws.js';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';

describeWith(['moto_server', 'tmux'], 'a mistyped secret name at the prompt (tmux)', () => {
  // Its own moto: what ListSecrets lists (close names) must be this file's secrets alone.
  const w = useWorld({ ownMoto: true });

  it('asks again, naming the close match as the default; a name with no close match is asked again too', async () => {
    const name = uniqueName('ci/dockerhub');
    await w.secrets.create(name);
    const typo = name.replace('dockerhub', 'dokcerhub');
    const t = await w.terminal(['setup']);
    await t.waitFor('Secrets Manager secret name or ARN');
    await t.type('nothing/like-it-at-all');
    await t.waitFor('No secret with a close name in this region.');
    await t.type(typo);
    const screen = await t.waitFor(`Close matches: ${name}`);
    expect(screen).toContain(`! The secret ${typo} does not exist (region eu-west-2).`);
    await t.waitFor(`(${name})`); // the default of the question asked again
    await t.key('Enter');
    await t.waitFor(`Secret ${name} exists`);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('C-c');
    const end = await t.exit();
    expect(end.code).toBe(130);
    expect(end.sane).toBe(true);
    expect(end.screen).not.toContain('✗ The secret');
    expect(await w.secrets.stages(name)).toEqual({});
  });
});
