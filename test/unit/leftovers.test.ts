// Issue 18's leftovers in single pieces (the 2026-12-02 fourth session): a failure that follows from
// another carries it as its cause (never re-worded with the full stop cut off), and the one rule of
// "expires within N days" at its boundary.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/ui/output.js';
import { failure } from '../../src/errors.js';
import { recordHubFacts } from '../../src/flows/hub-facts.js';
import { RotationError } from '../../src/rotation/steps.js';
import { expiryFacts } from '../../src/domain/lifecycle.js';
import type { Context } from '../../src/context.js';
import type { SecretStore } from '../../src/aws/store.js';

function capture() {
  const text = { stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d) => (text.stdout += d));
  stderr.on('data', (d) => (text.stderr += d));
  return { out: new Output({ stdout, stderr }, { json: false, color: false, debug: false }), text };
}

const refusal = failure('access-denied', 'AWS refused TagResource on ci/app: not authorized.', 'Grant secretsmanager:TagResource.');

describe('a failure that follows from another carries it as its cause', () => {
  it("the rotation function's step failure: its own sentence, then the cause in its own words", () => {
    const e = new RotationError('createSecret', 'ci/app', 'it stopped on an unexpected error', refusal);
    expect(e.message).toBe('createSecret for ci/app failed: it stopped on an unexpected error. Cause: AWS refused TagResource on ci/app: not authorized.');
    expect(e.causeText).toBe(refusal.message);
    expect((e as Error & { cause?: unknown }).cause).toBe(refusal);
    // Its own reasons are not cut: no sentence of another is re-worded into it.
    expect(new RotationError('testSecret', 'ci/app', 'version v1 is not AWSPENDING').message).toBe('testSecret for ci/app failed: version v1 is not AWSPENDING.');
  });

  it('the hub facts that could not be recorded: a warning, then Cause: with the refusal whole', async () => {
    const { out, text } = capture();
    const store = { tag: async () => Promise.reject(refusal) } as unknown as SecretStore;
    const info = { arn: 'arn', name: 'ci/app', versions: { v1: ['AWSCURRENT'] }, tags: {} };
    await recordHubFacts({ out } as unknown as Context, store, info, 'v1', { id: 'abc-1', kind: 'pat' });
    expect(text.stderr).toContain('Which Docker Hub token version v1 holds could not be recorded; retire will look it up by its label.\n');
    expect(text.stderr).toContain(`  Cause: ${refusal.message}\n`);
  });
});

describe('"expires within N days": one rule for status, verify and tokens', () => {
  const now = new Date('2026-12-02T18:30:00Z');
  for (const [expires, due] of [['2027-01-01', true], ['2027-01-02', false], ['2026-12-02', true]] as const) {
    it(`${expires} from ${now.toISOString()} with 30 days: ${due ? 'due' : 'not due'} (whole UTC days left, at most N)`, () => {
      const f = expiryFacts({ expires }, 30, now);
      expect(f.rotationDue).toBe(due);
    });
  }
});
