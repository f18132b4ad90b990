// Issue 22, item 7: the token realm a registry announces is held to the rule of a
// user-given URL (https://, http:// only to this machine; IPv4-mapped IPv6 read as its
// IPv4 address), before docker or the tool's own token request sends the token there.
import { expect, it } from 'vitest';
import { uniqueName } from '../support/aws.js';
import { describeWith } from '../support/harness.js';
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
});
