// Renders the README's error tables ("Exit codes") from the error catalogue
// (src/catalogue.ts, meanings in src/catalogue-docs.ts).
//   node scripts/readme-errors.mjs --write   rewrites README.md between the tables' markers
//   node scripts/readme-errors.mjs           exits 1 when README.md differs from the catalogue
// test/unit/catalogue.test.ts runs the same check in the suite.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bundled = await build({ entryPoints: [join(root, 'src/catalogue-docs.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning' });
const { withErrorTables } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);

const path = join(root, 'README.md');
const readme = readFileSync(path, 'utf8');
const generated = withErrorTables(readme);
if (process.argv.includes('--write')) {
  if (generated !== readme) writeFileSync(path, generated);
  console.log(generated === readme ? 'README.md: error tables already match the catalogue' : 'README.md: error tables rewritten from the catalogue');
} else if (generated !== readme) {
  console.error('README.md: the error tables differ from src/catalogue.ts; run node scripts/readme-errors.mjs --write');
  process.exit(1);
}
