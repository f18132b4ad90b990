// Each fact is said once (issue 21 item 17): verify's report line, history's count and
// login's success are no longer preceded by a ✓ step line saying the same. And the
// marks mean what they say (item 20): declining a confirmation is no ✗.
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

const lines = (text: string, pattern: RegExp) => text.split('\n').filter((l) => pattern.test(l));

describeWith(['moto_server', 'docker', 'script'], 'one line per fact, and marks that mean what they say', () => {
  const w = useWorld();
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });

  it('verify: one line names the secret, history: one line counts the versions', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.put(name, value(w.rw2.token));
    const v = await w.run(['verify', '--secret-id', name, '--region', 'eu-west-2']);
    expect(v.exitCode, v.stderr).toBe(0);
    const all = `${v.stderr}\n${v.stdout}`;
    expect(lines(all, /^✓/)).toEqual([`✓ ${name} (eu-west-2)`]);
    expect(all).not.toContain(`Read ${name}`);

    const h = await w.run(['history', '--secret-id', name]);
    expect(h.exitCode, h.stderr).toBe(0);
    expect(lines(`${h.stderr}\n${h.stdout}`, /2 versions/)).toEqual([`${name}: 2 versions`]);
  });

  it('login: one success line, naming the version read and where docker keeps the login', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const config = join(w.sandbox.root, 'agent-docker');
    const r = await w.run(['login', '--secret-id', name], { env: { DOCKER_CONFIG: config } });
    expect(r.exitCode, r.stderr).toBe(0);
    const success = lines(`${r.stderr}\n${r.stdout}`, /✓|succeeded|Logged in/);
    expect(success).toHaveLength(1);
    expect(success[0]).toMatch(new RegExp(`^✓ docker login as alice1 to \\S+ succeeded with ${name} \\(AWSCURRENT, version [\\w-]+\\); docker keeps the login in ${config}/config\\.json\\.$`));
  });

  it('declining a confirmation is no ✗: rollback answered "no" says nothing was changed, exit 2', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.put(name, value(w.rw2.token));
    const before = await w.secrets.stages(name);
    const p = w.sizedPty(['rollback', '--secret-id', name], {}, { rows: 40, cols: 120 });
    await p.waitFor('Roll back to the previous value?');
    p.type('n\r');
    expect(await p.exited).toBe(2);
    // eslint-disable-next-line no-control-regex
    const text = p.output().replace(/\u001b\[\d+m/g, '');
    expect(text).toMatch(/- Nothing was changed\./);
    expect(text).not.toContain('✗');
    expect(await w.secrets.stages(name)).toEqual(before);
  });
});
