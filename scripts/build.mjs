// Bundles the CLI into dist/: one small entry file plus lazily loaded chunks, so
// `--help` never loads the AWS SDK, and `npm install` fetches no dependencies.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
rmSync(join(root, 'dist'), { recursive: true, force: true });

const result = await build({
  entryPoints: { cli: join(root, 'src/cli.ts') },
  outdir: join(root, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'],
  target: 'node20',
  minify: true,
  sourcemap: false,
  metafile: true,
  legalComments: 'none',
  chunkNames: 'chunk-[hash]',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
});

// Keep the licences of everything inlined into the bundle.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.set(m[1], true);
}
const sections = [];
for (const dir of [...packages.keys()].sort()) {
  const meta = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const licenseFile = readdirSync(join(root, dir)).find((f) => /^(licen[sc]e|copying)/i.test(f));
  const text = licenseFile ? readFileSync(join(root, dir, licenseFile), 'utf8').trim() : `License: ${meta.license ?? 'unknown'}`;
  sections.push(`${meta.name}@${meta.version} (${meta.license ?? 'unknown'})\n\n${text}`);
}
writeFileSync(
  join(root, 'dist/THIRD_PARTY_LICENSES.txt'),
  `dockerhub-credentials bundles the following packages.\n\n${sections.join('\n\n' + '-'.repeat(72) + '\n\n')}\n`,
);
const size = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`built dist/ (${(size / 1024).toFixed(0)} KiB, ${packages.size} bundled packages)`);
