import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * How PATH is searched. `safe`: the tool's own lookup, for what it runs itself
 * (docker, a credential store): empty and relative entries are skipped, so an
 * empty entry never runs ./docker from whatever folder the tool is started in.
 * `docker`: docker's own lookup (Go's exec.LookPath), to predict what docker will
 * run: a match in an empty or relative entry is an error for Go (ErrDot), so it is
 * reported as `relative`, and the search ends there.
 */
export type LookupMode = 'safe' | 'docker';

export interface PathMatch {
  /** The executable file as PATH names it (relative for a relative entry in `docker` mode). */
  path: string;
  relative: boolean;
}

const isExecutableFile = (path: string) => {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Every executable file named `command` on `path` (split on the platform's delimiter), in PATH order. */
export function* executablesOnPath(command: string, path: string | undefined, mode: LookupMode, cwd = process.cwd()): Generator<PathMatch> {
  for (const dir of (path ?? '').split(delimiter)) {
    const relative = !dir || !isAbsolute(dir);
    if (relative && mode === 'safe') continue;
    const candidate = join(dir || '.', command);
    if (isExecutableFile(resolve(cwd, candidate))) yield { path: candidate, relative };
  }
}

/** The absolute path of `name` on PATH, the tool's own safe lookup (empty and relative entries skipped). */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const match of executablesOnPath(name, path, 'safe')) return match.path;
  return undefined;
}
