// Bundles the CLI into dist/: one small entry file plus lazily loaded chunks, so
// `--help` never loads the AWS SDK, and `npm install` fetches no dependencies.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zip } from './zip.mjs';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
rmSync(join(root, 'dist'), { recursive: true, force: true });

// Every dynamic import becomes a bundle file of its own, with no code splitting:
// a run parses only what it executes (--help: dist/cli.js alone; verify: the CLI,
// the commands and the Secrets Manager client), and each file is one ESM module.
// esbuild's code splitting produced ~45 small chunks whose ESM resolution alone
// cost ~40 ms per run; one bundle for everything cost ~55 ms of compiling.
const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'],
  target: 'node20',
  minify: true,
  sourcemap: false,
  metafile: true,
  legalComments: 'none',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
};

/** absolute entry path -> output file name */
const lazy = new Map();
const queue = [];
const nameFor = (abs) => {
  if (!lazy.has(abs)) {
    const rel = abs.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, '');
    const base = rel.replace(/\/(dist-es|dist|esm|lib|index)\b/g, '').replace(/\.(m?[jt]s)$/, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
    let name = `${base || 'lazy'}.js`;
    for (let i = 2; [...lazy.values()].includes(name); i++) name = `${base}-${i}.js`;
    lazy.set(abs, name);
    queue.push(abs);
  }
  return lazy.get(abs);
};
const separateDynamicImports = {
  name: 'separate-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData?.inner || args.path.startsWith('node:')) return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { inner: true } });
      if (resolved.errors.length || resolved.external || !resolved.path) return undefined;
      return { path: `./${nameFor(resolved.path)}`, external: true };
    });
  },
};

// Node built-ins through require(), not ESM import: an ESM import of a built-in
// builds a namespace facade that reads every export, which for node:process
// fires its lazy getters (~15 ms) and for node:fs loads fs/promises. Named
// imports then read properties of the required object when used.
const { builtinModules } = await import('node:module');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const builtinsViaRequire = {
  name: 'builtins-via-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
      builtins.has(args.path) && args.kind === 'import-statement' ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require('node:${args.path}');`, loader: 'js' }));
    // commander requires child_process at load time for executable subcommands,
    // which this tool never uses: load it on first use instead (saves ~5 modules).
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      // The proxy's own require() must reach the real module, not the proxy again.
      args.kind === 'require-call' && args.namespace !== 'lazy-builtin' ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let m; const load = () => (m ??= require('node:${args.path}'));
module.exports = new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load(), ownKeys: () => Reflect.ownKeys(load()), getOwnPropertyDescriptor: (_, k) => Object.getOwnPropertyDescriptor(load(), k) });`,
      loader: 'js',
    }));
  },
};

// Help texts, rendered by commander from src/program.ts, for the start-up path
// that answers --help without loading commander (see quickAnswer in src/cli.ts).
const helpBuild = await build({ ...common, entryPoints: [join(root, 'src/program.ts')], write: false, outfile: join(root, 'dist/program-for-help.js'), metafile: false });
const helpModule = join(mkdtempSync(join(tmpdir(), 'dhc-help-')), 'program.mjs');
writeFileSync(helpModule, helpBuild.outputFiles[0].text);
const helpTexts = (await import(helpModule)).renderHelpTexts();
rmSync(dirname(helpModule), { recursive: true, force: true });

const results = [];
const withHelp = { ...common.define, __HELP__: JSON.stringify(helpTexts) };
// The launcher's quick path: plain CommonJS, no ESM loader, no dependencies.
results.push(await build({ ...common, format: 'cjs', banner: {}, define: withHelp, entryPoints: [join(root, 'src/quick.ts')], outfile: join(root, 'dist/quick.cjs') }));
// The launchers' private compile-cache folder (src/private-dir.ts), checked before anything else loads.
results.push(await build({ ...common, format: 'cjs', banner: {}, entryPoints: [join(root, 'src/private-dir.ts')], outfile: join(root, 'dist/private-dir.cjs') }));
results.push(await build({ ...common, define: withHelp, entryPoints: [join(root, 'src/cli.ts')], outfile: join(root, 'dist/cli.js'), plugins: [builtinsViaRequire, separateDynamicImports] }));
// The docker credential helper (a second bin): the config reader and the store, nothing of the CLI's front.
results.push(await build({ ...common, entryPoints: [join(root, 'src/helper/main.ts')], outfile: join(root, 'dist/helper.js'), plugins: [builtinsViaRequire, separateDynamicImports] }));
// The rotation function (src/rotation/handler.ts): one self-contained ESM file, the AWS SDK
// inlined (Lambda's own copy may differ from the pinned one), zipped as index.mjs so the
// handler is index.handler on the Node.js 22 runtime (REFERENCE 10; terraform/rotation.tf).
const rotation = await build({ ...common, target: 'node22', entryPoints: [join(root, 'src/rotation/handler.ts')], write: false, outfile: join(root, 'dist/rotation/index.mjs') });
results.push(rotation);
writeFileSync(join(root, 'dist/rotation-function.zip'), zip([{ name: 'index.mjs', data: Buffer.from(rotation.outputFiles[0].contents) }]));
while (queue.length) {
  const abs = queue.shift();
  results.push(await build({ ...common, entryPoints: [abs], outfile: join(root, 'dist', lazy.get(abs)), plugins: [builtinsViaRequire, separateDynamicImports] }));
}
const result = {
  metafile: {
    inputs: Object.assign({}, ...results.map((r) => r.metafile.inputs)),
    outputs: Object.assign({}, ...results.map((r) => r.metafile.outputs)),
  },
};

// The same texts for the single executables' bundles (scripts/build-binaries.mjs); not in the package's files.
writeFileSync(join(root, 'dist/help-texts.json'), JSON.stringify(helpTexts));

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
