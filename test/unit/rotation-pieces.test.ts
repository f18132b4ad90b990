// Pieces of the rotation function and status that need no network: the TOTP code
// (RFC 6238's own test vectors), the function's configuration, the zip writer and
// reader, and the token metadata's new fields held to their rules.
import { describe, expect, it } from 'vitest';
import { totp, base32Decode } from '../../src/domain/totp.js';
import { configFromEnv, rotationLabel } from '../../src/rotation/steps.js';
import { encodeMeta, metaOf, tagKey } from '../../src/domain/lifecycle.js';
import { rotationLine } from '../../src/flows/schedule.js';
import { zip, unzip } from '../../scripts/zip.mjs';

describe('totp (RFC 6238 appendix B, SHA-1)', () => {
  const seed = Buffer.from('12345678901234567890');
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
  ])('at %i s the 8-digit code is %s', (t, code) => {
    expect(totp(seed, t * 1000, 8)).toBe(code);
  });
  it('reads a base32 seed as authenticator apps show it (spaces, lower case)', () => {
    expect(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(seed);
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
  });
});

describe('the function configuration', () => {
  it('reads the five variables, with Docker Hub as the default', () => {
    expect(configFromEnv({ DOCKERHUB_CREDENTIALS_ADMIN_SECRET_ID: 'ci/admin', DOCKERHUB_CREDENTIALS_REPOSITORY: 'a/b', DOCKERHUB_CREDENTIALS_EXPIRES_IN: '30d' })).toEqual({
      adminSecretId: 'ci/admin',
      repository: 'a/b',
      expiresIn: '30d',
      hubUrl: 'https://hub.docker.com',
      registry: 'https://registry-1.docker.io',
    });
  });
  it('labels a token with the request token, within Docker Hub\'s 100 characters', () => {
    const label = rotationLabel('x'.repeat(64));
    expect(label.length).toBeLessThanOrEqual(100);
    expect(label).toContain('x'.repeat(64));
  });
});

describe('version metadata: the username', () => {
  const info = (raw: string) => ({ arn: 'a', name: 'n', versions: {}, tags: { [tagKey('v1')]: raw } });
  it('round-trips', () => {
    expect(metaOf(info(encodeMeta({ label: 'l', username: 'acmeorg' })), 'v1')).toEqual({ label: 'l', username: 'acmeorg' });
    // Within the 256 characters of a tag value, whatever the label: the username gives way.
    expect(encodeMeta({ label: 'x'.repeat(100), expires: '2027-01-01', access: 'Read & Write', username: 'o'.repeat(200) }).length).toBeLessThanOrEqual(256);
  });
  it('reads a hand-edited username that breaks the rules as absent', () => {
    const raw = Buffer.from(JSON.stringify({ u: 'Not A Name' })).toString('base64url');
    expect(metaOf(info(raw), 'v1')).toEqual({});
  });
});

describe('the rotation line', () => {
  it('says when it last ran and next runs, and which function', () => {
    expect(rotationLine({ enabled: true, schedule: 'rate(90 days)', functionArn: 'arn:aws:lambda:eu-west-2:1:function:f', lastRotated: new Date('2026-12-01T10:00:00Z'), next: new Date('2027-03-01T10:00:00Z') })).toBe(
      'enabled, rate(90 days); last ran 2026-12-01 10:00 UTC; next 2027-03-01 10:00 UTC (function f)',
    );
    expect(rotationLine(undefined)).toBe('not enabled (rotated by hand)');
  });
});

describe('the package zip', () => {
  it('reads back what it wrote, byte for byte, and the same input gives the same zip', () => {
    const data = Buffer.from('export const handler = async () => {};\n'.repeat(100));
    const a = zip([{ name: 'index.mjs', data }]);
    expect(unzip(a).get('index.mjs')).toEqual(data);
    expect(zip([{ name: 'index.mjs', data }]).equals(a)).toBe(true);
  });
});
