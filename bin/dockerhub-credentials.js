#!/usr/bin/env node
// Tiny launcher: everything lives in the bundled CLI so start-up loads one small file.
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
