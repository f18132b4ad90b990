// The guide and the local-login warning at 80 and 40 columns (issue 21 item 19): they
// were pre-wrapped at about 100 columns, so a terminal of 80 broke them mid-word. They
// are now word-wrapped to the terminal's width: read row by row, as a person sees the
// screen, each sentence is whole words, and no row is wider than the terminal.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

const HUB = 'https://index.docker.io/v1/';

const SENTENCES = [
  'This token looks auto-generated: the store also holds the entries of docker login\'s web flow or Docker Desktop.',
  'An auto-generated token has full Read, Write, Delete rights and is deleted when that session ends or newer ones are made, which would break CI without warning.',
  'Which kind: for an organization on a Team or Business plan, an organization access token (OAT) is recommended for CI: it belongs to the organization, not a person, and lists the repositories it may use.',
  "4. Expiry: match your team's rotation policy (for example 90 days); you will be asked which you chose.",
  '(username: the organization\'s name, not your Docker ID)',
];

describeWith(['moto_server', 'docker', 'tmux'], 'prose wraps to the terminal at word boundaries (tmux)', () => {
  const w = useWorld();
  for (const cols of [80, 40]) {
    it(`at ${cols} columns, the local-login warning and the guide break only between words`, async () => {
      const auth = (secret: string) => Buffer.from(`alice1:${secret}`).toString('base64');
      w.sandbox.plantDockerConfig(JSON.stringify({ auths: { [HUB]: { auth: auth(w.rw.token) }, [`${HUB}access-token`]: { auth: auth('session') } } }));
      const name = uniqueName();
      await w.secrets.create(name);
      const t = await w.terminal(['setup', '--secret-id', name], {}, { cols, rows: 50 });
      await t.waitFor('Which AWS');
      await t.key('Enter');
      await t.waitFor('(y/N)');
      await t.key('Enter');
      await t.waitFor('Docker ID');
      const rows = await t.rows();
      const joined = rows.map((r) => r.trim()).join(' ').replace(/\s+/g, ' ');
      for (const sentence of SENTENCES) expect(joined, rows.join('\n')).toContain(sentence);
      // The long lines of prose filled rows only up to the width (tmux pads nothing).
      const prose = rows.filter((r) => /auto-generated|organization|rotation policy/.test(r));
      for (const r of prose) expect(r.length, r).toBeLessThanOrEqual(cols);
      await t.key('C-c');
      expect((await t.exit()).code).toBe(130);
    });
  }
});
