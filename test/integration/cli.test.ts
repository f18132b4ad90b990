// The command surface, run as a user would: help, version, usage errors, pipes.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { CLI, Sandbox, runCli } from '../support/harness.js';

describe('the command surface', () => {
  const sandbox = new Sandbox();
  afterAll(() => sandbox.remove());
  const run = (args: string[]) => runCli(args, { sandbox });

  it('prints help with every command and the exit codes, and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.exitCode).toBe(0);
    for (const word of ['setup', 'rotate', 'verify', 'rollback', '130  cancelled']) expect(r.stdout).toContain(word);
    const none = await run([]);
    expect(none.exitCode).toBe(0);
    expect(none.stdout).toContain('Usage: dockerhub-credentials');
  });

  it.each(['setup', 'rotate', 'verify', 'rollback'])('%s --help lists the shared options', async (cmd) => {
    const r = await run([cmd, '--help']);
    expect(r.exitCode).toBe(0);
    for (const opt of ['--secret-id', '--profile', '--region', '--json', '--no-color', '--non-interactive']) expect(r.stdout).toContain(opt);
  });

  it("a profile with key variables set: one line of the tool's own, not the SDK's multi-line warning", async () => {
    const r = await runCli(['verify', '--secret-id', 'ci/x', '--profile', 'nosuch', '--region', 'eu-west-2'], {
      sandbox,
      env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' },
    });
    expect(r.stderr).toContain('Using profile nosuch; the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables are ignored.');
    expect(r.stderr).not.toMatch(/Multiple credential sources|WARNING/);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/profile nosuch/);
  });

  it('says in rollback --help that rolling back twice returns to the start', async () => {
    expect((await run(['rollback', '--help'])).stdout).toContain('rolling back twice returns to where');
  });

  it('prints the version', async () => {
    const r = await run(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('makes unknown options and commands usage errors (exit 2) in its own words, with the nearest name, and has no --token flag', async () => {
    const option = await run(['verify', '--secret-i', 'x']);
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toBe('✗ --secret-i is not an option of verify.\n  Did you mean --secret-id? See dockerhub-credentials verify --help.');
    // A command's option written before the command: the right order, not "not an option" (stranger trial, session 3).
    const before = await run(['--secret-id', 'demo/x', 'verify', '--live']);
    expect(before.exitCode).toBe(2);
    expect(before.stderr).toBe('✗ --secret-id goes after the command: it is an option of verify, not of dockerhub-credentials itself.\n  Put the options after "verify". Run: dockerhub-credentials verify --secret-id demo/x --live');
    const command = await run(['rotat']);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toBe('✗ "rotat" is not a command.\n  Did you mean rotate? The commands are setup, rotate, verify, status, history, rollback, login, logout, retire, tokens; see dockerhub-credentials --help.');
    const token = await run(['setup', '--token', 'x']);
    expect(token.exitCode).toBe(2);
    expect(token.stderr).toContain('✗ There is no --token option: a token on the command line would show in the process list and the shell history.');
    const json = await run(['setup', '--json', '--token', 'x']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'no-token-option', exitCode: 2 } });
    expect(json.stderr).toBe('');
  });

  it('exits quietly when the reader of its output goes away', async () => {
    const r = await execa('bash', ['-c', `"${process.execPath}" "${CLI}" --help | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`], { reject: false });
    expect(r.stdout).toBe('Usage: dockerhub-credentials [options] [command]');
    expect(r.stderr).toBe('exit=0');
  });
});
