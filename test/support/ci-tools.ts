// vitest's globalSetup. Under CI=true only (a clean machine; never on a developer's): installs
// the Debian packages the tests need and the image lacks (bats for the Buildkite plugin's
// tests, qemu-user-static and the arm64 C libraries for the arm64 single executables,
// amazon-ecr-credential-helper for the bench's peer), then starts building the single
// executables in the background, so the build overlaps the first test files. The test files
// that run the binaries wait for that build (its lock) and do not build again. A package that
// cannot be installed is reported; the tests needing it then fail, as under CI=true they must.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Each package, and the file that shows it is installed. */
const PACKAGES: [string, string][] = [
  ['bats', '/usr/bin/bats'],
  ['qemu-user-static', '/usr/bin/qemu-aarch64-static'],
  ['libc6-arm64-cross', '/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1'],
  ['libstdc++6-arm64-cross', '/usr/aarch64-linux-gnu/lib/libstdc++.so.6'],
  ['libatomic1-arm64-cross', '/usr/aarch64-linux-gnu/lib/libatomic.so.1'],
  ['libgcc-s1-arm64-cross', '/usr/aarch64-linux-gnu/lib/libgcc_s.so.1'],
  ['amazon-ecr-credential-helper', '/usr/bin/docker-credential-ecr-login'],
];

export default function setup(): void {
  if (process.env.CI !== 'true') return;
  const missing = PACKAGES.filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length) {
    const root = process.getuid?.() === 0;
    const sudo = root ? [] : spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo', '-n'] : undefined;
    if (!sudo) {
      console.warn(`ci-tools: cannot install ${missing.join(', ')} (neither root nor passwordless sudo); the tests that need them will fail.`);
    } else {
      const apt = (args: string[]) => spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 });
      console.log(`ci-tools: installing ${missing.join(', ')}`);
      apt(['update', '-qq']);
      const r = apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
      if (r.status !== 0) console.warn(`ci-tools: apt-get install ${missing.join(' ')} failed (exit ${r.status}); the tests that need them will fail.`);
    }
  }
  // The build in the background: its log in binaries/, its lock taken at once.
  mkdirSync(join(ROOT, 'binaries'), { recursive: true });
  const log = openSync(join(ROOT, 'binaries/build.log'), 'a');
  spawn(process.execPath, [join(ROOT, 'scripts/build-binaries.mjs')], { cwd: ROOT, stdio: ['ignore', log, log], detached: true }).unref();
}
