#!/usr/bin/env node
'use strict';
// CommonJS on purpose: --help and --version are answered without starting
// Node's ESM loader; everything else runs the bundled ESM CLI.
const argv = process.argv.slice(2);
const answer = require('../dist/quick.cjs').quickAnswer(argv);
if (answer !== undefined) {
  // A reader that goes away (`--help | head`) is not an error.
  process.stdout.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
  process.stdout.write(answer);
} else {
  // Node 22.1+ keeps the compiled bundles between runs, only in this user's own
  // checked cache folder (never Node's default under the shared temporary folder:
  // see src/private-dir.ts); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  require('../dist/private-dir.cjs').enablePrivateCompileCache(process.env, argv.includes('--debug'));
  import('../dist/cli.js')
    .then(({ main }) => main(argv))
    .then((code) => {
      process.exitCode = code;
    });
}
