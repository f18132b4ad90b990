// Which docker runs (issue 22 item 6): an empty or relative PATH entry stands for
// the working folder, and a `docker` there would receive the token on stdin. The
// tool resolves docker to an absolute path and skips such entries, as Go's
// exec.LookPath does (ErrDot). And where its throwaway credential helper can run
// (issue 22 item 8): a temporary folder mounted noexec is a common hardening.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';

describeWith(['moto_server', 'docker'], 'docker is found by an absolute path only', () => {
  const w = useWorld();
  const realDocker = () => execFileSync('sh', ['-c', 'command -v docker']).toString().trim();
  /** An executable `docker` in the working folder that would take the token: it must never run. */
  const plantFakeDocker = () => {
    const fake = join(w.sandbox.cwd, 'docker');
    writeFileSync(fake, `#!/bin/sh\necho ran > "${join(w.sandbox.cwd, 'FAKE-DOCKER-RAN')}"\n[ "$1" = login ] && cat >/dev/null\necho "Login Succeeded"\n`);
    chmodSync(fake, 0o755);
    return join(w.sandbox.cwd, 'FAKE-DOCKER-RAN');
  };

  for (const [what, path] of [
    ['an empty PATH entry', `:${process.env.PATH}`],
    ['a relative PATH entry', `.:${process.env.PATH}`],
  ] as const) {
    it(`${what}: verify --live and login run the real docker, named under --debug; ./docker never runs`, async () => {
      const ran = plantFakeDocker();
      const name = `docker-path/${Date.now()}`;
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));

      const verify = await w.run(['verify', '--secret-id', name, '--live', '--debug'], { env: { PATH: path } });
      expect(verify.exitCode, verify.stderr).toBe(0);
      expect(verify.stderr).toContain(`debug: docker: ${realDocker()}`);
      expect(existsSync(ran), './docker ran during verify --live').toBe(false);

      const dockerConfig = join(w.sandbox.root, 'login-docker');
      mkdirSync(dockerConfig);
      const login = await w.run(['login', '--secret-id', name, '--debug'], { env: { PATH: path, DOCKER_CONFIG: dockerConfig } });
      expect(login.exitCode, login.stderr).toBe(0);
      expect(login.stderr).toContain(`debug: ${realDocker()} login --username alice1 --password-stdin`);
      expect(existsSync(ran), './docker ran during login').toBe(false);
    }, 60_000);
  }
});

/** A tmpfs mounted noexec (needs root, as CI runs; elsewhere skipped, and failing under CI=true). */
function noexecFolder(at: string): () => void {
  mkdirSync(at, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'noexec,size=4m', 'tmpfs', at]);
  if (r.status !== 0) throw new Error(`mount -o noexec failed: ${r.stderr}`);
  return () => void spawnSync('umount', [at]);
}

describeWith(['moto_server', 'docker', process.getuid?.() === 0 ? 'mount' : 'root (to mount a noexec tmpfs)'], 'a temporary folder mounted noexec', () => {
  const w = useWorld();

  it('with TMPDIR on noexec, validation runs: the helper lives in the private cache folder, not TMPDIR', async () => {
    const tmp = join(w.sandbox.root, 'noexec-tmp');
    const unmount = noexecFolder(tmp);
    try {
      const name = `noexec/${Date.now()}`;
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
      const r = await w.run(['verify', '--secret-id', name, '--live', '--debug'], { env: { TMPDIR: tmp } });
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stderr).toContain(`debug: docker login folder: ${w.sandbox.runFolders}/login-`);
      expect(r.stderr).toMatch(/docker login as alice1 succeeded/);
    } finally {
      unmount();
    }
  }, 60_000);

  it('with every private folder on noexec, one sentence says why and what to do (exit 2), not "Unexpected error"', async () => {
    const noexec = join(w.sandbox.root, 'noexec');
    const unmount = noexecFolder(noexec);
    try {
      mkdirSync(join(noexec, 'cache'), { mode: 0o700 });
      mkdirSync(join(noexec, 'tmp'), { mode: 0o700 });
      const name = `noexec/${Date.now()}`;
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
      const r = await w.run(['verify', '--secret-id', name, '--live'], { env: { TMPDIR: join(noexec, 'tmp'), XDG_CACHE_HOME: join(noexec, 'cache') } });
      const all = `${r.stdout}\n${r.stderr}`;
      expect(r.exitCode, all).toBe(2);
      expect(r.stdout).toContain(`There is no private folder where docker login can run with its throwaway credential helper: ${join(noexec, 'cache/dockerhub-credentials/tmp')} does not let programs run (a file system mounted noexec?) (EACCES); ${join(noexec, 'tmp/dockerhub-credentials.0')} does not let programs run`);
      expect(r.stderr).toContain('on a file system that allows running programs (not mounted noexec)');
      expect(all).not.toContain('Unexpected error');
    } finally {
      unmount();
    }
  }, 60_000);
});
