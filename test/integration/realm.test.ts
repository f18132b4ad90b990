// Issue 22, item 7: the token realm a registry announces is held to the rule of a
// user-given URL (https://, http:// only to this machine; IPv4-mapped IPv6 read as its
// IPv4 address), before docker or the tool's own token request sends the token there.
import { expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName } from '../support/aws.js';
import { ROOT, describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';

describeWith(['moto_server'], "the registry's token realm", () => {
  const w = useWorld();
  const setup = (name: string) => ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name];
  const registryHost = () => new URL(w.hub.url).host;
  const tokenRequests = () => w.hub.requests.filter((q) => q.path === '/token');

  it('an http:// realm on another machine (an IPv4-mapped address) gets nothing: refused before docker login, nothing stored', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    // 10.0.0.1, written as IPv4-mapped IPv6 in hex.
    w.hub.switches.realm = `http://[::ffff:a00:1]:${w.hub.port}/token`;
    const r = await w.run(setup(name), { input: w.rw.token });
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stderr).toContain(`✗ The registry ${registryHost()} asks for the login at [::ffff:a00:1]:${w.hub.port} over http:// to another machine, so the token was not sent.`);
    expect(r.stderr).toContain('The token travels only over https:// (http:// only to this machine)');
    expect(r.stderr).not.toContain('docker login to');
    expect(tokenRequests()).toEqual([]);
    expect(await w.secrets.stages(name)).toEqual({});
  });

  it('an IPv4-mapped loopback realm in dotted form is this machine: accepted, and not another host than 127.0.0.1', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    w.hub.switches.realm = `http://[::ffff:127.0.0.1]:${w.hub.port}/token`;
    const r = await w.run(setup(name), { input: w.rw.token, env: { PATH: '/nonexistent' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('sends the login to another host');
    expect(tokenRequests().length).toBeGreaterThan(0);
  });

  it('a realm on another host than the registry is used, with a warning naming it', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    w.hub.switches.realm = `http://localhost:${w.hub.port}/token`;
    const r = await w.run(setup(name), { input: w.rw.token, env: { PATH: '/nonexistent' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`! The registry ${registryHost()} sends the login to another host, localhost:${w.hub.port} (its token realm).`);
  });

  it('login (and login --helper) to a registry whose realm is http:// to another machine: refused before docker runs and before credHelpers is written (exit 5)', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    w.hub.switches.realm = `http://[::ffff:a00:1]:${w.hub.port}/token`;
    // A docker that only records that it ran.
    const bin = join(w.sandbox.root, 'fake-docker-bin');
    const ran = join(w.sandbox.root, 'docker-ran');
    mkdirSync(bin);
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\ncat >/dev/null\ntouch '${ran}'\necho 'Login Succeeded'\n`);
    chmodSync(join(bin, 'docker'), 0o755);
    // The helper installed, so login --helper gets as far as writing credHelpers.
    symlinkSync(join(ROOT, 'bin/docker-credential-dockerhub-credentials.cjs'), join(bin, 'docker-credential-dockerhub-credentials'));
    const dockerConfig = join(w.sandbox.root, 'agent-docker');
    const env = { PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: dockerConfig, DOCKERHUB_CREDENTIALS_SECRET_ID: name };
    const before = tokenRequests().length;
    for (const args of [['login'], ['login', '--helper', '--yes']]) {
      const r = await w.run(args, { env });
      expect(r.exitCode, r.stderr).toBe(5);
      expect(r.stderr).toContain(`The registry ${registryHost()} asks for the login at [::ffff:a00:1]:${w.hub.port} over http:// to another machine, so the token was not sent.`);
      expect(existsSync(ran)).toBe(false);
      expect(existsSync(join(dockerConfig, 'config.json'))).toBe(false);
    }
    expect(tokenRequests()).toHaveLength(before);
  });
});
