import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REGISTRY, findConfigFile, resolveSettings } from '../../src/config.js';

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

  it('rejects a malformed file, naming it and the problem', () => {
    const bad = tempDir('dhc-bad-');
    const path = join(bad, '.dockerhub-credentials.json');
    writeFileSync(path, JSON.stringify({ secretId: 42 }));
    expect(() => resolveSettings({}, { env: {}, cwd: bad, ...tty })).toThrow(`The config file ${path} is malformed: "secretId" must be a non-empty string.`);
    writeFileSync(path, '[]');
    expect(() => resolveSettings({}, { env: {}, cwd: bad, ...tty })).toThrow(/must hold a JSON object/);
  });
});
