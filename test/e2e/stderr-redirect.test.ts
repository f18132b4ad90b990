// At a terminal with only stderr redirected (`dockerhub-credentials rotate 2>err.log`), the run is
// unattended: questions are asked on stderr. It must say so, or the keys typed next (a token)
// go to the shell, as they did in the stranger's trial (session 3). A real pty through `script`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CLI, describeWith } from '../support/harness.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describeWith(['script'], 'a terminal with only stderr redirected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhc-stderr-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [command, says] of [
    ['rotate', /^✗ No token was given\.$/m],
    ['setup', /^✗ 2 answers are missing or invalid: No Docker ID was given\. No token was given\.$/m],
  ] as const) {
    it(`${command} 2>file: says no question was asked, and why, before anything is sent (exit 2)`, () => {
      const err = join(dir, `${command}.err`);
      // Secrets Manager is a closed port: nothing may be sent before the missing answers are named.
      const env = `env -i PATH=${quote(process.env.PATH ?? '/usr/bin:/bin')} HOME=${quote(dir)} AWS_REGION=eu-west-2 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:9`;
      const line = `cd ${quote(dir)} && ${env} ${quote(process.execPath)} ${quote(CLI)} ${command} --secret-id ci/x 2>${quote(err)}; echo "[exit $?]"`;
      const r = spawnSync('script', ['-qefc', line, '/dev/null'], { encoding: 'utf8', input: '', timeout: 60_000 });
      expect(r.stdout).toContain('[exit 2]');
      const text = readFileSync(err, 'utf8');
      expect(text).toMatch(says);
      expect(text).toContain('No question was asked: stderr is not a terminal, and questions are asked on stderr. Run it again without redirecting stderr to be asked; unattended: ');
    });
  }
});
