// The README's table of bad-input errors and the codes the code can produce agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/harness.js';

it('documents every bad-input error code, and only those', () => {
  const source = ['src/flows/inputs.ts', 'src/program.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  const inCode = new Set([...source.matchAll(/code: '([a-z-]+)'|usage\(\s*'([a-z-]+)'|new CliError\('([a-z-]+)'/g)].map((m) => m[1] ?? m[2] ?? m[3]));
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Errors from bad input');
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  const documented = new Set([...section.matchAll(/`([a-z]+(?:-[a-z]+)*)`/g)].map((m) => m[1]));
  expect(inCode.size).toBeGreaterThan(10);
  expect([...inCode].filter((c) => !documented.has(c!))).toEqual([]);
  expect([...documented].filter((c) => !inCode.has(c!) && !/^https?$/.test(c!))).toEqual([]);
});
