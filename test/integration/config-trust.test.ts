// Issue 22, item 4, as two real users: an attacker's .dockerhub-credentials.json in a
// world-writable folder above the victim's working folder (the secret id of the
// attacker's own secret) is refused by the CLI, and the credential helper reads no
// config file at all; the victim's own file in their own folder still works for the
// CLI, and the run says it used it.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName } from '../support/aws.js';
import { describeWith } from '../support/harness.js';
import { SharedMachine, describeAsUsers, type User } from '../support/users.js';
import { useWorld } from '../support/world.js';

const VICTIM = 43101;
const ATTACKER = 43102;
const HUB_KEY = 'https://index.docker.io/v1/';

describeWith(['moto_server'], 'a config file another user could write is refused', () => {
  describeAsUsers('as two real users', () => {
    const w = useWorld();
    let machine: SharedMachine;
    let victim: User;
    let attacker: User;
    beforeAll(() => {
      machine = new SharedMachine();
      victim = machine.user(VICTIM);
      attacker = machine.user(ATTACKER);
    });
    afterAll(() => machine?.remove());
    // No docker CLI: the validation uses the HTTP checks only.
    const env = () => w.env({ PATH: '/nonexistent' });
    const setup = (extra: string[] = []) => ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', ...extra];

    it("the attacker's file in a world-writable parent is refused by the CLI and the helper; nothing reaches the attacker's secret", async () => {
      const inbox = uniqueName('attacker/inbox');
      await w.secrets.create(inbox);
      const planted = join(machine.shared, '.dockerhub-credentials.json');
      expect((await attacker.sh(`printf '{"secretId": "${inbox}"}' > ${planted}`, machine.shared)).exitCode).toBe(0);
      const work = join(machine.shared, 'victim-work');
      expect((await victim.sh(`mkdir ${work}`, machine.shared)).exitCode).toBe(0);

      const r = await victim.cli(setup(), { cwd: work, env: env(), input: w.rw.token });
      w.assertNoCanary('stderr', r.stderr + r.stdout);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`✗ Refused the config file ${planted}: the folder ${machine.shared} can be written by every user, so someone else could have written it.`);
      expect(r.stderr).toContain(`Work in a folder outside ${machine.shared}, or put your own .dockerhub-credentials.json in the folder you work in`);
      expect(await w.secrets.stages(inbox), "the attacker's secret got a version").toEqual({});

      // The helper reads no config file at all (docker's environment only): it has no secret id.
      const helper = await victim.helper('get', HUB_KEY, { cwd: work, env: env() });
      expect(helper.exitCode).toBe(1);
      expect(helper.stdout).toContain('dockerhub-credentials: no secret id: set DOCKERHUB_CREDENTIALS_SECRET_ID where docker runs');
      expect(helper.stdout).not.toContain(inbox);
      w.assertNoCanary('helper', helper.stdout + helper.stderr);
    });

    it("the victim's own file in their own folder is used, and the run says which file supplied which value", async () => {
      const name = uniqueName('victim/dockerhub');
      await w.secrets.create(name);
      const project = join(victim.home, 'project');
      const own = join(project, '.dockerhub-credentials.json');
      expect((await victim.sh(`mkdir ${project} && printf '{"secretId": "${name}"}' > ${own}`, victim.home)).exitCode).toBe(0);

      const r = await victim.cli(setup(), { cwd: project, env: env(), input: w.rw.token });
      w.assertNoCanary('output', r.stderr + r.stdout);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr.split('\n')).toContain(`Using secretId from ${own}`);
      expect(JSON.parse((await w.secrets.value(name))!)).toEqual({ username: 'alice1', token: w.rw.token });

      // The helper takes the secret id from docker's environment only, even from the victim's own file.
      const fromFile = await victim.helper('get', HUB_KEY, { cwd: project, env: env() });
      expect(fromFile.exitCode).toBe(1);
      expect(fromFile.stdout).toContain('no secret id: set DOCKERHUB_CREDENTIALS_SECRET_ID where docker runs');
      const helper = await victim.helper('get', HUB_KEY, { cwd: project, env: { ...env(), DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
      expect(helper.exitCode, helper.stdout).toBe(0);
      expect(JSON.parse(helper.stdout)).toEqual({ ServerURL: HUB_KEY, Username: 'alice1', Secret: w.rw.token });
    });

    it("another user's file in a folder that user owns is refused, and so is the victim's own file once others can write it", async () => {
      const theirs = join(attacker.home, 'proj');
      expect((await attacker.sh(`mkdir ${theirs} && chmod 755 ${attacker.home} ${theirs} && printf '{"region": "eu-west-1"}' > ${theirs}/.dockerhub-credentials.json`, attacker.home)).exitCode).toBe(0);
      const r = await victim.cli(['history', '--secret-id', 'x/y'], { cwd: theirs, env: env() });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`✗ Refused the config file ${theirs}/.dockerhub-credentials.json: the folder ${theirs} belongs to another user (uid ${ATTACKER})`);

      const mine = join(victim.home, 'loose');
      expect((await victim.sh(`mkdir ${mine} && printf '{}' > ${mine}/.dockerhub-credentials.json && chmod 666 ${mine}/.dockerhub-credentials.json`, victim.home)).exitCode).toBe(0);
      const loose = await victim.cli(['history', '--secret-id', 'x/y'], { cwd: mine, env: env() });
      expect(loose.exitCode).toBe(2);
      expect(loose.stderr).toContain(`✗ Refused the config file ${mine}/.dockerhub-credentials.json: it can be written by every user`);
      expect(loose.stderr).toContain(`Run: chmod go-w ${mine}/.dockerhub-credentials.json`);
    });
  });
});
