// The Buildkite plugin (plugin.yml, hooks/pre-command, hooks/pre-exit), tested with bats
// (Debian's bats) as Buildkite's own plugin tester does, against moto and the Docker Hub
// stand-in, with the npm launcher, with npx, and with the single executable on a PATH
// that has no node. test/plugin/hooks.bats holds the cases.
import { expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { BUILD_TIMEOUT_MS, ensureBinaries, noNodeBin } from '../support/binaries.js';

const SHELL_TOOLS = ['bash', 'env', 'sort', 'sed', 'dirname', 'head', 'grep', 'cat', 'ls', 'diff', 'cmp', 'mkdir', 'cp', 'rm', 'timeout', 'chmod'];

describeWith(['moto_server', 'docker', 'bats'], 'the Buildkite plugin: bats tests of its hooks (moto, stand-in, real docker CLI)', () => {
  const w = useWorld();

  it(
    'pre-command logs in, pre-exit logs out (after a failed command too), nothing secret in the job environment, with the launcher, npx and the single executable',
    async () => {
      await ensureBinaries(['linux-x64']);
      const name = uniqueName();
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
      // Outside the sandbox (whose every file is checked for the token): the token, for the bats checks.
      const outside = mkdtempSync(join(tmpdir(), 'dhc-bats-'));
      try {
        const tokenFile = join(outside, 'token');
        writeFileSync(tokenFile, `${w.rw.token}\n`, { mode: 0o600 });
        const cliBin = join(outside, 'cli-bin');
        mkdirSync(cliBin);
        symlinkSync(CLI, join(cliBin, 'dockerhub-credentials'));
        // npx as the hooks call it (--yes dockerhub-credentials@VERSION ...): logs its arguments, runs this checkout's CLI.
        const npxBin = join(outside, 'npx-bin');
        mkdirSync(npxBin);
        writeFileSync(join(npxBin, 'npx'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${npxBin}/npx.log'\nshift 2\nexec '${process.execPath}' '${CLI}' "$@"\n`, { mode: 0o755 });
        const noNode = noNodeBin(join(outside, 'no-node-bin'), 'linux-x64', SHELL_TOOLS);
        const r = await execa('bats', ['--tap', join(ROOT, 'test/plugin/hooks.bats')], {
          env: {
            ...w.env(),
            HOME: w.sandbox.home,
            TMPDIR: outside,
            LANG: 'C.UTF-8',
            PATH: process.env.PATH,
            BASE_PATH: process.env.PATH,
            PLUGIN_ROOT: ROOT,
            SECRET_ID: name,
            REGISTRY: w.hub.url,
            TOKEN_FILE: tokenFile,
            CLI_BIN: cliBin,
            NPX_BIN: npxBin,
            NO_NODE_BIN: noNode,
          } as Record<string, string>,
          extendEnv: false,
          reject: false,
          timeout: 300_000,
        });
        w.assertNoCanary('bats output', r.stdout + r.stderr);
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
        const lines = r.stdout.split('\n');
        expect(lines.filter((l) => /^ok \d+/.test(l)), r.stdout).toHaveLength(10);
        // No case may pass by skipping.
        expect(lines.filter((l) => /# skip/.test(l)), r.stdout).toEqual([]);
        expect(readFileSync(join(npxBin, 'npx.log'), 'utf8')).toContain('logout');
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    },
    BUILD_TIMEOUT_MS,
  );
});
