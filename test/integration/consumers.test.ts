import { PACKAGE_VERSION as VERSION } from '../support/harness.js';
import { expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

const HELPER_BIN = join(ROOT, 'bin/docker-credential-dockerhub-credentials.cjs');

describeWith(['moto_server', 'docker'], 'consumers: aliases, verify per consumer, login and the credential helper (moto, stand-in, real docker CLI)', () => {
  const w = useWorld();
  const setupArgs = (name: string, ...extra: string[]) => ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, ...extra];
  const rotateArgs = (name: string, ...extra: string[]) => ['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, ...extra];
  const stored = async (name: string, stage = 'AWSCURRENT') => JSON.parse((await w.secrets.value(name, stage))!) as Record<string, string>;
  const all = (token: string) => ({ username: 'alice1', token, password: token, accessToken: token });

  it('setup --consumers ecs,ecr-pull-through-cache stores username, token, password and accessToken; rotate updates all in one version; rollback restores all', async () => {
    const name = uniqueName('ecr-pullthroughcache/dockerhub');
    await w.secrets.create(name);
    const setup = await w.run(setupArgs(name, '--consumers', 'ecs,ecr-pull-through-cache'), { input: w.rw.token });
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(await stored(name)).toEqual(all(w.rw.token));
    // The hand-over: the login line instead of the jq pipeline, the helper line, and each consumer's snippet.
    expect(setup.stdout).toContain(`npx dockerhub-credentials@${VERSION} login --secret-id arn:aws:secretsmanager:`);
    expect(setup.stdout).not.toContain('jq -r');
    expect(setup.stdout).toContain('--helper');
    expect(setup.stdout).toMatch(/"repositoryCredentials": \{ "credentialsParameter": "arn:aws:secretsmanager:[^"]+" \}/);
    expect(setup.stdout).toMatch(/aws ecr create-pull-through-cache-rule --ecr-repository-prefix docker-hub --upstream-registry-url registry-1\.docker\.io --credential-arn arn:aws:secretsmanager:/);

    const verified = await w.run(['verify', '--secret-id', name, '--json', '--consumers', 'ecs,ecr-pull-through-cache']);
    expect(verified.exitCode, verified.stdout).toBe(0);
    const report = JSON.parse(verified.stdout);
    expect(report.consumers.ecs).toEqual({ ok: true, problems: [] });
    expect(report.consumers['ecr-pull-through-cache']).toEqual({ ok: true, problems: [] });

    const before = Object.keys(await w.secrets.stages(name));
    // No --consumers: the aliases already in the value are the declaration.
    const rotated = await w.run(rotateArgs(name, '--json'), { input: w.rw2.token });
    expect(rotated.exitCode, rotated.stdout).toBe(0);
    expect(JSON.parse(rotated.stdout).aliasKeys).toEqual(['password', 'accessToken']);
    const after = await w.secrets.stages(name);
    expect(Object.keys(after).filter((v) => !before.includes(v))).toHaveLength(1);
    expect(await stored(name)).toEqual(all(w.rw2.token));
    expect(await stored(name, 'AWSPREVIOUS')).toEqual(all(w.rw.token));

    const rolledBack = await w.run(['rollback', '--secret-id', name, '--yes', '--json']);
    expect(rolledBack.exitCode, rolledBack.stdout).toBe(0);
    expect(JSON.parse(rolledBack.stdout).aliasesRewritten).toEqual([]);
    expect(await stored(name)).toEqual(all(w.rw.token));
  });

  it('a password left stale by hand fails verify with exit 4 (for ecs, batch and codebuild), and the next rotate repairs it', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token, password: 'an-old-token-someone-pasted', note: 'kept' }));
    const bad = await w.run(['verify', '--secret-id', name, '--json']);
    expect(bad.exitCode).toBe(4);
    const report = JSON.parse(bad.stdout);
    expect(report.ok).toBe(false);
    expect(Object.keys(report.consumers)).toEqual(['ecs', 'batch', 'codebuild']);
    expect(report.consumers.ecs.ok).toBe(false);
    expect(report.problems.join(' ')).toContain('The key "password" differs from "token"');
    const human = await w.run(['verify', '--secret-id', name]);
    expect(human.exitCode).toBe(4);
    expect(human.stdout).toMatch(/ecs:\s+not served/);

    const rotated = await w.run(rotateArgs(name), { input: w.rw2.token });
    expect(rotated.exitCode, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('Also rewritten with the new token: password.');
    expect(await stored(name)).toEqual({ note: 'kept', username: 'alice1', token: w.rw2.token, password: w.rw2.token });
    expect((await w.run(['verify', '--secret-id', name])).exitCode).toBe(0);
  });

  it('setup rewrites a hand-added accessToken too, and verify --consumers names a missing key', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: 'old-token-value', accessToken: 'old-token-value' }));
    const missing = await w.run(['verify', '--secret-id', name, '--consumers', 'codebuild', '--json']);
    expect(missing.exitCode).toBe(4);
    expect(JSON.parse(missing.stdout).consumers.codebuild.problems.join(' ')).toContain('"password" is missing');
    const r = await w.run(setupArgs(name, '--yes'), { input: w.rw.token });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await stored(name)).toEqual({ username: 'alice1', token: w.rw.token, accessToken: w.rw.token });
  });

  it('ecr-pull-through-cache with a name lacking the prefix is exit 2 before any write, naming the name and the Terraform variable', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const before = await w.secrets.stages(name);
    for (const args of [setupArgs(name, '--yes', '--consumers', 'ecr-pull-through-cache'), rotateArgs(name, '--consumers', 'ecr-pull-through-cache')]) {
      const r = await w.run(args, { input: w.rw2.token, env: { PATH: '/nonexistent' } });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`use ecr-pullthroughcache/${name}`);
      expect(r.stderr).toContain('create_ecr_pull_through_cache_rule');
      expect(r.stderr).not.toContain('Validating');
    }
    // The same from the environment and the config file.
    const env = await w.run(setupArgs(name, '--yes'), { input: w.rw2.token, env: { DOCKERHUB_CREDENTIALS_CONSUMERS: 'ecs, ecr-pull-through-cache' } });
    expect(env.exitCode).toBe(2);
    writeFileSync(join(w.sandbox.cwd, '.dockerhub-credentials.json'), JSON.stringify({ consumers: ['ecr-pull-through-cache'] }));
    const file = await w.run(setupArgs(name, '--yes'), { input: w.rw2.token });
    expect(file.exitCode).toBe(2);
    expect(await w.secrets.stages(name)).toEqual(before);
    const unknown = await w.run(['verify', '--secret-id', name, '--consumers', 'lambda']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('Unknown consumer "lambda"');
  });

  it('rollback to a version whose password drifted restores it as a new version with the alias rewritten', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token, password: 'stale-by-hand' }));
    const rotated = await w.run(rotateArgs(name), { input: w.rw2.token });
    expect(rotated.exitCode, rotated.stderr).toBe(0);
    expect(await stored(name)).toEqual({ username: 'alice1', token: w.rw2.token, password: w.rw2.token });
    const r = await w.run(['rollback', '--secret-id', name, '--yes', '--json']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.aliasesRewritten).toEqual(['password']);
    expect(result.currentVersionId).not.toBe(result.restoredFromVersionId);
    expect(await stored(name)).toEqual({ username: 'alice1', token: w.rw.token, password: w.rw.token });
    expect((await w.run(['verify', '--secret-id', name])).exitCode).toBe(0);
  });

  /** A `docker` first on PATH that records its arguments, then runs the real one. */
  const recordingDocker = () => {
    const bin = join(w.sandbox.root, 'argv-bin');
    mkdirSync(bin, { recursive: true });
    const real = execaSyncWhich('docker');
    const log = join(w.sandbox.root, 'docker-argv.log');
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, 'docker'), 0o755);
    return { path: `${bin}:${process.env.PATH}`, log };
  };

  it('login logs the real docker CLI in with the stored token (never on argv) into the caller\'s docker config', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const agentConfig = join(w.sandbox.root, 'agent-docker');
    const docker = recordingDocker();
    const r = await w.run(['login', '--secret-id', name, '--json'], { env: { DOCKER_CONFIG: agentConfig, PATH: docker.path } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const host = new URL(w.hub.url).host;
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, secretId: name, stage: 'AWSCURRENT', username: 'alice1', server: host, dockerConfig: join(agentConfig, 'config.json'), helper: false });
    const argv = readFileSync(docker.log, 'utf8');
    expect(argv).toContain(`login --username alice1 --password-stdin ${host}`);
    w.assertNoCanary('docker argv', argv);
    // docker stored the login where the caller's DOCKER_CONFIG says, as it always does.
    const config = JSON.parse(readFileSync(join(agentConfig, 'config.json'), 'utf8'));
    expect(Buffer.from(config.auths[host].auth, 'base64').toString()).toBe(`alice1:${w.rw.token}`);
    // docker's own login request reached the stand-in as alice1.
    expect(w.hub.requests.some((q) => q.path === '/token' && q.basicUser === 'alice1' && q.userAgent.startsWith('Docker-Client/'))).toBe(true);
  });

  it('login --stage AWSPREVIOUS uses the previous token; a rejected token is exit 3 naming the secret and rotate', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    await w.secrets.put(name, JSON.stringify({ username: 'alice1', token: w.revoked.token }));
    const agentConfig = join(w.sandbox.root, 'agent-docker');
    const bad = await w.run(['login', '--secret-id', name], { env: { DOCKER_CONFIG: agentConfig } });
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain(`Docker Hub rejected the token stored in ${name} (AWSCURRENT`);
    // Why, in Docker Hub's refusal's own words, on its own line.
    expect(bad.stderr).toContain('\n  Cause: Docker Hub rejected the credentials for alice1: ');
    expect(bad.stderr).toContain(`npx dockerhub-credentials rotate --secret-id ${name}`);
    const previous = await w.run(['login', '--secret-id', name, '--stage', 'AWSPREVIOUS'], { env: { DOCKER_CONFIG: agentConfig } });
    expect(previous.exitCode, previous.stderr).toBe(0);
    expect(previous.stdout).toMatch(new RegExp(`with ${name} \\(AWSPREVIOUS, version [\\w-]+\\)`));
    expect((await w.run(['login', '--secret-id', name, '--stage', 'latest'])).exitCode).toBe(2);
  });

  it("a registry named only by a checkout's config file gets nothing: login refuses (exit 2, docker never runs), the helper does not serve it", async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    // The kind of file a pull request could add to the checkout CI runs in.
    writeFileSync(join(w.sandbox.cwd, '.dockerhub-credentials.json'), JSON.stringify({ registry: 'https://evil.example' }));
    const docker = recordingDocker();
    const r = await w.run(['login', '--secret-id', name], { env: { DOCKER_CONFIG: join(w.sandbox.root, 'agent-docker'), PATH: docker.path, DOCKERHUB_CREDENTIALS_REGISTRY: undefined } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('evil.example');
    expect(existsSync(docker.log), 'docker was run').toBe(false);
    const served = await helper('get', 'evil.example', { DOCKERHUB_CREDENTIALS_SECRET_ID: name, DOCKERHUB_CREDENTIALS_REGISTRY: undefined });
    expect(served.exitCode).toBe(1);
    expect(served.stdout.trim()).toBe('credentials not found in native keychain');
    w.assertNoCanary('helper output', served.stdout);
  });

  /** Runs the installed helper as docker would: the action as argument, the server on stdin. */
  const helper = (action: string, input: string, env: Record<string, string | undefined> = {}) =>
    execa(process.execPath, [HELPER_BIN, action], { input, env: { PATH: process.env.PATH, HOME: w.sandbox.home, ...w.env(env) } as Record<string, string>, extendEnv: false, reject: false, cwd: w.sandbox.cwd });

  it("the helper reads the secret id, AWS profile and region from docker's environment only: a checkout's config file naming another secret or profile changes nothing", async () => {
    const name = uniqueName();
    const release = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    await w.secrets.create(release, JSON.stringify({ username: 'release1', token: w.rw2.token }));
    // The kind of file a pull request could add to the checkout docker runs in.
    writeFileSync(join(w.sandbox.cwd, '.dockerhub-credentials.json'), JSON.stringify({ secretId: release, profile: 'pull-request-profile', region: 'eu-north-1' }));
    const none = await helper('get', 'https://index.docker.io/v1/', { DOCKERHUB_CREDENTIALS_SECRET_ID: undefined, AWS_PROFILE: undefined });
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toContain('no secret id: set DOCKERHUB_CREDENTIALS_SECRET_ID where docker runs');
    expect(none.stdout).not.toContain('release1');
    const own = await helper('get', 'https://index.docker.io/v1/', { DOCKERHUB_CREDENTIALS_SECRET_ID: name, AWS_PROFILE: undefined });
    expect(own.exitCode, own.stdout).toBe(0);
    expect(JSON.parse(own.stdout)).toEqual({ ServerURL: 'https://index.docker.io/v1/', Username: 'alice1', Secret: w.rw.token });
  });

  it("the helper's get answers Docker Hub's server names and the configured registry from the secret, read fresh, and nothing else", async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const env = { DOCKERHUB_CREDENTIALS_SECRET_ID: name };
    for (const server of ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io', new URL(w.hub.url).host]) {
      const r = await helper('get', server, env);
      expect(r.exitCode, `${server}: ${r.stdout}`).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ ServerURL: server, Username: 'alice1', Secret: w.rw.token });
    }
    for (const server of ['ghcr.io', 'https://quay.io/v1/', '123456789012.dkr.ecr.eu-west-2.amazonaws.com', 'docker.io.evil.example']) {
      const r = await helper('get', server, env);
      expect(r.exitCode).toBe(1);
      expect(r.stdout.trim()).toBe('credentials not found in native keychain');
    }
    // Read fresh each time: a rotation is seen at once.
    await w.secrets.put(name, JSON.stringify({ username: 'alice1', token: w.rw2.token }));
    expect(JSON.parse((await helper('get', 'https://index.docker.io/v1/', env)).stdout).Secret).toBe(w.rw2.token);
    const list = await helper('list', '', env);
    expect(JSON.parse(list.stdout)).toMatchObject({ 'https://index.docker.io/v1/': 'alice1' });
    for (const action of ['store', 'erase']) {
      const r = await helper(action, JSON.stringify({ ServerURL: 'https://index.docker.io/v1/', Username: 'x', Secret: 'y' }), env);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain('read-only');
    }
    const noId = await helper('get', 'docker.io');
    expect(noId.exitCode).toBe(1);
    expect(noId.stdout).toContain('DOCKERHUB_CREDENTIALS_SECRET_ID');
    const missing = await helper('get', 'docker.io', { DOCKERHUB_CREDENTIALS_SECRET_ID: 'not/there' });
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('not/there');
    expect(missing.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    for (const r of [list, noId, missing]) w.assertNoCanary('helper output', r.stdout + r.stderr);
  });

  it('the real docker CLI consults credHelpers["https://index.docker.io/v1/"] for Docker Hub, not docker.io or registry-1.docker.io', async () => {
    const bin = join(w.sandbox.root, 'helpers');
    const config = join(w.sandbox.root, 'probe-docker');
    mkdirSync(bin);
    mkdirSync(config);
    const log = join(w.sandbox.root, 'helper-calls.log');
    const keys = { 'https://index.docker.io/v1/': 'a', 'index.docker.io': 'b', 'docker.io': 'c', 'registry-1.docker.io': 'd' };
    for (const n of Object.values(keys)) {
      writeFileSync(join(bin, `docker-credential-${n}`), `#!/bin/sh\nread -r url\necho "${n} $1 $url" >> '${log}'\necho "credentials not found in native keychain"\nexit 1\n`);
      chmodSync(join(bin, `docker-credential-${n}`), 0o755);
    }
    writeFileSync(join(config, 'config.json'), JSON.stringify({ credHelpers: keys }));
    // Without network access the pull fails after docker has asked for credentials; only the helper calls matter here.
    await execa('docker', ['manifest', 'inspect', 'library/alpine:latest'], {
      env: { PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: config, HOME: w.sandbox.home, HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '' },
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.length).toBeGreaterThan(0);
    expect(new Set(calls)).toEqual(new Set(['a get https://index.docker.io/v1/']));
  });

  it('login --helper writes the credHelpers entry (backup first, other keys kept), and the real docker CLI then authenticates through the helper reading from moto', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const agentConfig = join(w.sandbox.root, 'agent-docker');
    mkdirSync(agentConfig);
    const original = JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('me:ghp_other').toString('base64') } }, credHelpers: { 'public.ecr.aws': 'ecr-login' }, psFormat: 'table' });
    writeFileSync(join(agentConfig, 'config.json'), original);
    // The package's second bin, installed on PATH as npm would link it.
    const bin = join(w.sandbox.root, 'installed-bin');
    mkdirSync(bin);
    symlinkSync(HELPER_BIN, join(bin, 'docker-credential-dockerhub-credentials'));
    const agentEnv = { DOCKER_CONFIG: agentConfig, PATH: `${bin}:${process.env.PATH}`, DOCKERHUB_CREDENTIALS_SECRET_ID: name };

    const r = await w.run(['login', '--helper', '--json'], { env: agentEnv });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const host = new URL(w.hub.url).host;
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ ok: true, helper: true, server: host, username: 'alice1' });
    expect(readFileSync(result.backup, 'utf8')).toBe(original);
    const written = JSON.parse(readFileSync(join(agentConfig, 'config.json'), 'utf8'));
    expect(written).toEqual({ ...JSON.parse(original), credHelpers: { 'public.ecr.aws': 'ecr-login', [host]: 'dockerhub-credentials' } });
    // Again: nothing to change, no second backup.
    expect((await w.run(['login', '--helper'], { env: agentEnv })).exitCode).toBe(0);
    expect(readdirSync(agentConfig).filter((f) => f.endsWith('.bak'))).toHaveLength(1);

    // The real docker CLI, client-side (no engine), asks the helper, which reads moto, and authenticates to the stand-in.
    const before = w.hub.requests.length;
    w.hub.switches.tlsHello = 'http400';
    const inspect = await execa('docker', ['manifest', 'inspect', '--insecure', `${host}/alice1/app:latest`], {
      env: { HOME: w.sandbox.home, ...w.env(agentEnv) } as Record<string, string>,
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
    expect(inspect.exitCode, inspect.stderr).toBe(0);
    expect(JSON.parse(inspect.stdout).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const seen = w.hub.requests.slice(before);
    expect(seen.some((q) => q.path === '/token' && q.basicUser === 'alice1' && q.query.scope === 'repository:alice1/app:pull')).toBe(true);
    expect(seen.some((q) => q.path === '/v2/alice1/app/manifests/latest' && q.method === 'GET')).toBe(true);
    w.assertNoCanary('docker output', inspect.stdout + inspect.stderr);
    // Nothing of the token was written to the agent's docker config.
    for (const f of readdirSync(agentConfig)) expect(readFileSync(join(agentConfig, f), 'latin1')).not.toContain(Buffer.from(`alice1:${w.rw.token}`).toString('base64'));
    expect(existsSync(join(agentConfig, 'config.json'))).toBe(true);
  });
});

function execaSyncWhich(cmd: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  throw new Error(`${cmd} not on PATH`);
}
