// The layers of src/ point down (.dependency-cruiser.cjs): no import cycle, no
// upward import, adapters that do not import each other, a context of types
// only, a domain without I/O. The second test plants one violation of each rule
// in a copy of src/, so a rule file that stopped matching cannot pass unseen.
import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = new URL('../..', import.meta.url).pathname;

/** Each violation as "rule from -> to", sorted, as `npm run layers` would report them. */
async function violations(base: string): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const config = require(join(base, '.dependency-cruiser.cjs'));
  const tsConfigFile = join(base, 'tsconfig.json');
  const ruleSet = { ...config, options: { ...config.options, tsConfig: { fileName: tsConfigFile } } };
  const result = await cruise(['src'], { ...ruleSet.options, ruleSet, validate: true, outputType: 'json', baseDir: base }, {}, { tsConfig: extractTSConfig(tsConfigFile) });
  const report = JSON.parse(result.output as string) as ICruiseResult;
  expect(report.summary.totalCruised).toBeGreaterThan(40);
  return report.summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`).sort();
}

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('layers', () => {
  it('src/ has no import cycle and no import that points up', async () => {
    expect(await violations(root)).toEqual([]);
  });

  it('the rule file catches a planted violation of each rule', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'layers-'));
    copies.push(copy);
    cpSync(join(root, 'src'), join(copy, 'src'), { recursive: true });
    cpSync(join(root, 'tsconfig.json'), join(copy, 'tsconfig.json'));
    cpSync(join(root, '.dependency-cruiser.cjs'), join(copy, '.dependency-cruiser.cjs'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const plant = (file: string, line: string) => appendFileSync(join(copy, 'src', file), `\n${line}\n`);
    // A cycle inside one layer (consumers.ts already imports a type from value.ts).
    plant('domain/value.ts', "import type { Consumer } from './consumers.js';");
    // Upward, without closing a cycle (quick.ts reaches no domain file).
    plant('domain/write-value.ts', "import '../quick.js';");
    // The edge issue 17 found: the Hub's HTTP helper reaching into AWS's error mapping.
    plant('hub/http.ts', "import '../aws/errors.js';");
    plant('context.ts', "import { printable } from './ui/redact.js';");
    plant('domain/secret.ts', "import { readFileSync } from 'node:fs';");
    plant('flows/describe.ts', "import './no-such-module.js';");
    expect(await violations(copy)).toEqual([
      'adapters-are-siblings-hub src/hub/http.ts -> src/aws/errors.ts',
      'context-holds-types-only src/context.ts -> src/ui/redact.ts',
      'domain-does-no-io src/domain/secret.ts -> fs',
      'no-cycle src/domain/consumers.ts -> src/domain/value.ts',
      'no-unresolvable-import src/flows/describe.ts -> ./no-such-module.js',
      'no-upward-import-from-domain src/domain/write-value.ts -> src/quick.ts',
    ]);
  });

  it("names Docker Hub's hosts in src/domain/docker-hub.ts only (comments aside)", () => {
    const files = (readdirSync(join(root, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && f !== join('domain', 'docker-hub.ts'));
    expect(files.length).toBeGreaterThan(40);
    const written = files.flatMap((f) =>
      readFileSync(join(root, 'src', f), 'utf8')
        .split('\n')
        .map((line, i) => ({ at: `src/${f}:${i + 1}`, code: line.replace(/(^|\s)\/\/.*$|^\s*\*.*$|\/\*.*?\*\//g, '') }))
        .filter(({ code }) => /\b(registry-1\.|index\.|auth\.)?docker\.io\b|hub\.docker\.com/.test(code))
        .map(({ at }) => at),
    );
    expect(written).toEqual([]);
  });
});
