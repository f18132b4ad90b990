import { PACKAGE_VERSION as VERSION } from '../support/harness.js';
import { expect, it } from 'vitest';
import { execa } from 'execa';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { REGION, uniqueName } from '../support/aws.js';

const RUNBOOK_CHECK = `import json, sys
d = json.load(sys.stdin)
print("username present:", "username" in d)
print("token present:", "token" in d)
print("username:", d.get("username"))
print("token length:", len(d.get("token", "")))`;

describeWith(['moto_server', 'docker', 'aws', 'python3'], 'setup, unattended, against moto, the Docker Hub stand-in and the real docker CLI', () => {
  const w = useWorld();
  const unattended = (name: string, ...extra: string[]) => ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, ...extra];

  it('stores a read & write PAT that the original runbook check reads back, after docker itself logged in', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const before = w.hub.requests.length;
    const r = await w.run(unattended(name, '--repository', 'alice1/app'), { input: `${w.rw.token}\n` });
    expect(r.stderr).toContain('docker login as alice1 succeeded');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('arn:aws:secretsmanager:');
    expect(r.stdout).toContain(`npx dockerhub-credentials@${VERSION} login --secret-id arn:aws:secretsmanager:`);

    // docker's own login request reached the stand-in (its user agent and client_id)
    const dockerCalls = w.hub.requests.slice(before).filter((q) => q.path === '/token' && q.query.client_id === 'docker');
    expect(dockerCalls.length).toBe(1);
    expect(dockerCalls[0]!.userAgent).toMatch(/^Docker-Client\//);
    // the push check asked for the repository scope
    expect(w.hub.requests.slice(before).some((q) => q.query.scope === 'repository:alice1/app:pull,push')).toBe(true);

    // the original runbook's check
    const aws = execa('aws', ['--endpoint-url', w.moto.url, '--region', REGION, 'secretsmanager', 'get-secret-value', '--secret-id', name, '--query', 'SecretString', '--output', 'text'], {
      env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', HOME: w.sandbox.home },
    });
    const py = await execa('python3', ['-c', RUNBOOK_CHECK], { input: (await aws).stdout });
    expect(py.stdout.split('\n')).toEqual(['username present: True', 'token present: True', 'username: alice1', 'token length: 36']);
    expect(JSON.parse((await w.secrets.value(name))!)).toEqual({ username: 'alice1', token: w.rw.token });
  });

  it('takes the token from DOCKERHUB_TOKEN and the username from DOCKERHUB_USERNAME, and --json prints one result', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(['setup', '--non-interactive', '--secret-id', name, '--json'], {
      env: { DOCKERHUB_TOKEN: w.rw.token, DOCKERHUB_USERNAME: 'alice1' },
    });
    expect(r.exitCode).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ ok: true, secretId: name, username: 'alice1', tokenLength: 36, replaced: false });
    expect(result.validation).toMatchObject({ dockerLogin: 'passed', tokenEndpoint: 'passed', hubUsername: 'alice1', accessLevel: 'Read & Write' });
  });

  it('a revoked PAT exits 3 and leaves the stored value unchanged', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: 'the-old-good-one' }));
    const before = await w.secrets.stages(name);
    const r = await w.run(unattended(name, '--yes'), { input: w.revoked.token });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('Docker Hub rejected the credentials for alice1');
    expect(r.stderr).toContain('https://app.docker.com/settings/personal-access-tokens');
    expect(await w.secrets.stages(name)).toEqual(before);
    expect(JSON.parse((await w.secrets.value(name))!).token).toBe('the-old-good-one');
  });

  it('an expired PAT exits 3 and says it expired', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(unattended(name), { input: w.expired.token });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/has expired/);
    expect(await w.secrets.stages(name)).toEqual({});
  });

  for (const mode of ['401', '200'] as const) {
    it(`a read-only PAT with --repository exits 3 about push rights (insufficient scopes as ${mode})`, async () => {
      w.hub.switches.insufficientScopes = mode;
      const name = uniqueName();
      await w.secrets.create(name);
      const r = await w.run(unattended(name, '--repository', 'alice1/app'), { input: w.ro.token });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain('The token for alice1 is not allowed to push to alice1/app: its access level (Read-only) does not include push.');
      expect(r.stderr).toContain('Read & Write');
      expect(await w.secrets.stages(name)).toEqual({});
    });
  }

  it('a read-only PAT without --repository is accepted for pull-only CI', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(unattended(name, '--json'), { input: w.ro.token });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).validation.accessLevel).toBe('Read-only');
  });

  it("a token that belongs to someone else exits 3 naming its owner", async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    // docker login checks user and token together, so this is caught there; the Hub API check catches it too.
    const r = await w.run(unattended(name), { input: w.bob.token });
    expect(r.exitCode).toBe(3);
  });

  it('replacing an existing value without a terminal needs --yes, and keeps other keys', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'old', token: 'old-token-value', registry: 'docker.io' }));
    const refused = await w.run(unattended(name), { input: w.rw.token });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(refused.stderr).toContain('already holds a token for old');
    const ok = await w.run(unattended(name, '--yes'), { input: w.rw.token });
    expect(ok.exitCode).toBe(0);
    expect(ok.stderr).toContain('Kept the other keys of the existing value: registry');
    expect(JSON.parse((await w.secrets.value(name))!)).toEqual({ registry: 'docker.io', username: 'alice1', token: w.rw.token });
    expect(JSON.parse((await w.secrets.value(name, 'AWSPREVIOUS'))!).token).toBe('old-token-value');
  });

  it('a missing answer without a terminal is a usage error naming the flag', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const noUser = await w.run(['setup', '--non-interactive', '--token-stdin', '--secret-id', name], { input: w.rw.token });
    expect(noUser.exitCode).toBe(2);
    expect(noUser.stderr).toContain('--username');
    const noToken = await w.run(['setup', '--non-interactive', '--username', 'alice1', '--secret-id', name]);
    expect(noToken.exitCode).toBe(2);
    expect(noToken.stderr).toMatch(/--token-stdin or set DOCKERHUB_TOKEN/);
    const noSecret = await w.run(['setup', '--non-interactive', '--username', 'alice1'], { env: { DOCKERHUB_TOKEN: w.rw.token } });
    expect(noSecret.exitCode).toBe(2);
    expect(noSecret.stderr).toContain('--secret-id');
  });

  it('--debug logs every call and the docker steps, never the token', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(unattended(name, '--debug', '--repository', 'alice1/app'), { input: w.rw.token });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/debug: docker login exit 0/);
    expect(r.stderr).toMatch(/debug: GET http:\/\/127\.0\.0\.1:\d+\/token: HTTP 200/);
    expect(r.stderr).toMatch(/debug: PutSecretValue .*: ok in \d+ ms/);
  });

  it('refuses a token pasted as the username, without showing it', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(['setup', '--non-interactive', '--username', w.rw.token, '--secret-id', name], { env: { DOCKERHUB_TOKEN: w.ro.token } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--username holds what looks like an access token, but the token goes in only through the prompt, stdin (--token-stdin) or DOCKERHUB_TOKEN.');
  });

  it('a missing secret exits 4 with the Terraform hint before anything is validated', async () => {
    const r = await w.run(unattended('not/there'), { input: w.rw.token });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('terraform -chdir=terraform apply');
  });

  it('honours Retry-After on 429 and then succeeds', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    w.hub.switches.rateLimit = { count: 1, retryAfter: 1 };
    // docker login goes first and sees the 429 itself: make the limit hit the tool's own check instead
    const r = await w.run(unattended(name, '--debug'), { input: w.rw.token, env: { PATH: '/nonexistent' } });
    expect(r.stderr).toMatch(/rate limited; retrying in 1 s/);
    expect(r.exitCode).toBe(0);
  });

  it('a long Retry-After is reported as a transient failure (exit 5)', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    w.hub.switches.rateLimit = { count: 5, retryAfter: 3600 };
    const r = await w.run(unattended(name), { input: w.rw.token, env: { PATH: '/nonexistent' } });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('Wait 3600 seconds');
  });

  it('without a docker CLI validation relies on the HTTP checks and says so', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(unattended(name), { input: w.rw.token, env: { PATH: '/nonexistent' } });
    expect(r.exitCode).toBe(0);
    // A step that did not run is no ✓ (issue 21 item 20).
    expect(r.stderr).toMatch(/^- docker login skipped: the docker CLI is not installed/m);
    expect(r.stderr).toContain('Without a docker CLI, validation relies on the registry and Hub API checks only.');
  });

  it('an unreachable Docker Hub exits 5 and names it', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const r = await w.run(unattended(name), {
      input: w.rw.token,
      env: { PATH: '/nonexistent', DOCKERHUB_CREDENTIALS_REGISTRY: 'http://127.0.0.1:9' },
    });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('Could not reach the registry at http://127.0.0.1:9');
    expect(await w.secrets.stages(name)).toEqual({});
  });

  it('Ctrl-C during validation exits 130, writes nothing and removes the temporary docker config', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: 'the-old-good-one' }));
    const before = await w.secrets.stages(name);
    w.hub.switches.delayMs = 3000;
    const r = await w.run(unattended(name, '--yes'), { input: w.rw.token, interruptWhen: 'docker login as alice1' });
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain('Cancelled');
    expect(await w.secrets.stages(name)).toEqual(before);
  });

  it('Ctrl-C during the registry check exits 130 and writes nothing', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    w.hub.switches.delayMs = 3000;
    const r = await w.run(unattended(name), { input: w.rw.token, env: { PATH: '/nonexistent' }, interruptWhen: 'Registry token endpoint' });
    expect(r.exitCode).toBe(130);
    expect(await w.secrets.stages(name)).toEqual({});
  });

  it('verify --live re-validates the stored token and reports push rights', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const ok = await w.run(['verify', '--live', '--secret-id', name, '--repository', 'alice1/app', '--json']);
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(ok.stdout).live).toMatchObject({ ok: true, push: 'granted', dockerLogin: 'passed' });
    const revokedName = uniqueName();
    await w.secrets.create(revokedName, JSON.stringify({ username: 'alice1', token: w.revoked.token }));
    const bad = await w.run(['verify', '--live', '--secret-id', revokedName]);
    expect(bad.exitCode).toBe(3);
    expect(bad.stdout).toContain('Docker Hub rejected the credentials');
  });
});
