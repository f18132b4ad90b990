// Every command in a pseudo-terminal whose size was never set (`stty size` says 0 0),
// as `script` in a CI job or an agent's pty gives: each run ends by itself with a
// bounded amount of output, no spinner redraws, and SIGTERM, SIGHUP (the terminal going
// away) or repeated signals end it with no node process left behind (issue 21 item 1).
// The pty is script(1)'s (tmux cannot make a 0x0 one); see SizedPty in test/support/pty.ts.
import { afterEach, expect, it } from 'vitest';
import { join } from 'node:path';
import { describeWith } from '../support/harness.js';
import { useFaultProxy, useWorld } from '../support/world.js';
import type { SizedPty } from '../support/pty.js';
import { uniqueName } from '../support/aws.js';

type Command = 'verify' | 'history' | 'login' | 'setup' | 'rotate' | 'rollback';

const ZERO = { rows: 0, cols: 0 };
/** Far more than any of these runs writes (a few KB), far less than the old spinner loop (MBs a second). */
const BOUNDED = 64 * 1024;
// eslint-disable-next-line no-control-regex
const REDRAW = /\r\u001b\[2K|\u001b\[1A|\u001b\[0K/;
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[\d+(;\d+)*m/;

describeWith(['moto_server', 'docker', 'script'], 'every command in a 0x0 pty ends, and every signal ends it', () => {
  const w = useWorld();
  const faults = useFaultProxy(w);
  const value = (token: string) => JSON.stringify({ username: 'alice1', token });
  afterEach(() => faults().restore());

  /** A secret ready for `command`: empty for setup (as Terraform leaves it), two versions for rollback. */
  const prepare = async (command: Command) => {
    const name = uniqueName();
    if (command === 'setup') await w.secrets.create(name);
    else await w.secrets.create(name, value(w.rw.token));
    if (command === 'rollback') await w.secrets.put(name, value(w.rw2.token));
    return name;
  };

  /** The command line that completes unattended, and the environment it needs. */
  const unattended = (command: Command, name: string): { args: string[]; env: Record<string, string> } => {
    const env: Record<string, string> = { DOCKER_CONFIG: join(w.sandbox.root, 'agent-docker') };
    switch (command) {
      case 'setup':
        return { args: ['setup', '--non-interactive', '--username', 'alice1', '--secret-id', name, '--yes'], env: { ...env, DOCKERHUB_TOKEN: w.rw.token } };
      case 'rotate':
        return { args: ['rotate', '--non-interactive', '--secret-id', name], env: { ...env, DOCKERHUB_TOKEN: w.rw2.token } };
      case 'rollback':
        return { args: ['rollback', '--non-interactive', '--secret-id', name, '--yes'], env };
      default:
        return { args: [command, '--secret-id', name], env };
    }
  };

  const pty = (args: string[], env: Record<string, string | undefined> = {}, size = ZERO) => w.sizedPty(args, env, size);

  /** Runs to the end; checks it ended by itself, wrote a bounded amount, never redrew a line, and left no process. */
  const ends = async (p: SizedPty) => {
    const code = await p.exited;
    const text = p.output();
    expect(p.bytes, `output of ${p.bytes} bytes:\n${text.slice(-2000)}`).toBeLessThan(BOUNDED);
    expect(text).not.toMatch(REDRAW);
    expect(await p.gone()).toBe(true);
    w.assertNoCanary('pty', text);
    return { code, text };
  };

  const variants: [string, string[], Record<string, string>][] = [
    ['as is', [], {}],
    ['--non-interactive', ['--non-interactive'], {}],
    ['--no-color', ['--no-color'], {}],
    ['NO_COLOR=1', [], { NO_COLOR: '1' }],
  ];
  for (const command of ['verify', 'history', 'login', 'setup', 'rotate', 'rollback'] as const) {
    for (const [variant, extra, extraEnv] of variants) {
      it(`${command} (${variant}) ends by itself with bounded output`, async () => {
        const name = await prepare(command);
        const { args, env } = unattended(command, name);
        const { code, text } = await ends(pty([...args, ...extra.filter((f) => !args.includes(f))], { ...env, ...extraEnv }));
        expect(code, text).toBe(0);
        if (variant !== 'as is' && variant !== '--non-interactive') expect(text).not.toMatch(SGR);
      });
    }

    it(`${command}: SIGTERM at start ends it`, async () => {
      const name = await prepare(command);
      const before = await w.secrets.stages(name);
      const { args, env } = unattended(command, name);
      const p = pty(args, env);
      await p.pid;
      await p.signal('SIGTERM');
      const { code } = await ends(p);
      // Before node installs its handlers the default action ends it (143); after, the run's own (130).
      expect([130, 143]).toContain(code);
      expect(await w.secrets.stages(name)).toEqual(before);
    });
  }

  // Mid network step: the call is held by the fault proxy (or the stand-in is slow) until the signal came.
  const held: [Command, string, (name: string) => Promise<unknown> | string][] = [
    ['verify', 'DescribeSecret', () => faults().fail({ target: 'DescribeSecret', mode: 'hold' })],
    ['history', 'ListSecretVersionIds', () => faults().fail({ target: 'ListSecretVersionIds', mode: 'hold' })],
    ['login', 'docker login', () => 'docker login as alice1'],
    ['setup', 'the isolated docker login', () => 'as alice1 (isolated config)'],
    ['rotate', 'the isolated docker login', () => 'as alice1 (isolated config)'],
    ['rollback', 'DescribeSecret', () => faults().fail({ target: 'DescribeSecret', mode: 'hold' })],
  ];
  for (const [command, step, hold] of held) {
    for (const signal of command === 'verify' ? (['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) : (['SIGTERM'] as const)) {
      it(`${command}: ${signal} during ${step} ends it (130), nothing changed`, async () => {
        const name = await prepare(command);
        const before = await w.secrets.stages(name);
        const { args, env } = unattended(command, name);
        w.hub.switches.delayMs = 3000;
        const at = hold(name);
        const p = pty(args, { ...env, AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url, AWS_MAX_ATTEMPTS: '1' });
        if (typeof at === 'string') await p.waitFor(at);
        else await at;
        await p.signal(signal);
        const { code, text } = await ends(p);
        expect(code, text).toBe(130);
        expect(text).toContain('Cancelled');
        expect(await w.secrets.stages(name)).toEqual(before);
      });
    }
  }

  it('the terminal going away (SIGHUP) mid network step leaves no node process behind', async () => {
    const name = await prepare('verify');
    const held = faults().fail({ target: 'DescribeSecret', mode: 'hold' });
    const p = pty(['verify', '--secret-id', name], { AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url });
    await held;
    p.hangUp();
    expect(await p.gone()).toBe(true);
  });

  it('the terminal going away at a prompt leaves no node process behind, and nothing changed', async () => {
    const name = await prepare('rollback');
    const before = await w.secrets.stages(name);
    const p = pty(['rollback', '--secret-id', name], {}, { rows: 24, cols: 80 });
    await p.waitFor('Roll back to the previous value?');
    p.hangUp();
    expect(await p.gone()).toBe(true);
    expect(await w.secrets.stages(name)).toEqual(before);
  });

  it('a write in progress is finished on the first signal; a third signal stops at once, saying the outcome is unknown', async () => {
    const name = await prepare('rotate');
    const { args, env } = unattended('rotate', name);
    const held = faults().fail({ target: 'PutSecretValue', mode: 'hold' });
    // The held write would otherwise keep the run for the AWS time limit; here it never returns.
    const p = pty(args, { ...env, AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url, AWS_MAX_ATTEMPTS: '1', DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '600' });
    await held;
    await p.signal('SIGTERM');
    // How long it may wait is said at the first signal (AWS time limit 600 s: 2 x 600 + 15).
    await p.waitFor('Finishing the write in progress, then stopping (at most 1215 seconds).');
    await p.signal('SIGTERM');
    await p.waitFor('Signal again to stop anyway.');
    await p.signal('SIGTERM');
    const { code, text } = await ends(p);
    expect(code).toBe(130);
    expect(text).toContain('Stopped: stopped during a write to Secrets Manager.');
    // The exact command, not a template (stranger finding 2), and an honest State line.
    expect(text).toContain(`Check what the secret holds with: npx dockerhub-credentials history --secret-id ${name} --region`);
    expect(text).not.toContain('--secret-id NAME');
    expect(text).toContain('State: the outcome of the write to Secrets Manager in progress is unknown');
  });

  it('at a prompt, SIGTERM ends interactive setup and rotate (130)', async () => {
    for (const command of ['setup', 'rotate'] as const) {
      const name = await prepare(command);
      const before = await w.secrets.stages(name);
      const p = pty([command, '--secret-id', name]);
      await p.waitFor(command === 'setup' ? 'Which AWS services will read this secret' : 'Docker ID');
      await p.signal('SIGTERM');
      const { code, text } = await ends(p);
      expect(code, text).toBe(130);
      expect(await w.secrets.stages(name)).toEqual(before);
    }
    // Two interactive runs in one test: on a loaded 2-core machine they outlast the 60 s default.
  }, 180_000);

  it('interactive rollback in a 0x0 pty: the confirmation is answered and the run ends', async () => {
    const name = await prepare('rollback');
    const p = pty(['rollback', '--secret-id', name]);
    await p.waitFor('Roll back to the previous value?');
    p.type('y\r');
    const { code, text } = await ends(p);
    expect(code, text).toBe(0);
    expect(JSON.parse((await w.secrets.value(name))!).token).toBe(w.rw.token);
  });

  it('NO_COLOR reaches the spinner: a sized terminal shows it, without colour (issue 21 item 18)', async () => {
    const name = await prepare('verify');
    const held = faults().fail({ target: 'DescribeSecret', mode: 'hold' });
    const p = pty(['verify', '--secret-id', name], { NO_COLOR: '1', AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url }, { rows: 24, cols: 80 });
    await held;
    await p.waitFor('Reading');
    faults().release();
    const code = await p.exited;
    expect(code, p.output()).toBe(0);
    expect(p.output()).toMatch(/\r\u001b\[2K/); // the spinner ran
    expect(p.output()).not.toMatch(SGR);
  });
});
