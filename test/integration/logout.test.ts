// logout (issue 20): removes exactly what login and login --helper added, byte for byte, and
// leaves the rest; docker logout runs for the server, so a credential store forgets it too;
// nothing to remove is exit 0. Real docker CLI, moto, the Docker Hub stand-in.
import { expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

const HELPER_BIN = join(ROOT, 'bin/docker-credential-dockerhub-credentials.cjs');

/**
 * A credential store as docker runs one (REFERENCE 2, "Credential helpers"; the protocol of
 * docker-credential-helpers): store/get/erase/list, one file per server in $TEST_STORE_DIR.
 */
const STORE_SCRIPT = `#!/usr/bin/env python3
import base64, json, os, sys
d = os.environ["TEST_STORE_DIR"]
name = lambda s: os.path.join(d, base64.urlsafe_b64encode(s.encode()).decode())
action = sys.argv[1]
data = sys.stdin.read() if action in ("store", "get", "erase") else ""
if action == "store":
    c = json.loads(data)
    open(name(c["ServerURL"]), "w").write(json.dumps(c))
elif action == "get":
    p = name(data.strip())
    if not os.path.exists(p):
        print("credentials not found in native keychain"); sys.exit(1)
    print(open(p).read())
elif action == "erase":
    p = name(data.strip())
    if os.path.exists(p): os.remove(p)
elif action == "list":
    print("{}")
`;

describeWith(['moto_server', 'docker', 'python3'], 'logout undoes login and login --helper, byte for byte (moto, stand-in, real docker CLI)', () => {
  const w = useWorld();
  const host = () => new URL(w.hub.url).host;
  const b64 = (token: string) => Buffer.from(`alice1:${token}`).toString('base64');

  const agent = (config: string, withHelper = false) => {
    const folder = join(w.sandbox.root, 'agent-docker');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(join(folder, 'config.json'), config);
    const bin = join(w.sandbox.root, 'installed-bin');
    mkdirSync(bin, { recursive: true });
    if (withHelper && !existsSync(join(bin, 'docker-credential-dockerhub-credentials'))) symlinkSync(HELPER_BIN, join(bin, 'docker-credential-dockerhub-credentials'));
    return { folder, file: join(folder, 'config.json'), bin, env: { DOCKER_CONFIG: folder, PATH: `${bin}:${process.env.PATH}` } };
  };
  const secret = async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    return name;
  };
  const filesIn = (folder: string) => readdirSync(folder).map((f) => [f, readFileSync(join(folder, f), 'utf8')] as const);

  it('login, then logout: the config is byte for byte what it was (docker\'s own layout), and no file holds the token', async () => {
    // As docker writes it: tabs, no final newline, its own key order.
    const before = JSON.stringify({ auths: { 'other.example.com': { auth: Buffer.from('bob:other-secret').toString('base64') } }, currentContext: 'default' }, null, '\t');
    const a = agent(before);
    const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: await secret() };
    const login = await w.run(['login'], { env });
    expect(login.exitCode, login.stderr).toBe(0);
    expect(readFileSync(a.file, 'utf8')).toContain(b64(w.rw.token));

    const out = await w.run(['logout', '--json'], { env });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, server: host(), helper: false, removed: [`auths["${host()}"]`], backup: null });
    expect(readFileSync(a.file, 'utf8')).toBe(before);
    // No backup: it would have been the very text written.
    expect(readdirSync(a.folder)).toEqual(['config.json']);
    for (const [f, text] of filesIn(a.folder)) expect(text, f).not.toContain(b64(w.rw.token));

    // Again: nothing to remove, exit 0, the file not even rewritten.
    const again = await w.run(['logout'], { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to remove');
    expect(readFileSync(a.file, 'utf8')).toBe(before);
  });

  it('keys docker does not know survive logout (docker itself drops them), and an emptied "auths" stays as docker leaves it', async () => {
    const a = agent(JSON.stringify({ currentContext: 'default' }, null, '\t'));
    const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: await secret() };
    expect((await w.run(['login'], { env })).exitCode).toBe(0);
    // What docker wrote, plus a key of someone else's tool added meanwhile, in two-space layout.
    const afterLogin = JSON.parse(readFileSync(a.file, 'utf8')) as Record<string, unknown>;
    writeFileSync(a.file, JSON.stringify({ ...afterLogin, 'x-other-tool': { keep: true } }, null, 2) + '\n');
    const out = await w.run(['logout'], { env });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(out.stdout).toContain(`Removed auths["${host()}"]`);
    expect(readFileSync(a.file, 'utf8')).toBe(JSON.stringify({ auths: {}, currentContext: 'default', 'x-other-tool': { keep: true } }, null, 2) + '\n');
  });

  it('a login docker kept in its credential store (credsStore): docker logout erases it there, and the auths entry goes', async () => {
    const storeDir = join(w.sandbox.root, 'store');
    mkdirSync(storeDir);
    const before = JSON.stringify({ auths: {}, credsStore: 'teststore' }, null, '\t');
    const a = agent(before);
    writeFileSync(join(a.bin, 'docker-credential-teststore'), STORE_SCRIPT, { mode: 0o755 });
    const env = { ...a.env, TEST_STORE_DIR: storeDir, DOCKERHUB_CREDENTIALS_SECRET_ID: await secret() };
    expect((await w.run(['login'], { env })).exitCode).toBe(0);
    expect(readdirSync(storeDir)).toHaveLength(1);
    const out = await w.run(['logout', '--json'], { env });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).removed).toEqual(["the login in docker's credential store teststore", `auths["${host()}"]`]);
    expect(readdirSync(storeDir)).toEqual([]);
    expect(readFileSync(a.file, 'utf8')).toBe(before);
  });

  it('login --helper, then logout --helper: the credHelpers entry goes, the config is byte for byte what it was (two-space layout kept)', async () => {
    const before = JSON.stringify({ credHelpers: { 'public.ecr.aws': 'ecr-login' }, currentContext: 'default' }, null, 2) + '\n';
    const a = agent(before, true);
    const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: await secret() };
    const login = await w.run(['login', '--helper'], { env });
    expect(login.exitCode, login.stderr).toBe(0);
    expect(JSON.parse(readFileSync(a.file, 'utf8')).credHelpers).toEqual({ 'public.ecr.aws': 'ecr-login', [host()]: 'dockerhub-credentials' });

    // Without --helper, logout leaves the helper's entry, and names the command that removes it.
    const plain = await w.run(['logout'], { env });
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('logout --helper');
    expect(JSON.parse(readFileSync(a.file, 'utf8')).credHelpers[host()]).toBe('dockerhub-credentials');

    const out = await w.run(['logout', '--helper'], { env });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(out.stdout).toContain(`Removed credHelpers["${host()}"] = "dockerhub-credentials"`);
    expect(readFileSync(a.file, 'utf8')).toBe(before);
    // The backup of logout --helper is the config as login --helper left it; none holds a token.
    for (const [f, text] of filesIn(a.folder)) expect(text, f).not.toContain(b64(w.rw.token));

    const again = await w.run(['logout', '--helper'], { env });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Nothing to remove');
  });

  it('logout --helper leaves an entry that names another helper', async () => {
    const before = JSON.stringify({ credHelpers: { [host()]: 'ecr-login' } }, null, '\t');
    const a = agent(before);
    const out = await w.run(['logout', '--helper'], { env: a.env });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(out.stderr).toContain('names ecr-login');
    expect(readFileSync(a.file, 'utf8')).toBe(before);
    expect(readdirSync(a.folder)).toEqual(['config.json']);
  });
});
