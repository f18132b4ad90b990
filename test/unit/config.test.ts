import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REGISTRY } from '../../src/domain/docker-hub.js';
import { closeMatches, configFileNote, findConfigFile, resolveSettings } from '../../src/config.js';

const tty = { stdinIsTTY: true, stderrIsTTY: true };

/** Temporary folders of this file, removed when it ends. */
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('resolveSettings', () => {
  const dir = tempDir('dhc-config-');
  const nested = join(dir, 'a/b');
  mkdirSync(nested, { recursive: true });
  writeFileSync(join(dir, '.dockerhub-credentials.json'), JSON.stringify({ secretId: 'from/file', region: 'eu-west-1', profile: 'file-profile', repository: 'org/app' }));

  it('finds the config file from the working directory upward', () => {
    expect(findConfigFile(nested)).toBe(join(dir, '.dockerhub-credentials.json'));
  });

  it('takes flags over environment over file over defaults', () => {
    const env = { DOCKERHUB_CREDENTIALS_SECRET_ID: 'from/env', AWS_DEFAULT_REGION: 'us-east-1' };
    const s = resolveSettings({ secretId: 'from/flag' }, { env, cwd: nested, ...tty });
    expect(s.secretId).toBe('from/flag');
    expect(s.region).toBe('us-east-1');
    expect(s.profile).toBe('file-profile');
    expect(s.repository).toBe('org/app');
    expect(s.registry).toBe(DEFAULT_REGISTRY);
    expect(resolveSettings({}, { env, cwd: nested, ...tty }).secretId).toBe('from/env');
    expect(resolveSettings({}, { env: {}, cwd: nested, ...tty }).secretId).toBe('from/file');
  });

  it('prefers AWS_REGION over AWS_DEFAULT_REGION', () => {
    const s = resolveSettings({}, { env: { AWS_REGION: 'eu-west-2', AWS_DEFAULT_REGION: 'us-east-1' }, cwd: tmpdir(), ...tty });
    expect(s.region).toBe('eu-west-2');
  });

  it('is interactive only with a terminal on stdin and stderr, and not with --non-interactive', () => {
    expect(resolveSettings({}, { env: {}, cwd: tmpdir(), ...tty }).interactive).toBe(true);
    expect(resolveSettings({}, { env: {}, cwd: tmpdir(), ...tty, stdinIsTTY: false }).interactive).toBe(false);
    expect(resolveSettings({}, { env: {}, cwd: tmpdir(), ...tty, stderrIsTTY: false }).interactive).toBe(false);
    expect(resolveSettings({ nonInteractive: true }, { env: {}, cwd: tmpdir(), ...tty }).interactive).toBe(false);
  });

  it('turns colour off for --no-color and for NO_COLOR', () => {
    expect(resolveSettings({ color: false }, { env: {}, cwd: tmpdir(), ...tty }).color).toBe(false);
    expect(resolveSettings({}, { env: { NO_COLOR: '1' }, cwd: tmpdir(), ...tty }).color).toBe(false);
    expect(resolveSettings({}, { env: {}, cwd: tmpdir(), ...tty }).color).toBe(true);
  });

  it('turns colour off for TERM=dumb, a terminal that cannot show it (stranger trial, session 3)', () => {
    expect(resolveSettings({}, { env: { TERM: 'dumb' }, cwd: tmpdir(), ...tty }).color).toBe(false);
    expect(resolveSettings({}, { env: { TERM: 'xterm-256color' }, cwd: tmpdir(), ...tty }).color).toBe(true);
  });

  it('rejects a malformed file, naming it and the problem', () => {
    const bad = tempDir('dhc-bad-');
    const path = join(bad, '.dockerhub-credentials.json');
    writeFileSync(path, JSON.stringify({ secretId: 42 }));
    expect(() => resolveSettings({}, { env: {}, cwd: bad, ...tty })).toThrow(`The config file ${path} is malformed: "secretId" must be a non-empty string.`);
    writeFileSync(path, '[]');
    expect(() => resolveSettings({}, { env: {}, cwd: bad, ...tty })).toThrow(/must hold a JSON object/);
  });

  it('names a close key for a typo ("secretID": did you mean "secretId")', () => {
    const bad = tempDir('dhc-typo-');
    writeFileSync(join(bad, '.dockerhub-credentials.json'), JSON.stringify({ secretID: 'ci/dockerhub' }));
    expect(() => resolveSettings({}, { env: {}, cwd: bad, ...tty })).toThrow(expect.objectContaining({ hint: expect.stringMatching(/^Did you mean "secretId"\? Allowed keys:/) }));
    writeFileSync(join(bad, '.dockerhub-credentials.json'), JSON.stringify({ regoin: 'eu-west-2' }));
    expect(() => resolveSettings({}, { env: {}, cwd: bad, ...tty })).toThrow(expect.objectContaining({ hint: expect.stringMatching(/^Did you mean "region"\?/) }));
    writeFileSync(join(bad, '.dockerhub-credentials.json'), JSON.stringify({ colour: 'x' }));
    expect(() => resolveSettings({}, { env: {}, cwd: bad, ...tty })).toThrow(expect.objectContaining({ hint: expect.stringMatching(/^Allowed keys:/) }));
  });

  it('says which values came from the file, and only those in use', () => {
    const s = resolveSettings({ region: 'us-east-1' }, { env: {}, cwd: nested, ...tty });
    expect(configFileNote(s)).toBe(`Using secretId, profile, repository from ${join(dir, '.dockerhub-credentials.json')}`);
    const all = resolveSettings({ secretId: 'a/b', region: 'us-east-1', profile: 'p', repository: 'o/r' }, { env: {}, cwd: nested, ...tty });
    expect(configFileNote(all)).toBeUndefined();
  });
});

