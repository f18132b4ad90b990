// docker runs the credential helper on every pull and push: its bundle must not
// carry the CLI's front (commander, inquirer, execa, the spinner). The Secrets
// Manager client is a separate file, imported only when get or list reads the secret.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/harness.js';

describe('the credential helper bundle (dist/helper.js)', () => {
  const code = readFileSync(join(ROOT, 'dist/helper.js'), 'utf8');

  it('loads none of commander, inquirer, execa or the spinner', () => {
    for (const marker of ['CommanderError', 'ExitPromptError', 'FORCE_COLOR', 'cli-spinners', 'execaCommand']) expect(code).not.toContain(marker);
    // Only other bundle files are imported on demand: the Secrets Manager client's, and the proxy agent (only behind a proxy).
    const imported = [...code.matchAll(/import\(["'](\.\/[^"']+)["']\)/g)].map((m) => m[1]!);
    expect(imported.filter((f) => !f.startsWith('./aws-sdk-') && f !== './hpagent.js')).toEqual([]);
    expect(code).not.toMatch(/from ?["']\.\//);
  });

  it('is small next to the CLI front', () => {
    expect(code.length).toBeLessThan(40_000);
  });
});
