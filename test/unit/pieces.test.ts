import { describe, expect, it } from 'vitest';
import { checkCredentialValue, age } from '../../src/domain/value.js';
import { parseChallenge } from '../../src/hub/registry.js';
import { retryAfterSeconds, jwtPayload } from '../../src/hub/http.js';
import { accessLevel, looksLikeAccessToken, normalizeToken, validateRepository, validateUsername } from '../../src/domain/tokens.js';
import { dockerServerFor } from '../../src/domain/docker-hub.js';
import { classifySecret } from '../../src/docker/config.js';
import { buildValue } from '../../src/domain/write-value.js';
import { consumerRuleProblems, parseConsumers } from '../../src/domain/consumers.js';
import { serves } from '../../src/helper/main.js';
import { redact, registerSecret, sameSecret } from '../../src/ui/redact.js';
import { mapAwsError } from '../../src/aws/errors.js';
import { NonInteractivePrompter } from '../../src/ui/prompter.js';
import { strayPending } from '../../src/domain/secret.js';

const TOKEN = 'dckr_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('checkCredentialValue', () => {
  it('accepts the runbook shape and reports the four facts', () => {
    const c = checkCredentialValue(JSON.stringify({ username: 'alice1', token: TOKEN }));
    expect(c).toMatchObject({ hasUsername: true, hasToken: true, username: 'alice1', tokenLength: 36, problems: [] });
  });
  it.each([
    ['not json', /not JSON \(8 characters\)/],
    ['[1,2]', /JSON but an array/],
    ['"x"', /JSON but a string/],
    ['{"username":"a"}', /"token" is missing/],
    ['{"username":"a","token":""}', /"token" is empty/],
    ['{"username":5,"token":"t"}', /"username" is not a string \(it is a number\)/],
  ])('names what is wrong with %s, without echoing it', (value, problem) => {
    const c = checkCredentialValue(value);
    expect(c.problems.join(' ')).toMatch(problem);
    expect(c.problems.join(' ')).not.toContain(value.length > 3 ? value : '\u0000');
  });
  it('counts characters, not UTF-16 units', () => {
    expect(checkCredentialValue(JSON.stringify({ username: 'u', token: '😀😀' })).tokenLength).toBe(2);
  });
});

describe('age', () => {
  it('says how long ago', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(age(new Date('2026-11-20T11:00:00Z'), now)).toBe('3 days ago');
    expect(age(new Date('2026-11-23T11:59:50Z'), now)).toBe('just now');
  });
});

