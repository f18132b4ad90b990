// The one renderer of failures (src/ui/render.ts): the same failure as the
// terminal's lines, the --json error object and the credential helper's line.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Output } from '../../src/ui/output.js';
import { failure, usageError } from '../../src/errors.js';
import { failureJson, helperFailure, renderFailure, renderWarning } from '../../src/ui/render.js';

function capture(json = false) {
  const text = { stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d) => (text.stdout += d));
  stderr.on('data', (d) => (text.stderr += d));
  return { out: new Output({ stdout, stderr }, { json, color: false, debug: false }), text };
}

const refused = failure('credentials-rejected', 'Docker Hub rejected the credentials for alice.', 'Check the Docker ID first.');
const wrapped = failure('rollback-target-rejected', 'Docker Hub rejects the previous token, so nothing was changed.', 'Store a working token.', 'AWSCURRENT is v2', refused);

describe('the failure renderer', () => {
  it('prints the sentence, its cause, the state and the fix, each once and in that order', () => {
    const { out, text } = capture();
    expect(renderFailure(out, wrapped)).toBe(3);
    expect(text.stderr).toBe(
      [
        '✗ Docker Hub rejects the previous token, so nothing was changed.',
        '  Cause: Docker Hub rejected the credentials for alice.',
        '  State: AWSCURRENT is v2.',
        '  Store a working token.',
        '',
      ].join('\n'),
    );
    expect(text.stdout).toBe('');
  });

  it('prints one JSON object on stdout with the code, the exit code and the cause', () => {
    const { out, text } = capture(true);
    expect(renderFailure(out, wrapped)).toBe(3);
    expect(JSON.parse(text.stdout)).toEqual({
      ok: false,
      error: {
        code: 'rollback-target-rejected',
        message: 'Docker Hub rejects the previous token, so nothing was changed.',
        hint: 'Store a working token.',
        exitCode: 3,
        state: 'AWSCURRENT is v2',
        cause: { code: 'credentials-rejected', message: 'Docker Hub rejected the credentials for alice.' },
      },
    });
    expect(failureJson(usageError('No secret id was given.'))).toEqual({ code: 'usage', message: 'No secret id was given.', hint: null, exitCode: 2 });
  });

  it('shows a declined choice without ✗, and anything unexpected as a bug (exit 1)', () => {
    const declined = capture();
    expect(renderFailure(declined.out, failure('not-rotated', 'Kept the current token; nothing was changed.', 'Create another token.'))).toBe(2);
    expect(declined.text.stderr).not.toContain('✗');
    expect(declined.text.stderr).toContain('Kept the current token; nothing was changed.');
    const bug = capture();
    expect(renderFailure(bug.out, new TypeError('x is undefined'))).toBe(1);
    expect(bug.text.stderr).toBe('✗ Unexpected error: TypeError: x is undefined\n  Run again with --debug for details, and report this as a bug.\n');
  });

  it("gives the credential helper one line: the sentence, the cause and the fix; the log gets the same reason", () => {
    expect(helperFailure(wrapped)).toEqual({
      line: 'dockerhub-credentials: Docker Hub rejects the previous token, so nothing was changed. Docker Hub rejected the credentials for alice. Store a working token.',
      reason: 'Docker Hub rejects the previous token, so nothing was changed. Docker Hub rejected the credentials for alice. Store a working token.',
    });
    expect(helperFailure(new Error('the input is longer than 8192 bytes')).line).toBe('dockerhub-credentials: the input is longer than 8192 bytes');
  });

  it('a warning keeps the failure it reports in its own words, on its own line', () => {
    const { out, text } = capture();
    renderWarning(out, 'Who reads the secret could not be recorded; the next setup preselects from the keys instead.', failure('access-denied', 'Access denied: you are not allowed secretsmanager:TagResource on ci/x.', 'Grant it.'));
    expect(text.stderr).toBe('! Who reads the secret could not be recorded; the next setup preselects from the keys instead.\n  Cause: Access denied: you are not allowed secretsmanager:TagResource on ci/x.\n');
  });
});

it('a cancellation that leaves something (a created token not deleted) no longer says "nothing was changed" (second stranger, session 3)', async () => {
  const { cancelled, withState } = await import('../../src/errors.js');
  const plain = cancelled();
  expect(plain.message).toBe('Cancelled; nothing was changed.');
  const left = withState(plain, 'the token created for this run, "x" (id 1), could not be deleted (timed out), so it is still active in Docker Hub: delete it by hand at https://app.docker.com/settings/personal-access-tokens');
  expect(left.message).toBe('Cancelled.');
  expect(left.state).toMatch(/still active in Docker Hub/);
  expect(left.exitCode).toBe(130);
});
