// Reading the user's own Docker Hub login the way docker does (REFERENCE 2,
// "The docker CLI", "Credential helpers", "Auto-generated PATs"), with real
// credential-helper processes on PATH and real config files.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeLocalLogin } from '../../src/docker/config.js';
import { Canary } from '../support/harness.js';

const HUB = 'https://index.docker.io/v1/';
const auth = (user: string, secret: string) => Buffer.from(`${user}:${secret}`).toString('base64');

describe('probing the local Docker Hub login', () => {
  let root: string;
  const pat = new Canary();
  const oat = new Canary('dckr_oat_');
  const signal = new AbortController().signal;
  // The helpers are found on the environment's PATH, not the test process's (askHelper gets the run's env).
  const env = (extra: Record<string, string> = {}) => ({ HOME: root, DOCKER_CONFIG: join(root, '.docker'), PATH: `${join(root, 'bin')}:${process.env.PATH}`, ...extra });
  const config = (value: unknown) => writeFileSync(join(root, '.docker/config.json'), JSON.stringify(value));
  /** A docker-credential-<name> on PATH: `get` prints `get`, `list` prints `list` (or fails when undefined). */
  const helper = (name: string, answers: { get: string; getExit?: number; list?: string }) => {
    const script = `#!/bin/sh
case "$1" in
  get) cat >/dev/null; printf '%s\\n' '${answers.get}'; exit ${answers.getExit ?? 0} ;;
  list) ${answers.list === undefined ? 'exit 1' : `printf '%s\\n' '${answers.list}'`} ;;
esac`;
    writeFileSync(join(root, 'bin', `docker-credential-${name}`), script);
    chmodSync(join(root, 'bin', `docker-credential-${name}`), 0o755);
  };
  const probe = async (extra?: Record<string, string>) => {
    const r = await probeLocalLogin(env(extra), signal);
    for (const c of [pat, oat]) c.assertAbsent('notes', r.notes.join('\n'));
    return r;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dhc-local-'));
    mkdirSync(join(root, '.docker'));
    mkdirSync(join(root, 'bin'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('stops at a credential store that says "not found": no fallback to the plaintext auths entry', async () => {
    helper('empty', { get: 'credentials not found in native keychain', getExit: 1 });
    config({ credsStore: 'empty', auths: { [HUB]: { auth: auth('alice1', pat.token) } } });
    const r = await probe();
    expect(r.found).toBeUndefined();
    expect(r.notes).toContain('credential helper empty has no Docker Hub login');
    expect(r.notes.join(' ')).toContain('plaintext entry');
  });

  it('a configured helper that is not installed is reported, and the plaintext entry is still not used', async () => {
    config({ credsStore: 'missing', auths: { [HUB]: { auth: auth('alice1', pat.token) } } });
    const r = await probe();
    expect(r.found).toBeUndefined();
    expect(r.notes[0]).toMatch(/docker-credential-missing is configured but not installed/);
  });

  it('credHelpers for Docker Hub wins over credsStore', async () => {
    helper('hubonly', { get: JSON.stringify({ ServerURL: HUB, Username: 'alice1', Secret: pat.token }), list: JSON.stringify({ [HUB]: 'alice1' }) });
    config({ credsStore: 'missing', credHelpers: { [HUB]: 'hubonly' } });
    const r = await probe();
    expect(r.found).toMatchObject({ username: 'alice1', kind: 'personal access token', source: 'credential helper hubonly', reusable: true, webLoginEntries: false });
  });

  it("marks a PAT as auto-generated when the store also holds docker's web-login entries (helper and file)", async () => {
    helper('desktop', {
      get: JSON.stringify({ ServerURL: HUB, Username: 'alice1', Secret: pat.token }),
      list: JSON.stringify({ [HUB]: 'alice1', [`${HUB}access-token`]: 'alice1', [`${HUB}refresh-token`]: 'alice1' }),
    });
    config({ credsStore: 'desktop' });
    expect((await probe()).found).toMatchObject({ kind: 'personal access token', reusable: true, webLoginEntries: true });
    config({ auths: { [HUB]: { auth: auth('alice1', pat.token) }, [`${HUB}access-token`]: { auth: auth('alice1', 'jwt') } } });
    expect((await probe()).found).toMatchObject({ kind: 'personal access token', webLoginEntries: true, source: join(root, '.docker/config.json') });
  });

  it('an account password is found but never reusable; an OAT is', async () => {
    config({ auths: { [HUB]: { auth: auth('alice1', 'correct-horse-battery') } } });
    expect((await probe()).found).toMatchObject({ kind: 'password', reusable: false });
    config({ auths: { [HUB]: { auth: auth('acmeorg', oat.token) } } });
    expect((await probe()).found).toMatchObject({ kind: 'organization access token', username: 'acmeorg', reusable: true });
  });

  it('reads DOCKER_AUTH_CONFIG first, falls back to the stores without a Docker Hub entry there, and ignores it when not JSON', async () => {
    helper('empty', { get: 'credentials not found in native keychain', getExit: 1 });
    config({ credsStore: 'empty' });
    const fromEnv = await probe({ DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [HUB]: { auth: auth('acmeorg', oat.token) } } }) });
    expect(fromEnv.found).toMatchObject({ source: 'DOCKER_AUTH_CONFIG', username: 'acmeorg', kind: 'organization access token' });
    const other = await probe({ DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'ghcr.io': { auth: auth('x', 'y') } } }) });
    expect(other.found).toBeUndefined();
    expect(other.notes).toContain('credential helper empty has no Docker Hub login');
    const broken = await probe({ DOCKER_AUTH_CONFIG: '{not json' });
    expect(broken.notes[0]).toBe('DOCKER_AUTH_CONFIG is set but is not JSON; docker ignores it too');
  });

  it("says docker reads the registry through this tool's own helper, and never runs that helper", async () => {
    // A helper named as this tool's, which would fail loudly if the probe ran it.
    helper('dockerhub-credentials', { get: 'must not be run', getExit: 9 });
    config({ credHelpers: { '127.0.0.1:5000': 'dockerhub-credentials' } });
    const r = await probeLocalLogin(env(), signal, '127.0.0.1:5000');
    expect(r.found).toBeUndefined();
    expect(r.notes).toEqual([`docker reads 127.0.0.1:5000 through this tool's own credential helper (docker-credential-dockerhub-credentials, set in ${join(root, '.docker/config.json')}), which serves the secret itself; no other login to reuse`]);
    expect(r.notes.join(' ')).not.toContain('no Docker Hub login found');
    // Docker Hub itself through this tool's helper: the same.
    config({ credHelpers: { 'https://index.docker.io/v1/': 'dockerhub-credentials' } });
    expect((await probe()).notes[0]).toContain("docker reads Docker Hub through this tool's own credential helper");
  });
});
