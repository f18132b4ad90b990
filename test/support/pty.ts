// Drives the built CLI in a real pseudo-terminal through tmux, as a person would:
// it reads the screen, types answers, pastes the token and presses Ctrl-C.
import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { CLI } from './harness.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class Terminal {
  private readonly socket = `dhc-${randomUUID().slice(0, 8)}`;
  private readonly target = 'cli';

  private tmux(args: string[], input?: string) {
    return execa('tmux', ['-L', this.socket, ...args], { input, reject: true });
  }

  /** Starts `dockerhub-credentials <args>` in a terminal (120x40 unless told) with exactly `env`. */
  async start(args: string[], env: Record<string, string | undefined>, cwd: string, size = { cols: 120, rows: 40 }): Promise<void> {
    const assignments = Object.entries({ TERM: 'xterm-256color', ...env })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${quote(v!)}`)
      .join(' ');
    // After the CLI exits, print its exit code and the terminal modes, to prove it was left sane.
    // The shell traps INT (children still get it): like an interactive shell, it outlives a Ctrl-C that
    // kills a child of the CLI (docker), and prints the CLI's exit code.
    const script = `trap true INT; cd ${quote(cwd)} && env -i ${assignments} ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}; echo "[exit $?]"; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo '[modes]'; sleep 600`;
    await this.tmux(['new-session', '-d', '-s', this.target, '-x', String(size.cols), '-y', String(size.rows), 'sh', '-c', script]);
  }

  /** The whole screen and scroll-back, as text. */
  async screen(): Promise<string> {
    return (await this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', this.target])).stdout;
  }

  /** The screen and scroll-back as the rows a person sees: a line the terminal wrapped is two rows here. */
  async rows(): Promise<string[]> {
    return (await this.tmux(['capture-pane', '-p', '-S', '-', '-t', this.target])).stdout.split('\n');
  }

  async waitFor(what: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.screen();
      if (typeof what === 'string' ? text.includes(what) : what.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(what)}; screen:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Types text (literally) and optionally presses Enter. */
  async type(text: string, enter = true): Promise<void> {
    if (text) await this.tmux(['send-keys', '-t', this.target, '-l', text]);
    if (enter) await this.tmux(['send-keys', '-t', this.target, 'Enter']);
  }

  async key(name: 'Enter' | 'C-c' | 'C-d' | 'C-u' | 'Down' | 'Up' | 'BSpace'): Promise<void> {
    await this.tmux(['send-keys', '-t', this.target, name]);
  }

  /** Presses Backspace `n` times, in one go: to erase an answer a prompt kept after refusing it. */
  async erase(n: number): Promise<void> {
    await this.tmux(['send-keys', '-t', this.target, ...Array<string>(n).fill('BSpace')]);
  }

  /** Answers the three credential questions as a person would: Docker ID (empty keeps the default), the token pasted, the repository. */
  async answerCredentials(o: { username?: string; token: string; repository?: string }): Promise<void> {
    await this.waitFor('Docker ID');
    await this.type(o.username ?? '');
    await this.waitFor(/ccess token \(input hidden\)/);
    await this.paste(o.token);
    await this.waitFor('Repository CI pushes to');
    await this.type(o.repository ?? '');
  }

  /** Accepts the suggested expiry (90 days) and label at the two questions asked after the token; returns the screen. */
  async acceptLifecycleDefaults(): Promise<string> {
    await this.waitFor('Expiration date chosen for this token in Docker Hub');
    await this.key('Enter');
    const screen = await this.waitFor("The token's description in Docker Hub (its label)");
    await this.key('Enter');
    return screen;
  }

  /** Pastes like a person: through a paste buffer fed on stdin, never on a command line. */
  async paste(secret: string, enter = true): Promise<void> {
    await this.tmux(['load-buffer', '-b', 'paste', '-'], secret);
    await this.tmux(['paste-buffer', '-d', '-b', 'paste', '-t', this.target]);
    if (enter) await this.key('Enter');
  }

  /** Waits for the CLI to exit; returns its exit code and whether the terminal modes were restored. */
  async exit(): Promise<{ code: number; sane: boolean; screen: string }> {
    const screen = await this.waitFor(/\[modes\]/);
    const code = Number(/\[exit (\d+)\]/.exec(screen)?.[1] ?? NaN);
    const modes = /\[exit \d+\]\s*\n?(.*)\[modes\]/s.exec(screen)?.[1] ?? '';
    const sane = /(^|\s)icanon(\s|$)/.test(modes) && /(^|\s)echo(\s|$)/.test(modes);
    return { code, sane, screen };
  }

  async close(): Promise<void> {
    await execa('tmux', ['-L', this.socket, 'kill-server'], { reject: false });
  }
}

/**
 * The CLI in a pseudo-terminal made by script(1), at any size: 0x0 is what a pty gets
 * when nobody sets its size (a CI job's `script`, an agent's pty). tmux cannot make one.
 * The shell prints its pid, then execs node, so `pid` is the CLI's own process; the
 * pty's session ends (SIGHUP to the CLI) when `hangUp` kills script, which holds its master.
 */
export class SizedPty {
  private readonly child: import('node:child_process').ChildProcess;
  private text = '';
  /** Bytes the CLI wrote; only the first MAX_KEPT are kept, and past MAX_BYTES the run is killed (a loop). */
  bytes = 0;
  static readonly MAX_KEPT = 256 * 1024;
  static readonly MAX_BYTES = 4 * 1024 * 1024;
  readonly pid: Promise<number>;
  /** The CLI's exit code as script reports it (128 + n when a signal ended it). */
  readonly exited: Promise<number>;

  constructor(args: string[], env: Record<string, string | undefined>, cwd: string, size: { rows: number; cols: number }) {
    const assignments = Object.entries({ TERM: 'xterm-256color', ...env })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${quote(v!)}`)
      .join(' ');
    const command = `stty rows ${size.rows} cols ${size.cols}; echo "[pid $$]"; cd ${quote(cwd)} && exec env -i ${assignments} ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}`;
    this.child = spawn('script', ['-qefc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const onData = (d: Buffer) => {
      this.bytes += d.length;
      if (this.text.length < SizedPty.MAX_KEPT) this.text += d.toString('utf8');
      if (this.bytes > SizedPty.MAX_BYTES) this.child.kill('SIGKILL');
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.pid = this.waitFor(/\[pid (\d+)\]/).then((t) => Number(/\[pid (\d+)\]/.exec(t)![1]));
    this.pid.catch(() => undefined);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1))));
  }

  /** Everything the CLI wrote so far (the first MAX_KEPT bytes), escape codes included. */
  output(): string {
    return this.text;
  }

  /** Waits until the output matches; fails (with the output) if the run ends or 45 s pass first: a hang guard, not a timing check. */
  async waitFor(what: string | RegExp, guardMs = 45_000): Promise<string> {
    const deadline = Date.now() + guardMs;
    for (;;) {
      if (typeof what === 'string' ? this.text.includes(what) : what.test(this.text)) return this.text;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`never saw ${String(what)}; output (${this.bytes} bytes):\n${this.text.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Types into the terminal. */
  type(text: string): void {
    this.child.stdin!.write(text);
  }

  async signal(signal: NodeJS.Signals): Promise<void> {
    process.kill(await this.pid, signal);
  }

  /** The terminal goes away: script, which holds the pty's master side, is killed. */
  hangUp(): void {
    this.child.kill('SIGKILL');
  }

  /** Whether the CLI's process still exists (a zombie counts as gone). */
  async running(): Promise<boolean> {
    const pid = await this.pid;
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }

  /** Waits until the CLI's process is gone; false if it still runs after the hang guard. */
  async gone(guardMs = 45_000): Promise<boolean> {
    const deadline = Date.now() + guardMs;
    while (await this.running()) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return true;
  }

  /** Ends whatever is left of this run (the CLI first, by its pid), so no test leaves a process behind. */
  async close(): Promise<void> {
    if (await this.running().catch(() => false)) process.kill(await this.pid, 'SIGKILL');
    this.child.kill('SIGKILL');
  }
}
