// The layers of src/, bottom first. A module imports from its own layer or from
// layers below it, never from one above; no import cycle anywhere (type-only
// imports count too). Checked by test/unit/layers.test.ts, so `npm test` fails
// on a violation; `npm run layers` runs the same check alone.
//
// A path is in the first layer whose pattern matches it.
const LAYERS = [
  // Imported by every layer: the error catalogue and typed errors, the version,
  // the secret redactor every layer registers secrets with, the private run folder.
  ['base', '^src/(catalogue|catalogue-docs|errors|version|private-dir)\\.ts$|^src/ui/redact\\.ts$'],
  // Pure code: the secret's value and versions, consumer rules, lifecycle
  // encoding, token and name rules, Docker Hub's names. No I/O (see below).
  ['domain', '^src/domain/'],
  // Proxies, network error helpers.
  ['net', '^src/net/'],
  // Settings from flags, environment and the config file.
  ['settings', '^src/config\\.ts$'],
  // What talks to the outside: Secrets Manager, Docker Hub, docker, the terminal.
  // Siblings: none imports another (rule "adapters-are-siblings").
  ['adapters', '^src/(aws|hub|docker|ui)/'],
  // What a command is given: types only (rule "context-holds-types-only").
  ['context', '^src/context\\.ts$'],
  // The steps commands are made of.
  ['flows', '^src/flows/'],
  ['commands', '^src/commands/'],
  // Entry points: the CLI, its argument parser and quick answers, the credential helper, the single executables' entries.
  ['entries', '^src/(cli|program|quick)\\.ts$|^src/(helper|sea)/'],
];

const ADAPTERS = ['aws', 'hub', 'docker', 'ui'];

const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `no-upward-import-from-${name}`,
  comment: `${name} imports only from itself and the layers below it (.dependency-cruiser.cjs: LAYERS)`,
  severity: 'error',
  from: { path, pathNot: LAYERS.slice(0, i).map(([, p]) => p).join('|') || undefined },
  to: { path: LAYERS.slice(i + 1).map(([, p]) => p).join('|'), pathNot: LAYERS.slice(0, i + 1).map(([, p]) => p).join('|') },
}));

const siblings = ADAPTERS.map((name) => ({
  name: `adapters-are-siblings-${name}`,
  comment: `src/${name}/ imports no other adapter (${ADAPTERS.filter((a) => a !== name).join(', ')}): what they share lives in domain/ or net/`,
  severity: 'error',
  from: { path: `^src/${name}/`, pathNot: LAYERS[0][1] },
  to: { path: `^src/(${ADAPTERS.filter((a) => a !== name).join('|')})/`, pathNot: LAYERS[0][1] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'no import cycle, type-only imports included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    ...siblings,
    {
      name: 'context-holds-types-only',
      comment: 'src/context.ts declares what a command is given: it imports types only',
      severity: 'error',
      from: { path: '^src/context\\.ts$' },
      to: { dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-does-no-io',
      comment: 'src/domain/ is pure: no files, processes, network or terminal',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|child_process|net|http|https|http2|tls|dns|os|process|readline|tty|worker_threads)$' },
    },
    {
      name: 'no-unresolvable-import',
      comment: 'every import resolves (a typo in a path must not hide an edge)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports are edges too: a type import upward is still an upward dependency.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