describe('which config file is trusted (issue 22, item 4)', () => {
  const file = (dir: string) => join(dir, '.dockerhub-credentials.json');
  it('refuses a config file that is a symbolic link, even to a good file', () => {
    const good = tempDir('dhc-target-');
    writeFileSync(file(good), '{}');
    const linked = tempDir('dhc-link-');
    symlinkSync(file(good), file(linked));
    expect(() => findConfigFile(linked)).toThrow(`Refused the config file ${file(linked)}: it is a symbolic link, and no link is followed (its target could be anywhere).`);
  });

  it("accepts a file and folder writable by the user's own private group only (umask 002 on Fedora, RHEL, Debian)", () => {
    const d = tempDir('dhc-upg-');
    writeFileSync(file(d), '{}');
    chmodSync(file(d), 0o664);
    chmodSync(d, 0o775);
    const gid = process.getgid!();
    const me = userInfo().username;
    const group = readFileSync('/etc/group', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[2] === String(gid));
    const shared = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')).some((f) => f[3] === String(gid) && f[0] !== me);
    const isPrivate = group !== undefined && group[3]!.split(',').every((m) => m === '' || m === me) && !shared;
    // This machine's own group table decides which answer is right; both are asserted.
    if (isPrivate) expect(findConfigFile(d)).toBe(file(d));
    else expect(() => findConfigFile(d)).toThrow(/can be written by its group/);
  });

  it('refuses a file its group can write, and a file in a folder others can write; stops at such a folder', () => {
    const d = tempDir('dhc-modes-');
    writeFileSync(file(d), '{}');
    chmodSync(file(d), 0o664);
    // A group others share (nogroup, 65534: root may hand the file to it; see the next test for one's private group).
    if (process.getuid?.() === 0) {
      chownSync(file(d), 0, 65534);
      expect(() => findConfigFile(d)).toThrow(/it can be written by its group/);
      chownSync(file(d), 0, 0);
    }
    chmodSync(file(d), 0o644);
    expect(findConfigFile(d)).toBe(file(d));
    const open = join(d, 'open');
    const below = join(open, 'below');
    mkdirSync(below, { recursive: true });
    chmodSync(open, 0o777);
    // The search stops at the open folder: the good file above it is not used.
    expect(findConfigFile(below)).toBeUndefined();
    writeFileSync(file(open), '{}');
    expect(() => findConfigFile(below)).toThrow(expect.objectContaining({ code: 'unsafe-config-file', exitCode: 2, message: expect.stringContaining(`the folder ${open} can be written by every user`) }));
    // Your own open folder: make it private. A sticky one (like /tmp) is shared on purpose: work elsewhere.
    expect(() => findConfigFile(below)).toThrow(expect.objectContaining({ hint: `Run: chmod go-w ${open}` }));
    chmodSync(open, 0o1777);
    expect(() => findConfigFile(below)).toThrow(expect.objectContaining({ hint: expect.stringMatching(new RegExp(`^Work in a folder outside ${open}, or put your own`)) }));
  });

  it('finds close matches for a mistyped name, nearest first and bounded', () => {
    const names = ['ci/dockerhub', 'ci/dockerhub-old', 'prod/github', 'team/dockerhub-ci'];
    expect(closeMatches('ci/dokerhub', names, 3)).toEqual(['ci/dockerhub']);
    expect(closeMatches('ci/dockerhb-old', names, 3)[0]).toBe('ci/dockerhub-old');
    expect(closeMatches('dockerhub', names, 2)).toHaveLength(2);
    expect(closeMatches('zzzz', names, 3)).toEqual([]);
  });
});

describe('the https rule for every URL the token travels to (issue 22, item 7)', () => {
  it('reads IPv4-mapped IPv6, dotted and hex, as its IPv4 address', async () => {
    const { isLoopbackHost, unmappedHost } = await import('../../src/config.js');
    expect(unmappedHost('[::ffff:7f00:1]')).toBe('127.0.0.1');
    expect(unmappedHost('[::ffff:127.0.0.1]')).toBe('127.0.0.1');
    expect(unmappedHost('[0:0:0:0:0:ffff:a00:1]')).toBe('10.0.0.1');
    for (const host of ['localhost', '127.0.0.1', '127.9.9.9', '[::1]', '[::ffff:7f00:1]', '[::FFFF:127.0.0.1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '[::ffff:a00:1]', '[::ffff:0.0.0.0]', '[::7f00:1]', 'localhost.example', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('holds a realm to the rule, refuses a drop from https:// to http://, and warns for another host', async () => {
    const { checkRealm } = await import('../../src/hub/registry.js');
    const warned: string[] = [];
    const warn = (l: string) => warned.push(l);
    expect(() => checkRealm('http://[::ffff:7f00:1]:5000/token', 'http://127.0.0.1:5000', warn)).not.toThrow();
    expect(warned).toEqual([]);
    expect(() => checkRealm('http://evil.example/token', 'http://127.0.0.1:5000', warn)).toThrow(/over http:\/\/ to another machine, so the token was not sent/);
    expect(() => checkRealm('http://127.0.0.1:9/token', 'https://registry.example', warn)).toThrow(/over http:\/\/ although the registry itself is https:\/\//);
    expect(() => checkRealm('https://u:p@auth.example/token', 'https://registry.example', warn)).toThrow(expect.objectContaining({ code: 'insecure-realm', exitCode: 5 }));
    checkRealm('https://auth.docker.io/token', 'https://registry-1.docker.io', warn);
    expect(warned).toEqual([]);
    checkRealm('https://gitlab.example/jwt/auth', 'https://registry.gitlab.example', warn);
    expect(warned).toEqual(['The registry registry.gitlab.example sends the login to another host, gitlab.example (its token realm).']);
  });
});
