// login --helper and the credential helper as an agent meets them: the token left in "auths",
// a dotfiles link, broken docker config locations, login after login --helper, a secret without
// a value, the helper's own time budget and log, verify --helper, npx's temporary folder, and a
// registry the helper will not serve (issues 21, 22 and 24). Real docker CLI, moto, the stand-in.
import { expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, chownSync, existsSync, rmSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { basename, join } from 'node:path';
import { ROOT, describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

const HELPER_BIN = join(ROOT, 'bin/docker-credential-dockerhub-credentials.cjs');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describeWith(['moto_server', 'docker'], 'login --helper, the helper and verify --helper (moto, stand-in, real docker CLI)', () => {
  const w = useWorld();
  const host = () => new URL(w.hub.url).host;
  const b64 = (token: string) => Buffer.from(`alice1:${token}`).toString('base64');

  /** An agent: its own docker config folder, and the helper installed on PATH as npm links it. */
  const agent = (o: { config?: string; bin?: string } = {}) => {
    const config = o.config ?? join(w.sandbox.root, 'agent-docker');
    const bin = o.bin ?? join(w.sandbox.root, 'installed-bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'docker-credential-dockerhub-credentials'))) symlinkSync(HELPER_BIN, join(bin, 'docker-credential-dockerhub-credentials'));
    return { config, bin, env: { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}` } };
  };
  const secret = async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    return name;
  };
  /** Runs the installed helper as docker would: the action as argument, the server on stdin. */
  const helper = (action: string, input: string, env: Record<string, string | undefined>) =>
    execa(process.execPath, [HELPER_BIN, action], {
      input,
      env: { PATH: process.env.PATH, HOME: w.sandbox.home, ...w.env(env) } as Record<string, string>,
      extendEnv: false,
      reject: false,
      cwd: w.sandbox.cwd,
    });
  /** A private folder for the helper's log. */
  const logFolder = () => {
    const dir = join(w.sandbox.root, 'logs');
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
    return join(dir, 'helper.log');
  };
  const logLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

  it('after login, login --helper never says "nothing is stored" while the token is in auths; --yes removes it, and no backup holds it', async () => {
    const name = await secret();
    const a = agent();
    const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name };
    const first = await w.run(['login'], { env });
    expect(first.exitCode, first.stderr).toBe(0);
    const configFile = join(a.config, 'config.json');
    expect(readFileSync(configFile, 'utf8')).toContain(b64(w.rw.token));

    // Without a terminal and without --yes: the entry stays, and the tool says so.
    const kept = await w.run(['login', '--helper'], { env });
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).not.toContain('nothing is stored');
    expect(kept.stderr).toContain('login --helper --yes');
    expect(JSON.parse(readFileSync(configFile, 'utf8')).credHelpers).toEqual({ [host()]: 'dockerhub-credentials' });
    const backups = readdirSync(a.config).filter((f) => f.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(a.config, backups[0]!), 'utf8')).not.toContain(b64(w.rw.token));

    // --yes removes it; only then is the claim made, and no file in the folder holds the token.
    const removed = await w.run(['login', '--helper', '--yes', '--json'], { env });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ ok: true, helper: true, tokenOnDisk: false });
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(config.auths[host()]).toBeUndefined();
    expect(config.credHelpers[host()]).toBe('dockerhub-credentials');
    for (const f of readdirSync(a.config)) expect(readFileSync(join(a.config, f), 'utf8'), f).not.toContain(b64(w.rw.token));
    const again = await w.run(['login', '--helper'], { env });
    expect(again.stdout).toContain('nothing is stored on this machine');
  });

  it("Docker Hub's login under any of its keys (web login's access-token and refresh-token, docker.io, registry-1.docker.io) counts: named, removed with --yes, left out of the backup; an earlier release's byte-for-byte backup is named with its rm line; an unchanged config gets no new backup", async () => {
    const name = await secret();
    const a = agent();
    const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name, DOCKERHUB_CREDENTIALS_REGISTRY: undefined };
    const token = b64(w.rw.token);
    const other = Buffer.from('bob:other-registry-secret').toString('base64');
    const hubKeys = ['https://index.docker.io/v1/access-token', 'https://index.docker.io/v1/refresh-token', 'docker.io', 'registry-1.docker.io', 'index.docker.io'];
    mkdirSync(a.config);
    const original = JSON.stringify({ auths: { ...Object.fromEntries(hubKeys.map((k) => [k, { auth: token }])), 'other.example:5000': { auth: other } } });
    const configFile = join(a.config, 'config.json');
    writeFileSync(configFile, original);
    // What the previous release left: a byte-for-byte copy.
    const oldBackup = join(a.config, 'config.json.2026-01-01T00-00-00-000Z.bak');
    writeFileSync(oldBackup, original);
    const holding = () => readdirSync(a.config).filter((f) => readFileSync(join(a.config, f), 'utf8').includes(token));

    const kept = await w.run(['login', '--helper'], { env });
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).not.toContain('nothing is stored');
    expect(kept.stdout).toContain('the old login is still on this machine');
    expect(kept.stderr).toContain('login --helper --yes');
    expect(kept.stderr).toContain(`A backup of ${configFile} still holds the login docker stored for https://index.docker.io/v1/ (the token, in base64): ${oldBackup}. Remove it with: rm -- ${oldBackup}`);
    expect(holding().sort()).toEqual(['config.json', basename(oldBackup)]);

    const removed = await w.run(['login', '--helper', '--yes', '--json'], { env });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ ok: true, tokenOnDisk: true, backupsWithLogin: [oldBackup] });
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(Object.keys(config.auths)).toEqual(['other.example:5000']);
    expect(config.credHelpers).toEqual({ 'https://index.docker.io/v1/': 'dockerhub-credentials' });
    expect(holding()).toEqual([basename(oldBackup)]);
    // The backup from the login --yes removed is a copy without it; the other registry's login stays in the config.
    expect(readdirSync(a.config).filter((f) => f.endsWith('.bak'))).toHaveLength(3);

    // The user removes the old backup: now nothing is stored, and an unchanged config gets no new backup.
    rmSync(oldBackup);
    const done = await w.run(['login', '--helper', '--yes'], { env });
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stdout).toContain('nothing is stored on this machine');
    expect(readdirSync(a.config).filter((f) => f.endsWith('.bak'))).toHaveLength(2);
  });

  it('a login kept in docker\'s credential store (credsStore) is named with its erase command, and the claim is not made', async () => {
    const name = await secret();
    const a = agent();
    // A credential store that holds a login for the stand-in's host, as pass or secretservice would.
    writeFileSync(join(a.bin, 'docker-credential-fakestore'), `#!/bin/sh\nread -r url\necho '{"ServerURL":"'$url'","Username":"alice1","Secret":"stored-in-the-keychain-0123"}'\n`);
    chmodSync(join(a.bin, 'docker-credential-fakestore'), 0o755);
    mkdirSync(a.config);
    writeFileSync(join(a.config, 'config.json'), JSON.stringify({ auths: {}, credsStore: 'fakestore' }));
    const r = await w.run(['login', '--helper', '--yes'], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('nothing is stored');
    expect(r.stderr).toContain(`docker's credential store fakestore still holds a login for ${host()}`);
    expect(r.stderr).toContain(`printf %s '${host()}' | docker-credential-fakestore erase`);
    expect(r.stderr + r.stdout).not.toContain('stored-in-the-keychain');
  });

  it('login --helper --secret-id A while docker\'s environment names B: refused (exit 2), nothing written', async () => {
    const name = await secret();
    const a = agent();
    const r = await w.run(['login', '--helper', '--secret-id', name], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: 'ci/other' } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(`The helper would read ci/other (from DOCKERHUB_CREDENTIALS_SECRET_ID), not ${name}`);
    expect(existsSync(a.config)).toBe(false);
  });

  it('login after login --helper: no docker login (its store would be refused as read-only), one line saying the helper already answers, exit 0', async () => {
    const name = await secret();
    const a = agent();
    const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name };
    expect((await w.run(['login', '--helper'], { env })).exitCode).toBe(0);
    const r = await w.run(['login'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Nothing to log in: docker already reads');
    expect(r.stdout).toContain('answers as alice1');
    expect(r.stderr + r.stdout).not.toContain('read-only');
    expect((r.stderr + r.stdout).match(/✗/g)).toBeNull();
    expect(JSON.parse(readFileSync(join(a.config, 'config.json'), 'utf8')).auths).toBeUndefined();
    // The helper reads AWSCURRENT only: a login with the previous token is refused with the way out.
    await w.secrets.put(name, JSON.stringify({ username: 'alice1', token: w.rw2.token }));
    const previous = await w.run(['login', '--stage', 'AWSPREVIOUS'], { env });
    expect(previous.exitCode).toBe(2);
    expect(previous.stderr).toContain('which always reads AWSCURRENT');
    expect((previous.stderr.match(/✗/g) ?? []).length).toBe(1);
  });

  it('a config.json that is a link (dotfiles) is written through: the link stays, its target gets the entry', async () => {
    const name = await secret();
    const a = agent();
    const dotfiles = join(w.sandbox.root, 'dotfiles');
    mkdirSync(dotfiles);
    mkdirSync(a.config);
    writeFileSync(join(dotfiles, 'docker.json'), JSON.stringify({ psFormat: 'table' }));
    symlinkSync(join(dotfiles, 'docker.json'), join(a.config, 'config.json'));
    const r = await w.run(['login', '--helper'], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(lstatSync(join(a.config, 'config.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(a.config, 'config.json'))).toBe(join(dotfiles, 'docker.json'));
    expect(JSON.parse(readFileSync(join(dotfiles, 'docker.json'), 'utf8'))).toEqual({ psFormat: 'table', credHelpers: { [host()]: 'dockerhub-credentials' } });
    expect(readdirSync(dotfiles)).toEqual(['docker.json']);
  });

  // Another user's file needs root to make (chown); under CI=true it runs, and fails there without root.
  const asRoot = process.getuid?.() === 0 || process.env.CI === 'true' ? it : it.skip;
  asRoot("a config.json that links to another user's file is refused (exit 2): that file is not replaced, and no backup is left", async () => {
    const name = await secret();
    const a = agent();
    const dotfiles = join(w.sandbox.root, 'others-dotfiles');
    mkdirSync(dotfiles);
    mkdirSync(a.config);
    const theirs = join(dotfiles, 'docker.json');
    const original = JSON.stringify({ psFormat: 'table' });
    writeFileSync(theirs, original);
    chownSync(theirs, 43199, 43199);
    symlinkSync(theirs, join(a.config, 'config.json'));
    const r = await w.run(['login', '--helper', '--yes'], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${join(a.config, 'config.json')} is a symbolic link to ${theirs}, which belongs to another user (uid 43199), so it was left as it is.`);
    expect(r.stderr).not.toContain('Unexpected error');
    expect(readFileSync(theirs, 'utf8')).toBe(original);
    expect(statSync(theirs).uid).toBe(43199);
    expect(readdirSync(a.config)).toEqual(['config.json']);
    expect(readdirSync(dotfiles)).toEqual(['docker.json']);
  });

  it('DOCKER_CONFIG naming a file, or a config.json that is a folder, is a sentence with the fix (exit 2); a folder the tool creates is 0700', async () => {
    const name = await secret();
    const a = agent();
    const file = join(w.sandbox.root, 'not-a-folder');
    writeFileSync(file, 'x');
    for (const args of [['login', '--helper'], ['login']]) {
      const r = await w.run(args, { env: { ...a.env, DOCKER_CONFIG: file, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain(`DOCKER_CONFIG names ${file}, which is a file`);
      expect(r.stderr).not.toContain('Unexpected error');
    }
    mkdirSync(join(a.config, 'config.json'), { recursive: true });
    const folder = await w.run(['login', '--helper'], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(folder.exitCode, folder.stderr).toBe(2);
    expect(folder.stderr).toContain(`${join(a.config, 'config.json')} is a folder`);
    expect(folder.stderr).not.toContain('Unexpected error');

    const fresh = join(w.sandbox.root, 'fresh', 'docker');
    const created = await w.run(['login', '--helper'], { env: { ...a.env, DOCKER_CONFIG: fresh, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(created.exitCode, created.stderr).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(statSync(join(fresh, 'config.json')).mode & 0o777).toBe(0o600);
  });

  it('the helper reads a bounded stdin: an endless input ends the call with a sentence instead of filling memory', async () => {
    // A writer that never stops: on main the helper reads until memory runs out (300 MB took 972 MB).
    const child = execa(process.execPath, [HELPER_BIN, 'get'], { env: { PATH: process.env.PATH, HOME: w.sandbox.home, ...w.env({ DOCKERHUB_CREDENTIALS_SECRET_ID: 'ci/any' }) } as Record<string, string>, extendEnv: false, reject: false, cwd: w.sandbox.cwd });
    child.stdin!.on('error', () => undefined);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (child.exitCode === null && child.stdin!.writable && child.stdin!.write(chunk));
      if (child.exitCode === null && child.stdin!.writable) child.stdin!.once('drain', pump);
    };
    pump();
    const r = await child;
    expect(r.exitCode).toBe(1);
    expect(String(r.stdout)).toContain('the input is longer than');
  });

  it('a secret that exists without a value: login and the helper say "has no value yet; run setup", not "does not exist"', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(['login', '--secret-id', name], { env: agent().env });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(`The secret ${name} exists but has no value yet.`);
    expect(r.stderr).toContain(`setup --secret-id ${name}`);
    expect(r.stderr).not.toContain('does not exist');
    const got = await helper('get', 'https://index.docker.io/v1/', { DOCKERHUB_CREDENTIALS_SECRET_ID: name });
    expect(got.exitCode).toBe(1);
    expect(got.stdout).toContain(`the secret ${name} exists but has no value yet; run setup: npx dockerhub-credentials setup --secret-id ${name}`);
    expect(got.stdout).not.toContain('does not exist');
  });

  it("the helper's version prints its version, and --help its usage (exit 0)", async () => {
    const version = await helper('version', '', {});
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toBe(`docker-credential-dockerhub-credentials ${VERSION}`);
    const help = await helper('--help', '', {});
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT');
    expect(help.stdout).toContain('verify --helper');
  });

  it("docker goes anonymous on a helper error; the helper's log (0600, one line, no secret) and verify --helper name the reason; with the right secret, verify --helper names the user", async () => {
    const name = await secret();
    const a = agent();
    const log = logFolder();
    const good = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name, DOCKERHUB_CREDENTIALS_HELPER_LOG: log };
    expect((await w.run(['login', '--helper'], { env: good })).exitCode).toBe(0);
    // docker's environment with a mistyped secret id.
    const wrong = { ...good, DOCKERHUB_CREDENTIALS_SECRET_ID: 'ci/mistyped' };
    const before = logLines(log).length;
    const requestsBefore = w.hub.requests.length;
    w.hub.switches.tlsHello = 'http400';
    const inspect = await execa('docker', ['manifest', 'inspect', '--insecure', `${host()}/alice1/app:latest`], {
      env: { HOME: w.sandbox.home, ...w.env(wrong) } as Record<string, string>,
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
    w.assertNoCanary('docker output', inspect.stdout + inspect.stderr);
    // docker 28 never shows the helper's sentence...
    expect(inspect.stderr).not.toContain('ci/mistyped');
    // ...but the log has it.
    const lines = logLines(log).slice(before);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(new RegExp(`^\\S+ get server="${host().replace(/[.]/g, '\\.')}" secret="ci/mistyped" outcome=secret-not-found duration=\\d+ms reason=".*ci/mistyped does not exist`));
    expect(statSync(log).mode & 0o777).toBe(0o600);
    // No anonymous-looking success: the stand-in saw no login as alice1 from docker.
    expect(w.hub.requests.slice(requestsBefore).some((q) => q.path === '/token' && q.basicUser === 'alice1' && q.userAgent.startsWith('Docker-Client/'))).toBe(false);

    const named = await w.run(['verify', '--helper'], { env: wrong });
    expect(named.exitCode).toBe(4);
    expect(named.stdout).toContain('docker would pull');
    expect(named.stdout).toContain('ci/mistyped does not exist');
    expect(named.stdout).toContain('docker gets:   nothing: an anonymous pull');

    const fine = await w.run(['verify', '--helper', '--json'], { env: good });
    expect(fine.exitCode, fine.stdout).toBe(0);
    expect(JSON.parse(fine.stdout)).toMatchObject({ ok: true, configured: true, username: 'alice1', server: host(), logProblem: null });
    for (const line of logLines(log)) w.assertNoCanary('helper log', line);
  });

  it("a black-holed AWS endpoint costs each get only the helper's budget: the log ends in the budget's own outcome, not an SDK timeout", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as { port: number }).port;
      const log = logFolder();
      const r = await helper('get', 'https://index.docker.io/v1/', {
        DOCKERHUB_CREDENTIALS_SECRET_ID: 'ci/dockerhub',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
        DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT: '1',
        // The SDK's own timeouts far above the budget: only the budget can end this call.
        DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '300',
        DOCKERHUB_CREDENTIALS_AWS_REQUEST_TIMEOUT: '300',
        DOCKERHUB_CREDENTIALS_HELPER_LOG: log,
      });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain("the helper's budget; DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT=SECONDS allows longer");
      const lines = logLines(log);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('get server="https://index.docker.io/v1/" secret="ci/dockerhub" outcome=budget');
    } finally {
      silent.close();
    }
  });

  it('verify --helper without a credHelpers entry: docker gets nothing from the helper, and the helper\'s own answer is shown apart (exit 2)', async () => {
    const name = await secret();
    const a = agent();
    mkdirSync(a.config);
    writeFileSync(join(a.config, 'config.json'), JSON.stringify({ psFormat: 'table' }));
    const v = await w.run(['verify', '--helper'], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(v.exitCode, v.stdout).toBe(2);
    expect(v.stdout).toContain('docker gets:   nothing: an anonymous pull (docker does not ask docker-credential-dockerhub-credentials)');
    expect(v.stdout).toContain('helper says:   username alice1 (and the token)');
    expect(v.stdout).not.toContain('docker gets:   username');
  });

  it('verify --helper with a login stored in config.json itself, or another helper named: says what docker uses instead, never "anonymous" (stranger trial, session 3)', async () => {
    const name = await secret();
    const a = agent({ config: join(w.sandbox.root, 'agent-docker-stored') });
    mkdirSync(a.config);
    const file = join(a.config, 'config.json');
    writeFileSync(file, JSON.stringify({ auths: { [host()]: { auth: Buffer.from(`alice1:${w.rw.token}`).toString('base64') } } }));
    const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name };
    const v = await w.run(['verify', '--helper'], { env });
    expect(v.exitCode, v.stdout).toBe(2);
    expect(v.stdout).toContain(`docker gets:   the login stored in ${file} (username alice1), not through the helper`);
    expect(v.stdout).not.toContain('anonymous pull');
    w.assertNoCanary('verify --helper output', v.stdout + v.stderr);
    const j = await w.run(['verify', '--helper', '--json'], { env });
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, configured: false, dockerGets: 'stored-login' });
    w.assertNoCanary('verify --helper --json output', j.stdout + j.stderr);
    writeFileSync(file, JSON.stringify({ credsStore: 'desktop', auths: { [host()]: {} } }));
    const other = await w.run(['verify', '--helper'], { env });
    expect(other.stdout).toContain(`docker gets:   what docker-credential-desktop holds for ${host()} (not this tool's helper)`);
    // No helper on PATH: it was never run, so it said nothing.
    const none = await w.run(['verify', '--helper'], { env: { DOCKER_CONFIG: a.config, PATH: process.env.PATH, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(none.stdout).toContain('helper says:   nothing: it was not run (see below)');
    expect(none.stdout).toContain('is not on PATH, so docker could not run it');
  });

  it('a budget above 600 seconds (DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT=3000000, past what a timer holds) is used as 600 and noted in the log: get still answers', async () => {
    const name = await secret();
    const log = logFolder();
    const r = await helper('get', 'https://index.docker.io/v1/', { DOCKERHUB_CREDENTIALS_SECRET_ID: name, DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT: '3000000', DOCKERHUB_CREDENTIALS_HELPER_LOG: log });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ Username: 'alice1' });
    const lines = logLines(log);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('outcome=ok');
    expect(lines[0]).toContain('note="DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT=3000000 is more than 600 seconds; 600 used"');
  });

  it('a log folder others can write to, or a link, is refused: nothing is written, docker is told nothing, verify --helper says why', async () => {
    const name = await secret();
    const a = agent();
    expect((await w.run(['login', '--helper'], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name } })).exitCode).toBe(0);
    const open = join(w.sandbox.root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const real = join(w.sandbox.root, 'real-logs');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(w.sandbox.root, 'linked'));
    for (const [file, why] of [[join(open, 'h.log'), 'others can write to the folder'], [join(w.sandbox.root, 'linked', 'h.log'), 'is a symbolic link']] as const) {
      const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name, DOCKERHUB_CREDENTIALS_HELPER_LOG: file };
      const got = await helper('get', host(), env);
      expect(got.exitCode).toBe(0);
      expect(JSON.parse(got.stdout).Username).toBe('alice1');
      expect(existsSync(file)).toBe(false);
      const v = await w.run(['verify', '--helper'], { env });
      expect(v.exitCode).toBe(0);
      expect(v.stderr).toContain('The helper writes no log');
      expect(v.stderr).toContain(why);
    }
    expect(readdirSync(real)).toEqual([]);
  });

  it("a helper found only in npx's temporary folder is refused with the pinned install line; docker's config is left as it was", async () => {
    const name = await secret();
    const npxBin = join(w.sandbox.home, '.npm', '_npx', '3f2a9c', 'node_modules', '.bin');
    const a = agent({ bin: npxBin });
    mkdirSync(a.config);
    const original = JSON.stringify({ psFormat: 'table' });
    writeFileSync(join(a.config, 'config.json'), original);
    const r = await w.run(['login', '--helper', '--secret-id', name], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is found only in a temporary folder');
    expect(r.stderr).toContain(`npm i -g dockerhub-credentials@${VERSION}`);
    expect(readFileSync(join(a.config, 'config.json'), 'utf8')).toBe(original);
    expect(readdirSync(a.config)).toEqual(['config.json']);
    // The same under the temporary folder itself.
    const tmpAgent = agent({ bin: join(w.sandbox.tmp, 'bin') });
    const t = await w.run(['login', '--helper'], { env: { ...tmpAgent.env, DOCKER_CONFIG: a.config, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    rmSync(tmpAgent.bin, { recursive: true });
    expect(t.exitCode).toBe(2);
    expect(t.stderr).toContain(`temporary folder (${join(w.sandbox.tmp, 'bin')}`);
    expect(readFileSync(join(a.config, 'config.json'), 'utf8')).toBe(original);
    const v = await w.run(['verify', '--helper'], { env: { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(v.exitCode).toBe(2);
    expect(v.stdout).toContain(`npm i -g dockerhub-credentials@${VERSION}`);
    // npx's folder first on PATH, a lasting install further along: that one is what docker finds later, and is used.
    const lasting = agent();
    const both = await w.run(['login', '--helper'], { env: { ...a.env, PATH: `${npxBin}:${lasting.bin}:${process.env.PATH}`, DOCKERHUB_CREDENTIALS_SECRET_ID: name } });
    expect(both.exitCode, both.stderr).toBe(0);
    expect(both.stderr).toContain(`(${join(lasting.bin, 'docker-credential-dockerhub-credentials')}) answers`);
  });

  it('login --helper --registry X that the helper will not serve writes nothing, exit 2, and the hint names DOCKERHUB_CREDENTIALS_REGISTRY', async () => {
    const name = await secret();
    const a = agent();
    const other = w.hub.url.replace(/:(\d+)$/, (_, p: string) => `:${Number(p) + 1}`);
    const env = { ...a.env, DOCKERHUB_CREDENTIALS_SECRET_ID: name, DOCKERHUB_CREDENTIALS_REGISTRY: undefined };
    const r = await w.run(['login', '--helper', '--registry', other], { env });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(`DOCKERHUB_CREDENTIALS_REGISTRY=${other}`);
    expect(existsSync(join(a.config, 'config.json'))).toBe(false);
    expect(existsSync(a.config)).toBe(false);
    // Without the secret id in docker's environment: the same, naming that variable.
    const noId = await w.run(['login', '--helper', '--secret-id', name], { env: { ...a.env } });
    expect(noId.exitCode).toBe(4);
    expect(noId.stderr).toContain(`DOCKERHUB_CREDENTIALS_SECRET_ID=${name}`);
    expect(existsSync(a.config)).toBe(false);
  });
});
