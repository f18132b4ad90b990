// setup's consumer question preselects who the last setup chose, not every
// consumer whose key the value holds ("password" serves ECS, Batch and CodeBuild).
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'docker', 'tmux'], 'consumers preselected from the record (tmux)', () => {
  const w = useWorld();

  it('after choosing only ECS, the next setup preselects ECS alone', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--secret-id', name]);
    await t.waitFor('Which AWS services will read this secret');
    await t.type(' ', false); // ECS, the first
    await t.key('Enter');
    await t.answerCredentials({ username: 'alice1', token: w.rw.token });
    await t.acceptLifecycleDefaults();
    const first = await t.exit();
    expect(first.code, first.screen).toBe(0);
    expect(JSON.parse((await w.secrets.value(name))!)).toMatchObject({ password: w.rw.token });

    const again = await w.terminal(['setup', '--secret-id', name, '--yes']);
    const asked = await again.waitFor('(needs a name starting ecr-pullthroughcache/)');
    expect(asked).toMatch(/◉ ECS task definitions/);
    expect(asked).toMatch(/◯ AWS Batch jobs/);
    expect(asked).toMatch(/◯ CodeBuild/);
    await again.key('C-c');
    expect((await again.exit()).code).toBe(130);
  });
});