describe('registry protocol pieces', () => {
  it('parses the Bearer challenge', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"')).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
    });
    expect(parseChallenge('Basic realm="x"')).toEqual({ scheme: 'basic', realm: 'x' });
    expect(parseChallenge(null)).toBeUndefined();
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThanOrEqual(4);
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });
  it('decodes a JWT payload without verifying it', () => {
    const jwt = `x.${Buffer.from(JSON.stringify({ access: [{ actions: ['pull'] }] })).toString('base64url')}.y`;
    expect(jwtPayload(jwt)).toEqual({ access: [{ actions: ['pull'] }] });
    expect(jwtPayload('garbage')).toBeUndefined();
  });
  it('names Hub scopes as the settings page does', () => {
    expect(accessLevel('repo:write')).toBe('Read & Write');
    expect(accessLevel('repo:public_read')).toBe('Public Repo Read-only');
    expect(accessLevel(undefined)).toBeUndefined();
  });
  it('gives docker a server only for registries other than Docker Hub', () => {
    expect(dockerServerFor('https://registry-1.docker.io')).toBeUndefined();
    expect(dockerServerFor('http://127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});

describe('token and name rules', () => {
  it('knows the PAT shape but only warns on it', () => {
    expect(looksLikeAccessToken(TOKEN)).toBe(true);
    expect(looksLikeAccessToken('dckr_pat_short')).toBe(false);
    expect(normalizeToken(`  ${TOKEN}\r\n`)).toBe(TOKEN);
  });
  it('validates Docker IDs and repositories', () => {
    expect(validateUsername('alice1')).toBe(true);
    expect(validateUsername('Alice')).not.toBe(true);
    // The two common slips get their own fix (stranger trial, session 3).
    expect(validateUsername('DemoUser')).toBe('Docker IDs are lowercase: did you mean demouser?');
    expect(validateUsername('demo@example.com')).toMatch(/^That is an e-mail address: use the Docker ID/);
    expect(validateUsername('a')).toMatch(/^A Docker ID is 4 to 30/);
    expect(validateRepository('alice1/app')).toBe(true);
    expect(validateRepository('app')).not.toBe(true);
  });
  it('classifies local secrets', () => {
    expect(classifySecret('<token>', 'x')).toBe('identity token');
    expect(classifySecret('alice1', TOKEN)).toBe('personal access token');
    expect(classifySecret('org', 'dckr_oat_x')).toBe('organization access token');
    expect(classifySecret('alice1', 'hunter22')).toBe('password');
  });
});

describe('buildValue', () => {
  it('keeps other keys and replaces username and token', () => {
    const v = buildValue({ username: 'old', token: 'old', registry: 'docker.io' }, { username: 'alice1', token: TOKEN });
    expect(JSON.parse(v.json)).toEqual({ registry: 'docker.io', username: 'alice1', token: TOKEN });
    expect(v.keptKeys).toEqual(['registry']);
    expect(v.aliasKeys).toEqual([]);
  });

  it("writes each consumer's alias with the token, and rewrites any alias already in the value", () => {
    const ecs = buildValue(undefined, { username: 'alice1', token: TOKEN }, ['ecs', 'codebuild']);
    expect(JSON.parse(ecs.json)).toEqual({ username: 'alice1', token: TOKEN, password: TOKEN });
    const drifted = buildValue({ username: 'alice1', token: 'old', accessToken: 'older', note: 'x' }, { username: 'alice1', token: TOKEN }, ['batch']);
    expect(JSON.parse(drifted.json)).toEqual({ note: 'x', username: 'alice1', token: TOKEN, password: TOKEN, accessToken: TOKEN });
    expect(drifted.aliasKeys).toEqual(['password', 'accessToken']);
    expect(drifted.keptKeys).toEqual(['note']);
  });
});

describe('consumers', () => {
  it('parses lists, refuses unknown names, and checks the ECR prefix on names and ARNs', () => {
    expect(parseConsumers(' ECS, ecr-pull-through-cache,ecs ', '--consumers')).toEqual(['ecs', 'ecr-pull-through-cache']);
    expect(parseConsumers(undefined, 'x')).toBeUndefined();
    expect(() => parseConsumers('ecs,apprunner', '--consumers')).toThrow(/Unknown consumer "apprunner" in --consumers/);
    expect(consumerRuleProblems(['ecr-pull-through-cache'], 'ecr-pullthroughcache/dockerhub')).toEqual([]);
    expect(consumerRuleProblems(['ecr-pull-through-cache'], 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:ecr-pullthroughcache/hub-AbCdEf')).toEqual([]);
    expect(consumerRuleProblems(['ecr-pull-through-cache'], 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:ci/dockerhub-AbCdEf')[0]).toContain('use ecr-pullthroughcache/ci/dockerhub');
    expect(consumerRuleProblems(['ecs'], 'ci/dockerhub')).toEqual([]);
  });

  it('serves Docker Hub names and the configured registry only', () => {
    for (const s of ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io', 'https://registry-1.docker.io']) expect(serves(s, 'https://registry-1.docker.io')).toBe(true);
    for (const s of ['ghcr.io', 'docker.io.evil.example', 'evil.example/docker.io', '']) expect(serves(s, 'https://registry-1.docker.io')).toBe(false);
    expect(serves('127.0.0.1:5000', 'http://127.0.0.1:5000')).toBe(true);
    expect(serves('127.0.0.1:5001', 'http://127.0.0.1:5000')).toBe(false);
  });
});

describe('redaction', () => {
  it('removes every registered secret from text', () => {
    registerSecret(TOKEN);
    expect(redact(`before ${TOKEN} after`)).toBe('before [redacted] after');
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret(TOKEN, TOKEN.replace(/A$/, 'B'))).toBe(false);
  });
});

describe('mapAwsError', () => {
  const ctx = { action: 'secretsmanager:PutSecretValue', secretId: 'ci/dockerhub', profile: 'ops', region: 'eu-west-2' };
  const err = (name: string, message: string, status?: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $response: { body: 'RAW RESPONSE' } });
  it('maps an expired SSO session to aws sso login', () => {
    const e = mapAwsError(err('CredentialsProviderError', 'The SSO session associated with this profile has expired'), ctx);
    expect(e).toMatchObject({ code: 'sso-expired', exitCode: 4, hint: 'Run: aws sso login --profile ops' });
  });
  it('maps 403 without a name (moto IAM) to access denied naming the action', () => {
    const e = mapAwsError(err('Error', 'Deserialization error', 403), ctx);
    expect(e.message).toBe('Access denied: you are not allowed secretsmanager:PutSecretValue on ci/dockerhub (region eu-west-2, profile ops).');
    expect(e.exitCode).toBe(4);
  });
  it('maps KMS failures to the key', () => {
    expect(mapAwsError(err('AccessDeniedException', 'Access to KMS is not allowed'), ctx).code).toBe('kms');
    expect(mapAwsError(err('DecryptionFailure', 'key disabled'), ctx).code).toBe('kms');
  });
  it('maps throttling and network failures to exit 5', () => {
    expect(mapAwsError(err('ThrottlingException', 'slow down'), ctx).exitCode).toBe(5);
    const net = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    expect(mapAwsError(net, { ...ctx, endpoint: 'http://x' }).message).toContain('Could not reach AWS Secrets Manager at http://x');
  });
  it('never carries the raw response', () => {
    const e = mapAwsError(err('WeirdException', 'odd'), ctx);
    expect(JSON.stringify(e) + e.message + (e.hint ?? '')).not.toContain('RAW RESPONSE');
  });
});

describe('NonInteractivePrompter', () => {
  it('fails naming the flag instead of waiting for an answer', async () => {
    await expect(new NonInteractivePrompter().confirm({ message: 'Replace it?', flag: '--yes' })).rejects.toMatchObject({ exitCode: 2, hint: 'Pass --yes.' });
    await expect(new NonInteractivePrompter().input({ message: 'Docker ID:', default: 'alice1', flag: '--username' })).resolves.toBe('alice1');
  });
});

describe('strayPending', () => {
  it('is a pending label on a version that is not current', () => {
    const base = { arn: 'a', name: 'n', tags: {} };
    expect(strayPending({ ...base, versions: { a: ['AWSCURRENT'], b: ['AWSPENDING'] } })).toBe('b');
    expect(strayPending({ ...base, versions: { a: ['AWSCURRENT', 'AWSPENDING'] } })).toBeUndefined();
  });
});
