// One Docker Hub stand-in per test file, with the accounts REFERENCE asks for, and the
// run's shared moto (or the file's own, or the in-memory Secrets Manager).
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from 'vitest';
import { startMoto } from './moto.mjs';
import { startHubStandin } from './hub-standin.mjs';
import { startFaultProxy } from './fault-proxy.mjs';
import { Canary, Sandbox, runCli, type RunOptions, type RunResult } from './harness.js';
import { REGION, TestSecrets, awsEnv } from './aws.js';
import { MemorySecretsManager } from './memory-secrets.js';
import { runInProcess } from './in-process.js';
import { SizedPty, Terminal } from './pty.js';

/** A world in memory: its secrets are arranged and read back through the in-memory Secrets Manager. */
export type MemoryWorld = Omit<World, 'secrets'> & { secrets: SecretsAdmin };

/** Arranging and reading back secrets: TestSecrets on moto, or the in-memory Secrets Manager. */
export type SecretsAdmin = Pick<TestSecrets, 'create' | 'stagePending' | 'put' | 'scheduleDeletion' | 'value' | 'stages'>;

export interface World {
  /** Only in a world on moto (the default). */
  moto: Awaited<ReturnType<typeof startMoto>>;
  /** Only in a world in memory (`useWorld({ inProcess: true })`). */
  memory: MemorySecretsManager;
  hub: Awaited<ReturnType<typeof startHubStandin>>;
  secrets: TestSecrets;
  sandbox: Sandbox;
  /** The read & write PAT of alice1: the canary of every test. */
  rw: Canary;
  /** A second read & write PAT of alice1, to rotate to. */
  rw2: Canary;
  ro: Canary;
  revoked: Canary;
  expired: Canary;
  bob: Canary;
  /** An organization access token of acmeorg: push on acmeorg/app, pull only on acmeorg/web. */
  oat: Canary;
  /** A second organization access token of acmeorg, to rotate to. */
  oat2: Canary;
  /** An expired organization access token of acmeorg. */
  oatExpired: Canary;
  /** The account password of dave4, who has two-factor authentication on. */
  password2fa: Canary;
  password: string;
  canaries(): Canary[];
  /** Fails if any canary piece is in `text`. */
  assertNoCanary(label: string, text: string): void;
  /** The CLI in a real terminal, with this world's environment, HOME and TMPDIR. */
  terminal(args: string[], env?: Record<string, string | undefined>, size?: { cols: number; rows: number }): Promise<Terminal>;
  /** The CLI in a script(1) pty of any size (0x0 by default), with this world's environment; ended after the test. */
  sizedPty(args: string[], env?: Record<string, string | undefined>, size?: { rows: number; cols: number }): SizedPty;
  /**
   * Runs `args` in a terminal, presses Ctrl-C once `reach` returns, and checks
   * exit 130, a sane terminal, no canary on screen and unchanged versions of `secret`.
   */
  interruptAt(args: string[], secret: string, reach: (t: Terminal) => Promise<void>, env?: Record<string, string | undefined>): Promise<void>;
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** `clock`: the run's "now" (in process only: a child process has the machine's). */
  run(args: string[], o?: { env?: Record<string, string | undefined>; input?: string; clock?: () => Date } & Pick<RunOptions, 'interruptWhen' | 'interrupt'>): Promise<RunResult>;
}

/**
 * `inProcess`: commands run through main(argv, deps) in this process, against the
 * in-memory Secrets Manager (which passes moto's contract, store-contract.test.ts);
 * the Docker Hub stand-in, the docker CLI, the sandbox and the canaries are the same.
 */
