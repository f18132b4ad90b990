// The README's table of bad-input errors and the codes the code can produce agree.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/harness.js';

it('documents every bad-input error code, and only those', () => {
  const source = ['src/flows/inputs.ts', 'src/program.ts', 'src/config.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  const inCode = new Set([...source.matchAll(/code: '([a-z-]+)'|usage\(\s*'([a-z-]+)'|new CliError\('([a-z-]+)'/g)].map((m) => m[1] ?? m[2] ?? m[3]));
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### Errors from bad input');
  const end = readme.slice(start + 1).search(/\n#{2,3} /);
  const section = readme.slice(start, start + 1 + end);
  const documented = new Set([...section.matchAll(/`([a-z]+(?:-[a-z]+)*)`/g)].map((m) => m[1]));
  expect(inCode.size).toBeGreaterThan(10);
  expect([...inCode].filter((c) => !documented.has(c!))).toEqual([]);
  expect([...documented].filter((c) => !inCode.has(c!) && !/^https?$/.test(c!))).toEqual([]);
});

it('documents AWS, network and concurrency failures with codes the code really uses', () => {
  const files = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const source = files('src').map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('### AWS, network and concurrency failures');
  expect(start).toBeGreaterThan(0);
  const end = readme.slice(start + 1).search(/\n#{2,3} /);
  const rows = readme.slice(start, start + 1 + end).split('\n').filter((l) => /^\| `/.test(l));
  expect(rows.length).toBeGreaterThan(10);
  for (const row of rows) {
    const [codes, exit] = row.split('|').slice(1, 3).map((c) => c.trim());
    for (const [, code] of codes!.matchAll(/`([a-z-]+)`/g)) {
      expect(source, `README code ${code}`).toMatch(new RegExp(`'${code}'`));
    }
    expect(['2', '3', '4', '5', '130']).toContain(exit);
  }
});
