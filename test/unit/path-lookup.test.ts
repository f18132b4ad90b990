// One PATH lookup with two modes (src/docker/path-lookup.ts), and the local-login probe
// asking a credential store found on, and run with, the run's environment only.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { executablesOnPath, findOnPath } from '../../src/docker/path-lookup.js';
import { probeLocalLogin } from '../../src/docker/config.js';

const root = mkdtempSync(join(tmpdir(), 'dhc-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const executable = (dir: string, name: string, text = '#!/bin/sh\nexit 0\n') => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), text);
  chmodSync(join(dir, name), 0o755);
};

describe('PATH lookup', () => {
  it("safe mode skips empty and relative entries; docker mode reports a match there (Go's ErrDot) and stops", () => {
    const cwd = join(root, 'cwd');
    executable(cwd, 'tool');
    const abs = join(root, 'abs');
    executable(abs, 'tool');
    const path = ['', 'rel', abs].join(delimiter);
    expect(findOnPath('tool', path)).toBe(join(abs, 'tool'));
    expect([...executablesOnPath('tool', path, 'safe', cwd)]).toEqual([{ path: join(abs, 'tool'), relative: false }]);
    expect([...executablesOnPath('tool', path, 'docker', cwd)][0]).toEqual({ path: 'tool', relative: true });
    // A file that is not executable is no match.
    writeFileSync(join(root, 'plain'), 'x');
    expect(findOnPath('plain', root)).toBeUndefined();
  });

  it("the local-login probe finds a credential store on the environment's PATH, not the process's, and runs it with that environment only", async () => {
    const bin = join(root, 'store-bin');
    // Answers with a variable of the process environment in the username: it must not reach the store.
    executable(bin, 'docker-credential-probestore', '#!/bin/sh\ncat >/dev/null\necho "{\\"ServerURL\\":\\"x\\",\\"Username\\":\\"u-$DHC_PROBE_MARK\\",\\"Secret\\":\\"dckr_pat_probeprobeprobeprobeprobe12\\"}"\n');
    const config = join(root, 'docker');
    mkdirSync(config);
    writeFileSync(join(config, 'config.json'), JSON.stringify({ credsStore: 'probestore' }));
    process.env.DHC_PROBE_MARK = 'from-process-env';
    try {
      expect(process.env.PATH ?? '').not.toContain(bin);
      const r = await probeLocalLogin({ PATH: `${bin}${delimiter}/usr/bin${delimiter}/bin`, DOCKER_CONFIG: config, HOME: root }, new AbortController().signal);
      expect(r.notes).toEqual([]);
      expect(r.found?.username).toBe('u-');
      expect(r.found?.source).toBe('credential helper probestore');
    } finally {
      delete process.env.DHC_PROBE_MARK;
    }
  });
});
