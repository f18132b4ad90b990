// A machine that other accounts share (issue 22 items 1 and 2, issue 21 item 2):
// a victim and an attacker as two real uids (setpriv, as root runs CI), sharing a
// sticky temporary folder as /tmp is. The attacker plants a compile-cache entry
// forged for dist/cli.js, and links and look-alike folders for the sweep; the
// victim then runs the tool as a child process.
import { execa } from 'execa';
import { chmodSync, chownSync, cpSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync, copyFileSync, lutimesSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../support/harness.js';
import { describeAsUsers } from '../support/users.js';
import { useWorld } from '../support/world.js';
import { SUPPORTED_NODE_LINES, nodeBinary } from '../support/node-lines.mjs';

const VICTIM = 64101;
const ATTACKER = 64102;

/** A machine: the package installed where both users can read it, their homes, and a sticky shared tmp. */
class SharedMachine {
  readonly root = mkdtempSync('/tmp/dhc-shared-');
  readonly app = join(this.root, 'app');
  readonly tmp = join(this.root, 'tmp');
  readonly victimHome = join(this.root, 'victim');
  readonly attackerHome = join(this.root, 'attacker');
  readonly cli = join(this.app, 'bin/dockerhub-credentials.cjs');

  constructor() {
    chmodSync(this.root, 0o755);
    mkdirSync(this.app);
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(this.app, part), { recursive: true });
    mkdirSync(this.tmp, { mode: 0o1777 });
    chmodSync(this.tmp, 0o1777);
    for (const [home, uid] of [[this.victimHome, VICTIM], [this.attackerHome, ATTACKER]] as const) {
      mkdirSync(home, { mode: 0o700 });
      chownSync(home, uid, uid);
    }
  }

  /** A `node` of this line that both users can run (the cached binaries sit under root's 0700 home). */
  node(major: number): string {
    const path = join(this.root, `node-${major}`);
    if (!existsSync(path)) {
      try {
        linkSync(nodeBinary(major), path);
      } catch {
        copyFileSync(nodeBinary(major), path);
      }
      chmodSync(path, 0o755);
    }
    return path;
  }

  /** The victim's (or attacker's) environment: their HOME, the shared TMPDIR, nothing else of this shell. */
  env(uid: number, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return { PATH: process.env.PATH, HOME: uid === VICTIM ? this.victimHome : this.attackerHome, TMPDIR: this.tmp, LANG: 'C.UTF-8', NO_COLOR: '1', ...extra };
  }

  as(uid: number, command: string, args: string[], env: Record<string, string | undefined>, input?: string) {
    return execa('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', command, ...args], {
      env: env as Record<string, string>,
      extendEnv: false,
      cwd: this.root,
      input,
      stdin: input === undefined ? 'ignore' : undefined,
      reject: false,
      timeout: 120_000,
    });
  }

  remove() {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Every file and link under `dir` with its size, mode, owner and mtime: what "untouched" means. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      out.push(`${p} ${st.mode.toString(8)} ${st.uid} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * ASCII source of exactly `length` bytes that runs `code` and whose CRC32 is
 * `target`: the two things Node's compile cache checks before handing V8 an
 * entry (V8 itself checks the source's length). The CRC is matched by solving,
 * over GF(2), which of 40 bits in a trailing comment to flip.
 */
function forgeSource(code: string, length: number, target: number): Buffer {
  const FREE = 10;
  const head = `${code}/*`;
  const at = length - FREE - 2;
  const forged = Buffer.from(`${head}${' '.repeat(at - head.length)}${'@'.repeat(FREE)}*/`, 'latin1');
  const zero = crc32(Buffer.alloc(length));
  const rows: [number, bigint][] = [];
  for (let i = 0; i < FREE * 4; i++) {
    const e = Buffer.alloc(length);
    e[at + (i >> 2)] = 1 << (i & 3);
    rows.push([(crc32(e) ^ zero) >>> 0, 1n << BigInt(i)]);
  }
  let want = (crc32(forged) ^ target) >>> 0;
  let flips = 0n;
  for (let bit = 31; bit >= 0; bit--) {
    const i = rows.findIndex(([d]) => (d >>> bit) & 1);
    if (i < 0) continue;
    const [pivot, mask] = rows.splice(i, 1)[0]!;
    for (const r of rows) if ((r[0] >>> bit) & 1) [r[0], r[1]] = [(r[0] ^ pivot) >>> 0, r[1] ^ mask];
    if ((want >>> bit) & 1) [want, flips] = [(want ^ pivot) >>> 0, flips ^ mask];
  }
  for (let i = 0; i < FREE * 4; i++) if ((flips >> BigInt(i)) & 1n) forged[at + (i >> 2)]! ^= 1 << (i & 3);
  expect(crc32(forged) >>> 0).toBe(target >>> 0);
  return forged;
}

// What the launchers did before: Node's default folder, os.tmpdir()/node-compile-cache.
const OLD_LAUNCHER = `require('node:module').enableCompileCache?.();
import('../dist/cli.js').then(({ main }) => main(process.argv.slice(2))).then((code) => { process.exitCode = code; });
`;

describeAsUsers('another user on the same machine: the compile cache', () => {
  let m: SharedMachine;
  beforeAll(() => {
    m = new SharedMachine();
    writeFileSync(join(m.app, 'bin/old-launcher.cjs'), OLD_LAUNCHER);
  });
  afterAll(() => m.remove());

  it.each(SUPPORTED_NODE_LINES)('Node %i: a forged entry in the shared tmp never runs, the victim never touches the attacker\'s folder, and the private cache fills', async (major) => {
    const node = m.node(major);
    rmSync(join(m.tmp, 'node-compile-cache'), { recursive: true, force: true });
    const pwned = join(m.victimHome, 'PWNED');
    // The attacker's entry: compiled from code of dist/cli.js's size and CRC32, at its path, for the victim's uid
    // (every part of Node's folder name can be predicted), then planted in the shared tmp, 0777.
    const cliPath = join(m.app, 'dist/cli.js');
    const real = readFileSync(cliPath);
    const scratch = mkdtempSync(join(m.root, 'scratch-'));
    chownSync(scratch, VICTIM, VICTIM);
    try {
      writeFileSync(cliPath, forgeSource("process.getBuiltinModule('node:fs').writeFileSync(process.env.HOME+'/PWNED','ran');export const main=async()=>0;", real.length, crc32(real)));
      expect((await m.as(VICTIM, node, [m.cli, 'nosuch'], m.env(VICTIM, { NODE_COMPILE_CACHE: scratch }))).exitCode).toBe(0);
    } finally {
      writeFileSync(cliPath, real);
    }
    expect(existsSync(pwned), 'the forged source ran once, to make the entry').toBe(true);
    rmSync(pwned);
    const planted = join(m.tmp, 'node-compile-cache');
    cpSync(scratch, planted, { recursive: true });
    rmSync(scratch, { recursive: true, force: true });
    for (const p of [planted, ...snapshot(planted).map((l) => l.split(' ')[0]!)]) {
      chownSync(p, ATTACKER, ATTACKER);
      chmodSync(p, 0o777);
    }
    const before = snapshot(planted);

    // Control: the launcher as it was runs the attacker's code as the victim.
    writeFileSync(join(m.app, 'bin/old-launcher.cjs'), OLD_LAUNCHER);
    await m.as(VICTIM, node, [join(m.app, 'bin/old-launcher.cjs'), 'nosuch'], m.env(VICTIM));
    expect(existsSync(pwned), 'the old launcher ran the forged entry').toBe(true);
    rmSync(pwned);

    // Now: the forged entry never runs, and the attacker's folder is exactly as planted.
    const r = await m.as(VICTIM, node, [m.cli, 'nosuch', '--debug'], m.env(VICTIM));
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('"nosuch" is not a command.');
    expect(existsSync(pwned)).toBe(false);
    expect(snapshot(planted)).toEqual(before);
    // The cache works, in the victim's own 0700 folder; --debug says where.
    const own = join(m.victimHome, '.cache/dockerhub-credentials/compile-cache');
    expect(r.stderr).toContain(`debug: compile cache: ${own}\n`);
    expect(lstatSync(own).mode & 0o777).toBe(0o700);
    expect(lstatSync(own).uid).toBe(VICTIM);
    const [folder] = readdirSync(own);
    expect(folder).toMatch(new RegExp(`-${VICTIM}$`));
    expect(readdirSync(join(own, folder!)).length).toBeGreaterThan(0);
    // The credential helper's launcher too.
    await m.as(VICTIM, node, [join(m.app, 'bin/docker-credential-dockerhub-credentials.cjs'), 'list'], m.env(VICTIM));
    expect(existsSync(pwned)).toBe(false);
    expect(snapshot(planted)).toEqual(before);
  }, 120_000);

  it("a private cache folder that is a link, or another user's, is never used: the run goes on without a cache", async () => {
    const node = m.node(SUPPORTED_NODE_LINES[0]!);
    const home = join(m.root, 'home-with-link');
    mkdirSync(join(home, '.cache'), { recursive: true, mode: 0o700 });
    const target = join(m.attackerHome, 'cache');
    mkdirSync(target, { mode: 0o777 });
    chownSync(target, ATTACKER, ATTACKER);
    chmodSync(target, 0o777);
    symlinkSync(target, join(home, '.cache/dockerhub-credentials'));
    for (const p of [home, join(home, '.cache')]) chownSync(p, VICTIM, VICTIM);
    const r = await m.as(VICTIM, node, [m.cli, 'nosuch', '--debug'], m.env(VICTIM, { HOME: home }));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`debug: compile cache: off, because ${join(home, '.cache/dockerhub-credentials')} is a symbolic link`);
    expect(readdirSync(target)).toEqual([]);
    // Without --debug, nothing is said.
    const quiet = await m.as(VICTIM, node, [m.cli, 'nosuch'], m.env(VICTIM, { HOME: home }));
    expect(quiet.stderr).not.toContain('compile cache');
    expect(readdirSync(m.tmp).filter((n) => n !== 'node-compile-cache')).toEqual([]);
  }, 60_000);
});

describeAsUsers('another user on the same machine: the sweep of abandoned folders', () => {
  const w = useWorld();
  let m: SharedMachine;
  beforeAll(() => {
    m = new SharedMachine();
  });
  afterAll(() => m.remove());
  const tenMinutesAgo = () => (Date.now() - 10 * 60_000) / 1000;

  it("a look-alike folder, another tool's sandbox folder and a link to the victim's files survive; the tool's own abandoned folder is swept", async () => {
    const name = `shared/${Date.now()}`;
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));

    // The victim's own folders that share the old prefix: notes, a sandbox of an older release.
    const victimFiles = join(m.victimHome, 'projects');
    mkdirSync(victimFiles);
    writeFileSync(join(victimFiles, 'keep.txt'), 'mine');
    const lookAlikes = ['dockerhub-credentials-notes', 'dockerhub-credentials-sandbox-abc123', 'dockerhub-credentials-Xy12Ab'].map((n) => join(m.tmp, n));
    for (const dir of lookAlikes) {
      mkdirSync(join(dir, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'env.sh'), 'export X=1\n');
    }
    // The attacker's link, older than five minutes, to the victim's files.
    const link = join(m.tmp, 'dockerhub-credentials-evil01');
    await m.as(ATTACKER, process.execPath, ['-e', `require('fs').symlinkSync(${JSON.stringify(victimFiles)}, ${JSON.stringify(link)})`], m.env(ATTACKER));
    expect(lstatSync(link).uid).toBe(ATTACKER);
    // The victim's run folders, in the private parent: one abandoned by a killed run (marked, its pid gone),
    // one of the same shape without the mark, and one marked by a process that is still running.
    const parent = join(m.victimHome, '.cache/dockerhub-credentials/tmp');
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    const mark = (pid: number) => `dockerhub-credentials docker login folder\npid ${pid}\n`;
    const abandoned = join(parent, 'login-Ab12Cd');
    const unmarked = join(parent, 'login-Zz99Yy');
    const running = join(parent, 'login-Run123');
    for (const dir of [abandoned, unmarked, running]) mkdirSync(dir);
    writeFileSync(join(abandoned, '.dockerhub-credentials-run'), mark(2 ** 22 + 7));
    writeFileSync(join(abandoned, 'config.json'), '{}');
    writeFileSync(join(running, '.dockerhub-credentials-run'), mark(process.pid));
    for (const p of [...lookAlikes, victimFiles, join(victimFiles, 'keep.txt'), join(m.victimHome, '.cache'), ...snapshot(join(m.victimHome, '.cache')).map((l) => l.split(' ')[0]!), ...lookAlikes.flatMap((d) => snapshot(d).map((l) => l.split(' ')[0]!))]) {
      chownSync(p, VICTIM, VICTIM);
    }
    for (const p of [...lookAlikes, abandoned, unmarked, running]) utimesSync(p, tenMinutesAgo(), tenMinutesAgo());
    lutimesSync(link, tenMinutesAgo(), tenMinutesAgo());
    const tmpBefore = snapshot(m.tmp);
    const victimBefore = snapshot(victimFiles);

    // A run that logs in with docker (so it sweeps), as the victim.
    const r = await m.as(VICTIM, process.execPath, [m.cli, 'verify', '--secret-id', name, '--live', '--debug'], m.env(VICTIM, w.env()));
    expect(r.exitCode, r.stderr).toBe(0);
    w.assertNoCanary('stderr', r.stderr);

    expect(snapshot(m.tmp), 'the shared tmp is as it was').toEqual(tmpBefore);
    expect(snapshot(victimFiles), "the link's target is untouched").toEqual(victimBefore);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(existsSync(abandoned), "the tool's own abandoned folder is swept").toBe(false);
    expect(existsSync(unmarked), 'a folder without the mark stays').toBe(true);
    expect(existsSync(running), "a live run's folder stays").toBe(true);
    expect(readdirSync(parent).sort()).toEqual(['login-Run123', 'login-Zz99Yy']);
    expect(r.stderr).toContain(`debug: docker login folder: ${parent}/login-`);
  }, 120_000);

  it('a private parent in the shared tmp that the attacker made first is refused with a sentence, and nothing is written there', async () => {
    const name = `shared/${Date.now()}`;
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    // No private cache (HOME cannot hold one), so the tmp fallback is the only place left, and the attacker holds it.
    const home = join(m.root, 'home-readonly');
    mkdirSync(home, { mode: 0o500 });
    chownSync(home, VICTIM, VICTIM);
    const squatted = join(m.tmp, `dockerhub-credentials.${VICTIM}`);
    await m.as(ATTACKER, process.execPath, ['-e', `require('fs').mkdirSync(${JSON.stringify(squatted)}, { mode: 0o777 })`], m.env(ATTACKER));
    const r = await m.as(VICTIM, process.execPath, [m.cli, 'verify', '--secret-id', name, '--live'], m.env(VICTIM, { ...w.env(), HOME: home }));
    // verify reports on stdout, the fix on stderr.
    const all = `${r.stdout}\n${r.stderr}`;
    expect(r.exitCode, all).toBe(2);
    expect(r.stdout).toContain('There is no private folder where docker login can run');
    expect(r.stdout).toContain(`${squatted} belongs to another user (uid ${ATTACKER})`);
    expect(r.stderr).toContain('Point XDG_RUNTIME_DIR or XDG_CACHE_HOME at a folder of your own');
    expect(all).not.toMatch(/Unexpected error|\n\s+at /);
    expect(readdirSync(squatted)).toEqual([]);
  }, 120_000);
});
