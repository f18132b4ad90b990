// The pure rules behind the token's record: tags read by the rules they were written by, the
// expiry window, the one label suggestion, what counts as a drop in access, and releasing a
// replaced answer from redaction without releasing anything else.
import { describe, expect, it } from 'vitest';
import type { SecretInfo } from '../../src/domain/secret.js';
import type { HubReport } from '../../src/flows/validate.js';
import { accessDrops, defaultWarnDays, encodeMeta, expiryFacts, metaOf, parseExpiryDate, suggestLabel, tagKey } from '../../src/domain/lifecycle.js';
import { releaseReplacedToken } from '../../src/flows/collect.js';
import { containsSecret, redact, registerSecret, unregisterSecret } from '../../src/ui/redact.js';

const info = (tags: Record<string, string>): SecretInfo => ({ name: 'x', arn: 'arn', tags, versions: {} }) as unknown as SecretInfo;
const raw = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const NOW = new Date('2026-12-02T10:00:00Z');

describe('metaOf', () => {
  it('keeps what the tool writes, access level and push included', () => {
    const tags = { [tagKey('v1')]: encodeMeta({ expires: '2027-03-01', label: 'app-ci-2026-12', access: 'Read & Write', push: true }) };
    expect(metaOf(info(tags), 'v1')).toEqual({ expires: '2027-03-01', label: 'app-ci-2026-12', access: 'Read & Write', push: true });
  });

  it.each([
    [{ e: '2026-13-45' }, ['expiry']],
    [{ e: '2027-02-30' }, ['expiry']],
    [{ e: 20270301 }, ['expiry']],
    [{ l: 'ok\u001b[2Jfake' }, ['label']],
    [{ l: 'x'.repeat(101) }, ['label']],
    [{ l: 'rtl\u202eevil' }, ['label']],
    [{ e: 'soon', l: '' }, ['expiry', 'label']],
  ])('reads %j as unknown, and says which', (value, invalid) => {
    const meta = metaOf(info({ [tagKey('v1')]: raw(value) }), 'v1');
    expect(meta.invalid).toEqual(invalid);
    if (invalid.includes('expiry')) expect(meta.expires).toBeUndefined();
    if (invalid.includes('label')) expect(meta.label).toBeUndefined();
    expect(expiryFacts(meta, 30, NOW).text).not.toContain('NaN');
  });

  it('reads a tag that is not base64 JSON as unknown', () => {
    expect(metaOf(info({ [tagKey('v1')]: 'garbage' }), 'v1').invalid).toEqual(['expiry', 'label']);
    expect(metaOf(info({}), 'v1')).toEqual({});
  });
});

describe('expiry', () => {
  it('refuses a date more than a year away, and takes one exactly a year away', () => {
    expect(parseExpiryDate('2027-12-02', '--expires-at', NOW)).toBe('2027-12-02');
    expect(() => parseExpiryDate('2027-12-03', '--expires-at', NOW)).toThrow(/more than a year away/);
    expect(() => parseExpiryDate('2026-12-01', '--expires-at', NOW)).toThrow(/in the past/);
  });

  it('warns 30 days ahead, or a third of the lifetime when that is shorter', () => {
    expect(defaultWarnDays({ expires: '2027-01-01' }, NOW)).toBe(10);
    expect(defaultWarnDays({ expires: '2027-03-02' }, NOW)).toBe(30);
    expect(defaultWarnDays({ expires: '2027-12-02' }, NOW)).toBe(30);
    expect(defaultWarnDays({ expires: 'never' }, NOW)).toBe(30);
    expect(defaultWarnDays({ expires: '2027-01-01' }, undefined)).toBe(30);
    expect(expiryFacts({ expires: '2027-01-01' }, defaultWarnDays({ expires: '2027-01-01' }, NOW), NOW).rotationDue).toBe(false);
  });

  it('never drops the window below a week: a token stored (or re-recorded) with a day left is due at once (stranger trial, session 3)', () => {
    // NOW is 2026-12-02: an expiry recorded today for tomorrow gave a window of 0 days, green until the last hours.
    expect(defaultWarnDays({ expires: '2026-12-03' }, NOW)).toBe(7);
    expect(expiryFacts({ expires: '2026-12-03' }, defaultWarnDays({ expires: '2026-12-03' }, NOW), NOW).rotationDue).toBe(true);
    expect(expiryFacts({ expires: '2026-12-09' }, defaultWarnDays({ expires: '2026-12-09' }, NOW), NOW).rotationDue).toBe(true);
    expect(defaultWarnDays({ expires: '2026-12-23' }, NOW)).toBe(7);
    expect(expiryFacts({ expires: '2026-12-23' }, defaultWarnDays({ expires: '2026-12-23' }, NOW), NOW).rotationDue).toBe(false);
  });
});

it('suggests a label not yet recorded, whatever its case', () => {
  expect(suggestLabel('alice1/app', [], NOW)).toBe('app-ci-2026-12');
  expect(suggestLabel('alice1/app', ['APP-ci-2026-12', 'app-ci-2026-12-2'], NOW)).toBe('app-ci-2026-12-3');
});

describe('accessDrops', () => {
  const report = (o: Partial<HubReport>): HubReport => ({ ok: true, dockerLogin: 'passed', tokenEndpoint: 'passed', push: 'not-checked', repository: null, hubUsername: null, accessLevel: null, summary: '', ...o });
  it('names a lower access level and push no longer checked', () => {
    expect(accessDrops({ access: 'Read & Write', push: true }, 'a/b', report({ accessLevel: 'Read-only' }))).toHaveLength(2);
    expect(accessDrops({ access: 'Read, Write, Delete' }, undefined, report({ accessLevel: 'Read & Write', push: 'granted', repository: 'a/b' }))).toHaveLength(1);
  });
  it('says nothing when nothing drops or nothing was recorded', () => {
    expect(accessDrops({ access: 'Read & Write', push: true }, 'a/b', report({ accessLevel: 'Read & Write', push: 'granted', repository: 'a/b' }))).toEqual([]);
    expect(accessDrops({}, undefined, report({ accessLevel: 'Read-only' }))).toEqual([]);
    // A Basic-only registry where push was never checked: no question on every rotation.
    expect(accessDrops({ access: 'Read & Write' }, 'a/b', report({ accessLevel: 'Read & Write', repository: 'a/b' }))).toEqual([]);
  });
});

describe('releasing a replaced token answer', () => {
  it('shows a name again, keeps every other registered value, even one sharing its forms', () => {
    registerSecret('demouser99');
    registerSecret('demouser99/app');
    registerSecret('Hunter2!secret');
    releaseReplacedToken('demouser99');
    releaseReplacedToken('Hunter2!secret');
    expect(redact('login as demouser99 ok')).toBe('login as demouser99 ok');
    expect(redact('push to demouser99/app')).toBe('push to [redacted]');
    expect(containsSecret('Hunter2!secret')).toBe(true);
    unregisterSecret('demouser99/app');
    expect(containsSecret('demouser99/app')).toBe(false);
    expect(containsSecret(Buffer.from('u:Hunter2!secret').toString('base64'))).toBe(true);
  });
  it('never releases something shaped like a token', () => {
    registerSecret('dckr_pat_abcdefghijklmnopqrstuvwxyz0');
    releaseReplacedToken('dckr_pat_abcdefghijklmnopqrstuvwxyz0');
    expect(containsSecret('dckr_pat_abcdefghijklmnopqrstuvwxyz0')).toBe(true);
  });
});
