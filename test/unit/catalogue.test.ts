// The error catalogue (src/catalogue.ts) is the one list of failure codes: the README's
// tables are generated from it and agree with it code by code, exit by exit; a code
// not in it, or an exit other than its own, does not compile; and every row is used.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/harness.js';
import { CATALOGUE, SECTIONS, exitOf, type ErrorCode } from '../../src/catalogue.js';
import { BEGIN, END, MEANINGS, withErrorTables } from '../../src/catalogue-docs.js';
import { CliError, ExitCode, failure, isCliError, withState } from '../../src/errors.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const codes = Object.keys(CATALOGUE) as ErrorCode[];

/** Every `| \`code\` | exit |` row between the markers of one README table. */
const documented = (section: (typeof SECTIONS)[number]): [string, number][] => {
  const start = readme.indexOf(BEGIN(section));
  const end = readme.indexOf(END, start);
  expect(start, `README table ${section}`).toBeGreaterThan(0);
  return [...readme.slice(start, end).matchAll(/^\| `([a-z0-9-]+)` \| (\d+) \|/gm)].map((m) => [m[1]!, Number(m[2])]);
};

describe('the README and the catalogue', () => {
  it('document the same codes with the same exit codes, in the same table, code by code', () => {
    const inReadme = SECTIONS.flatMap((s) => documented(s).map(([code, exit]) => ({ code, exit, section: s })));
    const inCatalogue = codes.map((code) => ({ code, exit: CATALOGUE[code].exit, section: CATALOGUE[code].section }));
    expect(inReadme).toEqual(inCatalogue);
    expect(new Set(inReadme.map((r) => r.code)).size).toBe(inReadme.length);
  });

  it('have the tables exactly as the catalogue renders them (node scripts/readme-errors.mjs --write)', () => {
    expect(withErrorTables(readme) === readme, 'run node scripts/readme-errors.mjs --write').toBe(true);
  });

  it('keep each table to the exits its title and the exit-code table promise', () => {
    expect(new Set(documented('input').map(([, exit]) => exit))).toEqual(new Set([ExitCode.Usage]));
    expect(new Set(documented('bug').map(([, exit]) => exit))).toEqual(new Set([ExitCode.Unexpected]));
    const exitTable = readme.slice(readme.indexOf('## Exit codes'), readme.indexOf(BEGIN('input')));
    const promised = new Set([...exitTable.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])));
    for (const code of codes) expect(promised, code).toContain(CATALOGUE[code].exit);
  });

  it('gives every code a one-line meaning', () => {
    for (const code of codes) expect(MEANINGS[code], code).toMatch(/^[^\n]{10,}$/);
  });
});

describe('the catalogue and the code', () => {
  const files = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const source = files('src')
    .filter((f) => !/catalogue(-docs)?\.ts$/.test(f))
    .map((f) => readFileSync(join(ROOT, f), 'utf8'))
    .join('\n');

  it('lists no code that nothing produces', () => {
    expect(codes.filter((code) => !source.includes(`'${code}'`))).toEqual([]);
  });

  it("takes a failure's exit code from its row, whatever exit a caller passes", () => {
    expect(new CliError('not-secrets-manager', 'x', undefined, ExitCode.Aws).exitCode).toBe(ExitCode.Aws);
    // A caller that defeats the type still gets the catalogue's exit.
    expect(new CliError('throttled', 'x', undefined, ExitCode.Aws as never).exitCode).toBe(ExitCode.Transient);
    expect(failure('no-push-namespace', 'x').exitCode).toBe(ExitCode.Rejected);
    expect(withState(failure('unknown-outcome', 'x', 'fix'), 'AWSCURRENT unchanged')).toMatchObject({ code: 'unknown-outcome', exitCode: 5, hint: 'fix', state: 'AWSCURRENT unchanged' });
    for (const code of codes) expect(failure(code, 'x').exitCode, code).toBe(exitOf(code));
  });

  it('does not compile a code outside the catalogue, a wrong exit, or a comparison with a typo', () => {
    // Never called: tsc (npm run build) proves each line is an error, or the build fails on an unused @ts-expect-error.
    const proofs = (e: unknown) => [
      // @ts-expect-error: not a code of the catalogue
      new CliError('no-pushh', 'x', undefined, ExitCode.Rejected),
      // @ts-expect-error: not-secrets-manager is exit 4 (AWS configuration), not 5
      new CliError('not-secrets-manager', 'x', undefined, ExitCode.Transient),
      // @ts-expect-error: a typo in a comparison has no overlap with ErrorCode
      isCliError(e) && e.code === 'no-pushh',
    ];
    expect(typeof proofs).toBe('function');
  });
});
