// The single executables (npm run build:binaries): linux-x64 natively and linux-arm64 under
// qemu-aarch64-static, each on a PATH with no node: --version, --help, verify against moto,
// and the helper's get through the real docker CLI, answering exactly as the npm package's
// helper does, with nothing on disk. Built once per run (test/support/binaries.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { BUILD_TIMEOUT_MS, ensureBinaries, noNodeBin, runner, type Target } from '../support/binaries.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const HELPER_BIN = join(ROOT, 'bin/docker-credential-dockerhub-credentials.cjs');

function suite(target: Target, tools: string[]) {
  describeWith(tools, `the ${target} single executables on a PATH with no node (moto, stand-in, real docker CLI)`, () => {
    const w = useWorld();
    const arch = target.split('-')[1];
    // Under qemu every instruction is emulated: a start-up takes seconds, not tens of milliseconds.
    const timeout = runner(target)?.length ? 300_000 : 60_000;
    let built: Awaited<ReturnType<typeof ensureBinaries>>;
    beforeAll(async () => {
      built = await ensureBinaries();
    }, BUILD_TIMEOUT_MS);

    // Outside the sandbox, whose every file is searched for the token: a 145 MB executable holds any six characters somewhere.
    const outside = mkdtempSync(join(tmpdir(), `dhc-${target}-bin-`));
    afterAll(() => rmSync(outside, { recursive: true, force: true }));
    const folder = join(outside, 'no-node-bin');
    const bin = () => (existsSync(folder) ? folder : noNodeBin(folder, target));
    const run = (file: string, args: string[], env: Record<string, string | undefined>, input?: string) =>
      execa(file, args, { env: { HOME: w.sandbox.home, TMPDIR: w.sandbox.tmp, LANG: 'C.UTF-8', ...env } as Record<string, string>, extendEnv: false, reject: false, input, stdin: input === undefined ? 'ignore' : undefined, cwd: w.sandbox.cwd, timeout: 120_000 });

    it('each has a SHA-256 file that checks, and --version names the version and the Node inside', async () => {
      expect(built[target].codeCache, 'built with the code cache').toBe(true);
      for (const file of built[target].files) {
        const check = await execa('sha256sum', ['-c', `${file.split('/').pop()}.sha256`], { cwd: join(ROOT, 'binaries'), reject: false });
        expect(check.exitCode, check.stdout + check.stderr).toBe(0);
      }
      const path = bin();
      const env = { PATH: path };
      expect((await execa('sh', ['-c', 'command -v node'], { env, extendEnv: false, reject: false })).exitCode, 'node is not on this PATH').not.toBe(0);
      const line = `${VERSION} (single executable; Node v${built[target].node}, linux-${arch})`;
      expect((await run(join(path, 'dockerhub-credentials'), ['--version'], env)).stdout).toBe(line);
      expect((await run(join(path, 'docker-credential-dockerhub-credentials'), ['version'], env)).stdout).toBe(`docker-credential-dockerhub-credentials ${line}`);
    }, timeout);

    it('--help is the npm package\'s, word for word', async () => {
      const env = { PATH: bin() };
      for (const args of [['--help'], ['login', '--help'], ['logout', '--help']]) {
        const single = await run(join(bin(), 'dockerhub-credentials'), args, env);
        const npm = await run(process.execPath, [CLI, ...args], { PATH: process.env.PATH });
        expect(single.exitCode).toBe(0);
        expect(single.stdout).toBe(npm.stdout);
      }
    }, timeout);

    it('verify against moto answers as the npm package does', async () => {
      const name = uniqueName();
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
      const single = await run(join(bin(), 'dockerhub-credentials'), ['verify', '--json', '--secret-id', name], { ...w.env(), PATH: bin() });
      expect(single.exitCode, single.stdout + single.stderr).toBe(0);
      const npm = await run(process.execPath, [CLI, 'verify', '--json', '--secret-id', name], { ...w.env(), PATH: process.env.PATH });
      expect(JSON.parse(single.stdout)).toEqual(JSON.parse(npm.stdout));
      w.assertNoCanary('verify', single.stdout + single.stderr);
    }, timeout);

    it("the helper's get, through the real docker CLI, authenticates to the registry; its answers are the npm helper's, byte for byte", async () => {
      const name = uniqueName();
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
      const host = new URL(w.hub.url).host;
      const config = join(w.sandbox.root, 'agent-docker');
      mkdirSync(config);
      writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: {}, credHelpers: { [host]: 'dockerhub-credentials' } }, null, '\t'));
      // Under qemu every instruction is emulated: the helper's 5-second AWS budget is real time, so it gets more there.
      const emulated = runner(target)?.length ? { DOCKERHUB_CREDENTIALS_HELPER_TIMEOUT: '120' } : {};
      const env = { ...w.env(), PATH: bin(), DOCKER_CONFIG: config, DOCKERHUB_CREDENTIALS_SECRET_ID: name, ...emulated };
      const before = w.hub.requests.length;
      w.hub.switches.tlsHello = 'http400';
      const inspect = await run(join(bin(), 'docker'), ['manifest', 'inspect', '--insecure', `${host}/alice1/app:latest`], env);
      expect(inspect.exitCode, inspect.stderr).toBe(0);
      const seen = w.hub.requests.slice(before);
      expect(seen.some((q) => q.path === '/token' && q.basicUser === 'alice1')).toBe(true);
      w.assertNoCanary('docker output', inspect.stdout + inspect.stderr);

      // Each answer (a served server, one not served, an unknown action) as the npm helper's.
      for (const [args, input] of [[['get'], host], [['get'], 'ghcr.io'], [['list'], undefined], [['erase'], host], [['nonsense'], undefined]] as const) {
        const single = await run(join(bin(), 'docker-credential-dockerhub-credentials'), [...args], env, input);
        const npm = await run(process.execPath, [HELPER_BIN, ...args], { ...env, PATH: process.env.PATH }, input);
        expect({ exit: single.exitCode, stdout: single.stdout }, `${args.join(' ')}`).toEqual({ exit: npm.exitCode, stdout: npm.stdout });
      }
      // The config was read, never written.
      expect(JSON.parse(readFileSync(join(config, 'config.json'), 'utf8'))).toEqual({ auths: {}, credHelpers: { [host]: 'dockerhub-credentials' } });
    }, timeout);
  });
}

suite('linux-x64', ['moto_server', 'docker']);
// arm64 runs under qemu-user (Debian's qemu-user-static and the arm64 C libraries); a machine without them skips, CI fails.
suite('linux-arm64', runner('linux-arm64') ? ['moto_server', 'docker'] : ['moto_server', 'docker', 'qemu-aarch64-static (with libc6-arm64-cross)']);
