// login --helper through a config.json that is a link (dotfiles), as a real non-root user
// whose link points into a folder it cannot write: refused before any backup is written,
// so no stray config.json.*.bak and no "Unexpected error" (the rename would fail).
import { symlinkSync, writeFileSync, chownSync, mkdirSync, readFileSync, readdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName } from '../support/aws.js';
import { describeWith } from '../support/harness.js';
import { SharedMachine, describeAsUsers, type User } from '../support/users.js';
import { useWorld } from '../support/world.js';

const UID = 43121;

describeWith(['moto_server'], 'login --helper through a config.json link', () => {
  describeAsUsers('as a real user', () => {
    const w = useWorld();
    let machine: SharedMachine;
    let user: User;
    beforeAll(() => {
      machine = new SharedMachine();
      user = machine.user(UID);
    });
    afterAll(() => machine?.remove());

    it("a link into a folder the user cannot write: refused with the fix (exit 2), no backup left, the file untouched", async () => {
      const name = uniqueName();
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
      // The helper installed where the user's docker finds it.
      const bin = join(user.home, 'bin');
      mkdirSync(bin);
      symlinkSync(join(machine.pkg, 'bin/docker-credential-dockerhub-credentials.cjs'), join(bin, 'docker-credential-dockerhub-credentials'));
      chownSync(bin, UID, UID);
      // The user's own file, in a folder only root can write (a shared dotfiles checkout, say).
      const dotfiles = join(machine.root, 'dotfiles');
      mkdirSync(dotfiles);
      chmodSync(dotfiles, 0o755);
      const target = join(dotfiles, 'docker.json');
      const original = JSON.stringify({ psFormat: 'table' });
      writeFileSync(target, original);
      chownSync(target, UID, UID);
      const config = join(user.home, 'docker');
      expect((await user.sh(`mkdir ${config} && ln -s ${target} ${config}/config.json`, user.home)).exitCode).toBe(0);

      const env = w.env({ DOCKER_CONFIG: config, DOCKERHUB_CREDENTIALS_SECRET_ID: name, DOCKERHUB_CREDENTIALS_REGISTRY: undefined, PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` });
      const r = await user.cli(['login', '--helper', '--yes'], { cwd: user.home, env });
      w.assertNoCanary('output', r.stdout + r.stderr);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${dotfiles} cannot be written (${config}/config.json is a link to a file in it), so ${config}/config.json was left as it is.`);
      expect(r.stderr).not.toContain('Unexpected error');
      expect(readdirSync(config)).toEqual(['config.json']);
      expect(readdirSync(dotfiles)).toEqual(['docker.json']);
      expect(readFileSync(target, 'utf8')).toBe(original);
    });

    it('login into a DOCKER_CONFIG the user cannot write: exit 2 with the fix, before anything is read (was exit 5 after the login; stranger trial, session 3)', async () => {
      const readOnly = join(machine.root, 'rodir');
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o755);
      const config = join(readOnly, 'dc');
      // Secrets Manager is a closed port: a run that read the secret first would end as a network failure (exit 5).
      const env = w.env({ DOCKER_CONFIG: config, DOCKERHUB_CREDENTIALS_SECRET_ID: 'ci/never-read', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9', PATH: '/usr/local/bin:/usr/bin:/bin' });
      const r = await user.cli(['login'], { cwd: user.home, env });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`✗ DOCKER_CONFIG names ${config} (to be created in ${readOnly}), which this user cannot write, so docker could not save the login there.`);
      expect(r.stderr).toContain('Point DOCKER_CONFIG at a folder you can write');
      expect(readdirSync(readOnly)).toEqual([]);
    });
  });
});
