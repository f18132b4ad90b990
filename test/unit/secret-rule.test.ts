// The one rule for what looks like a secret, and redaction in every form a service may quote.
import { describe, expect, it } from 'vitest';
import { looksSecret, printable, redact, registerSecret } from '../../src/ui/redact.js';
import { checkCredentialValue } from '../../src/domain/value.js';
import { maskIfSecret } from '../../src/ui/prompter.js';
import { checkAnswer } from '../../src/flows/inputs.js';
import { makePat } from '../support/hub-standin.mjs';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('looksSecret', () => {
  const pat = makePat();
  it.each([
    ['a PAT', pat],
    ['an OAT', makePat('dckr_oat_')],
    ['a PAT in capitals', pat.toUpperCase()],
    ['a PAT behind a zero-width space', `\u200b${pat}`],
    ['a PAT with a soft hyphen and spaces inside the prefix', `d\u00adckr _pat_${pat.slice(9)}`],
    ['a PAT inside a longer value', `alice1/${pat}`],
    ['user:token', `alice1:${pat}`],
    ['user:password', 'alice1:hunter2hunter2'],
    ["docker's base64 user:token", b64(`alice1:${pat}`)],
    ['base64url of user:password', b64('alice1:correct-horse').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')],
  ])('recognises %s', (_what, value) => expect(looksSecret(value)).toBe(true));

  it.each([
    ['a Docker ID', 'alice1'],
    ['an organization name', 'my-org_2'],
    ['a repository', 'myorg/my-app.web'],
    ['a region', 'eu-west-2'],
    ['a secret name', 'ci/dockerhub-credentials'],
    ['a secret ARN', 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf'],
    ['a registry URL with a port', 'https://registry.example.com:5000'],
    ['the default registry', 'https://registry-1.docker.io'],
    ['a loopback URL', 'http://127.0.0.1:43111'],
    ['host:port', 'localhost:5000'],
    ['an empty value', ''],
  ])('leaves %s alone', (_what, value) => expect(looksSecret(value)).toBe(false));

  it('recognises any value that contains a registered secret, whatever it looks like', () => {
    const password = 'plainpasswordwithoutprefix99';
    expect(looksSecret(password)).toBe(false);
    registerSecret(password);
    expect(looksSecret(password)).toBe(true);
    expect(looksSecret(`x${password}x`)).toBe(true);
  });
});

describe('redact', () => {
  it('removes a registered token as is, JSON-escaped, URL-encoded and as base64 inside user:token', () => {
    const token = 'tok"en\\with/odd+chars&=1234567';
    registerSecret(token);
    const forms = [
      token,
      JSON.stringify({ secret: token }),
      `https://x.example/?secret=${encodeURIComponent(token)}`,
      `a=${new URLSearchParams({ t: token }).toString()}`,
      `Authorization: Basic ${b64(`alice1:${token}`)}`,
      `Authorization: Basic ${b64(`bob:${token}`)}`,
      `Authorization: Basic ${b64(`carol3x:${token}`)}`,
    ];
    for (const text of forms) {
      const out = redact(text);
      expect(out).toContain('[redacted]');
      expect(out).not.toContain(token.slice(8, 20));
      expect(out).not.toContain(b64(`alice1:${token}`).slice(12, 30));
    }
  });

  it('does not register short stored values, so a stored null still reads as null', () => {
    registerSecret('null');
    registerSecret('alice');
    expect(redact('The value is JSON but null; alice')).toBe('The value is JSON but null; alice');
  });
});

describe('printable', () => {
  it('escapes C0, C1, DEL and bidirectional controls, and nothing else', () => {
    expect(printable('a\u001b[31mb\r\n\u0007\u009b\u007f\u202eé😀')).toBe('a\\x1b[31mb\\x0d\\x0a\\x07\\x9b\\x7f\\u202eé😀');
  });
});

describe('stored username', () => {
  it('is a problem, never shown, when it looks like a token (fields swapped)', () => {
    const pat = makePat();
    const c = checkCredentialValue(JSON.stringify({ username: pat, token: 'alice1' }));
    expect(c.username).toBeNull();
    expect(c.problems.join(' ')).toContain('The key "username" holds what looks like an access token (not shown)');
    expect(JSON.stringify(c.problems)).not.toContain(pat.slice(9, 20));
  });
  it('is escaped, and a problem, when it has control characters', () => {
    const c = checkCredentialValue(JSON.stringify({ username: 'ali\u001bce', token: makePat() }));
    expect(c.username).toBe('ali\\x1bce');
    expect(c.problems).toContain('The key "username" contains control characters (shown escaped).');
  });
});

describe('prompt answers', () => {
  it('are masked while they look like a token, from the moment they start with dckr_', () => {
    expect(maskIfSecret('alice1')).toBe('alice1');
    expect(maskIfSecret('dckr')).toBe('dckr');
    expect(maskIfSecret('dckr_')).toBe('*****');
    expect(maskIfSecret(`alice1:${makePat()}`)).toMatch(/^\*+$/);
  });
  it('are checked by the same rules as flags, without being quoted', () => {
    const pat = makePat();
    const said = checkAnswer('username', pat);
    expect(said).toMatch(/^That answer holds what looks like an access token/);
    expect(String(said)).not.toContain(pat.slice(9));
    expect(checkAnswer('username', 'alice1')).toBe(true);
    expect(checkAnswer('secretId', 'ci/x y')).toMatch(/is not a Secrets Manager secret name or ARN/);
  });
});
