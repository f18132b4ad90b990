// The per-version record of which Docker Hub token a version holds (src/flows/hub-facts.ts):
// read back as written, held to its rules when a tag was edited by hand, and always
// within Secrets Manager's 256-character tag value.
import { describe, expect, it } from 'vitest';
import { MAX_TAG_VALUE, encodeHubFacts, hubFactsOf, hubTagKey, type HubFacts } from '../../src/flows/hub-facts.js';
import { sourceClaimId } from '../../src/flows/identify.js';

const info = (value: string) => ({ arn: 'arn', name: 'n', versions: {}, tags: { [hubTagKey('v1')]: value } });

describe('hub facts', () => {
  const full: HubFacts = {
    id: '29819df2-4ee7-4039-9638-b223cd0deb65',
    kind: 'oat',
    org: 'acmeorg',
    expiresAt: '2027-03-02T00:00:00Z',
    createdAt: '2026-12-02T13:30:00.123Z',
    scopes: ['scope-image-pull', 'scope-image-push'],
    created: true,
    promotedAt: '2026-12-02T13:31:00.456Z',
    state: 'inactive',
    stateAt: '2026-12-03T09:00:00.000Z',
  };

  it('reads back what was written', () => {
    expect(hubFactsOf(info(encodeHubFacts(full)), 'v1')).toEqual(full);
    expect(hubFactsOf(info(encodeHubFacts({ id: 'abc-1', kind: 'pat', expiresAt: null })), 'v1')).toMatchObject({ id: 'abc-1', kind: 'pat', expiresAt: null, created: false });
  });

  it('stays within 256 characters, dropping what Docker Hub lists again, never the id, expiry or state', () => {
    const long = { ...full, org: `o${'x'.repeat(200)}` };
    // Only letters, digits, spaces and _ . : / = + - @ (Secrets Manager's tag values).
    expect(encodeHubFacts(full)).toMatch(/^[A-Za-z0-9 _.:/=+\-@]+$/);
    const value = encodeHubFacts(long);
    expect(value.length).toBeLessThanOrEqual(MAX_TAG_VALUE);
    expect(hubFactsOf(info(value), 'v1')).toMatchObject({ id: full.id, kind: 'oat', expiresAt: full.expiresAt, promotedAt: full.promotedAt, state: 'inactive' });
    expect(encodeHubFacts(full).length).toBeLessThanOrEqual(MAX_TAG_VALUE);
  });

  it('reads a tag edited outside the tool as unknown, and drops fields that break its rules', () => {
    expect(hubFactsOf(info('not the format'), 'v1')).toBeUndefined();
    expect(hubFactsOf(info('i=../../x k=p'), 'v1')).toBeUndefined();
    const odd = hubFactsOf(info('i=abc k=p x=soon st=z s=repo:write+<script>'), 'v1');
    expect(odd).toMatchObject({ id: 'abc', expiresAt: undefined, state: undefined, scopes: ['repo:write'] });
  });

  it("reads the token id of the session's source claim in both forms (REFERENCE 7)", () => {
    expect(sourceClaimId('docker_pat|abc-123')).toBe('abc-123');
    expect(sourceClaimId('docker_oat|abc-123')).toBe('abc-123');
    expect(sourceClaimId({ type: 'docker_pat', id: 'abc-123' })).toBe('abc-123');
    expect(sourceClaimId('password')).toBeUndefined();
    expect(sourceClaimId({ type: 'other', id: 'x' })).toBeUndefined();
    expect(sourceClaimId(undefined)).toBeUndefined();
  });
});
