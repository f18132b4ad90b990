// The CLI's main(argv, deps) run in this process, with what runCli gives a child
// process (a minimal environment, the sandbox's HOME, TMPDIR and working folder,
// stdin from `input`), and stdout and stderr captured. The secret store (and any
// other seam) comes from `deps`: commands under test reach nothing else.
import { PassThrough, Readable } from 'node:stream';
import { main, type MainDeps } from '../../src/cli.js';
import type { RunResult, Sandbox } from './harness.js';

export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  input?: string | Uint8Array;
  sandbox: Sandbox;
  deps?: Omit<MainDeps, 'streams' | 'stdin' | 'env' | 'cwd'>;
}

export async function runInProcess(args: string[], o: InProcessOptions): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: o.sandbox.home,
    TMPDIR: o.sandbox.tmp,
    LANG: 'C.UTF-8',
    ...o.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const captured = { stdout: '', stderr: '' };
  const sink = (key: keyof typeof captured) => {
    const s = new PassThrough();
    s.setEncoding('utf8');
    s.on('data', (d: string) => (captured[key] += d));
    return s;
  };
  const streams = { stdout: sink('stdout'), stderr: sink('stderr') };
  const stdin = o.input === undefined ? Readable.from([]) : Readable.from([Buffer.from(o.input)]);
  const exitCode = await main(args, { ...o.deps, streams, stdin, env, cwd: o.sandbox.cwd });
  // What was written is read on the next turn of the event loop.
  await new Promise((r) => setImmediate(r));
  return { exitCode, ...captured };
}
