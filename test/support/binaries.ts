// The single executables for the tests that run them: built once per CI run (the build is
// skipped when the bundles and the Node inside are unchanged; a lock makes two test workers
// wait for one build), and a PATH folder with no node in it.
import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinaries, binaryPath, runnerFor } from '../../scripts/build-binaries.mjs';
import { ROOT } from './harness.js';

export const COMMANDS = ['dockerhub-credentials', 'docker-credential-dockerhub-credentials'] as const;
export type Target = 'linux-x64' | 'linux-arm64';

/** Minutes, not the hook's default: a first build fetches two Node packages and runs one build under qemu. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

/** The executables of `targets` (both by default), built if missing or stale; each target has its own lock. */
export async function ensureBinaries(targets: Target[] = ['linux-x64', 'linux-arm64']): Promise<Record<Target, { codeCache: boolean; node: string; files: string[] }>> {
  return (await buildBinaries({ targets })) as Record<Target, { codeCache: boolean; node: string; files: string[] }>;
}

export const binary = (command: (typeof COMMANDS)[number], target: Target): string => binaryPath(command, target) as string;

/** The prefix that runs a `target` program here ([] natively, qemu for arm64), or undefined when nothing can. */
export const runner = (target: Target): string[] | undefined => runnerFor(target) as string[] | undefined;

/** Where `which` finds a command on this machine's PATH. */
export function which(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, command);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  throw new Error(`${command} is not on PATH`);
}

/**
 * A folder for PATH that holds no node: the two executables of `target` under the names
 * docker and users run them by (through qemu for arm64), docker, and the shell tools `tools`.
 */
export function noNodeBin(folder: string, target: Target, tools: string[] = []): string {
  mkdirSync(folder, { recursive: true });
  const prefix = runner(target) ?? [];
  for (const command of COMMANDS) {
    const file = join(folder, command);
    if (prefix.length) {
      // A program of another CPU runs through qemu: a two-line shell wrapper in its place (binfmt_misc is not set up here).
      const [emulator, ...flags] = prefix;
      writeFileSync(file, `#!/bin/sh\nexec '${which(emulator!)}' ${flags.map((p) => `'${p}'`).join(' ')} '${binary(command, target)}' "$@"\n`, { mode: 0o755 });
    } else {
      symlinkSync(binary(command, target), file);
    }
  }
  for (const tool of ['docker', ...tools]) symlinkSync(which(tool), join(folder, tool));
  return folder;
}

export { ROOT };