export function useWorld(o?: { ownMoto?: boolean }): World;
export function useWorld(o: { inProcess: true }): MemoryWorld;
export function useWorld(o: { inProcess?: boolean; ownMoto?: boolean } = {}): World {
  const w = {
    rw: new Canary(),
    rw2: new Canary(),
    ro: new Canary(),
    revoked: new Canary(),
    expired: new Canary(),
    bob: new Canary(),
    oat: new Canary('dckr_oat_'),
    oat2: new Canary('dckr_oat_'),
    oatExpired: new Canary('dckr_oat_'),
    password2fa: new Canary('hunter2-'),
    password: 'correct-horse-battery-staple-42',
  } as World;
  w.canaries = () => [w.rw, w.rw2, w.ro, w.revoked, w.expired, w.bob, w.oat, w.oat2, w.oatExpired, w.password2fa];
  w.assertNoCanary = (label, text) => {
    for (const c of w.canaries()) c.assertAbsent(label, text);
  };
  let open: Terminal | undefined;
  w.terminal = async (args, env = {}, size) => {
    await open?.close();
    open = new Terminal();
    // The sandbox's bin/ first on PATH, for fake credential helpers.
    const path = `${w.sandbox.root}/bin:${process.env.PATH}`;
    await open.start(args, { ...w.env(env), PATH: path, HOME: w.sandbox.home, TMPDIR: w.sandbox.tmp }, w.sandbox.cwd, size);
    return open;
  };
  let ptys: SizedPty[] = [];
  w.sizedPty = (args, env = {}, size = { rows: 0, cols: 0 }) => {
    const p = new SizedPty(args, { ...w.env(env), PATH: process.env.PATH, HOME: w.sandbox.home, TMPDIR: w.sandbox.tmp, LANG: 'C.UTF-8' }, w.sandbox.cwd, size);
    ptys.push(p);
    return p;
  };
  afterEach(async () => {
    await open?.close();
    open = undefined;
    for (const p of ptys) await p.close();
    ptys = [];
  });
  w.interruptAt = async (args, secret, reach, env) => {
    const before = await w.secrets.stages(secret);
    const t = await w.terminal(args, env);
    await reach(t);
    await t.key('C-c');
    const { code, sane, screen } = await t.exit();
    expect(code).toBe(130);
    expect(sane).toBe(true);
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.stages(secret)).toEqual(before);
  };
  w.env = (extra = {}) => ({
    // In memory, an endpoint that resolves nowhere: a call that missed the seam fails instead of reaching AWS.
    ...awsEnv(o.inProcess ? 'http://secrets-manager.invalid' : w.moto.url),
    DOCKERHUB_CREDENTIALS_REGISTRY: w.hub.url,
    DOCKERHUB_CREDENTIALS_HUB_URL: w.hub.url,
    ...extra,
  });
  w.run = async (args, r0 = {}) => {
    if (r0.clock && !o.inProcess) throw new Error('a clock is given to a run in process only');
    const r = o.inProcess
      ? await runInProcess(args, { sandbox: w.sandbox, env: w.env(r0.env), input: r0.input, deps: { secrets: w.memory.open, ...(r0.clock ? { clock: r0.clock } : {}) } })
      : await runCli(args, { sandbox: w.sandbox, env: w.env(r0.env), input: r0.input, interruptWhen: r0.interruptWhen, interrupt: r0.interrupt });
    w.assertNoCanary('stdout', r.stdout);
    w.assertNoCanary('stderr', r.stderr);
    return r;
  };
  beforeAll(async () => {
    if (o.inProcess) {
      w.memory = new MemorySecretsManager(REGION);
      w.secrets = w.memory as unknown as TestSecrets; // a MemoryWorld's type says SecretsAdmin
    } else {
      // The run's shared moto (global-moto.ts), unless this file needs its own.
      const shared = o.ownMoto ? '' : inject('motoUrl');
      w.moto = shared ? { url: shared, port: Number(new URL(shared).port), reset: () => Promise.reject(new Error('the shared moto is never reset')), stop: async () => undefined } : await startMoto();
      w.secrets = new TestSecrets(w.moto.url);
    }
    w.hub = await startHubStandin({
      accounts: [
        { username: 'alice1', secret: w.rw.token, kind: 'pat', level: 'write', state: 'ok' },
        { username: 'alice1', secret: w.rw2.token, kind: 'pat', level: 'write', state: 'ok' },
        { username: 'alice1', secret: w.ro.token, kind: 'pat', level: 'read', state: 'ok' },
        { username: 'alice1', secret: w.revoked.token, kind: 'pat', level: 'write', state: 'revoked' },
        { username: 'alice1', secret: w.expired.token, kind: 'pat', level: 'write', state: 'expired' },
        { username: 'bobby2', secret: w.bob.token, kind: 'pat', level: 'write', state: 'ok' },
        { username: 'carol3', secret: w.password, kind: 'password', level: 'admin', state: 'ok' },
        { username: 'dave4', secret: w.password2fa.token, kind: 'password', level: 'admin', state: 'ok', twoFactor: true },
        // Organization access tokens log in with the organization's name and list their repositories.
        { username: 'acmeorg', secret: w.oat.token, kind: 'oat', state: 'ok', grants: { 'acmeorg/app': ['pull', 'push'], 'acmeorg/web': ['pull'] } },
        { username: 'acmeorg', secret: w.oat2.token, kind: 'oat', state: 'ok', grants: { 'acmeorg/app': ['pull', 'push'] } },
        { username: 'acmeorg', secret: w.oatExpired.token, kind: 'oat', state: 'expired', grants: { 'acmeorg/app': ['pull', 'push'] } },
      ],
    });
  });
  afterAll(async () => {
    await w.hub?.stop();
    await w.moto?.stop();
  });
  beforeEach(() => {
    w.sandbox = new Sandbox();
    w.hub.reset();
  });
  afterEach(() => {
    // Every run leaves the user's docker config byte for byte as it was, and nothing on disk.
    w.sandbox.assertDockerConfigUntouched();
    for (const c of w.canaries()) w.sandbox.assertClean(c);
    w.sandbox.remove();
  });
  return w;
}

export type FaultProxy = Awaited<ReturnType<typeof startFaultProxy>>;

/** A fault-injecting proxy in front of this world's moto, for the whole file (call after useWorld). */
export function useFaultProxy(w: World): () => FaultProxy {
  let proxy: FaultProxy | undefined;
  beforeAll(async () => {
    proxy = await startFaultProxy(w.moto.url);
  });
  afterAll(async () => {
    await proxy?.stop();
  });
  return () => proxy!;
}
