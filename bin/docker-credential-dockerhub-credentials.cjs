#!/usr/bin/env node
'use strict';
// docker's credential helper for Docker Hub, backed by AWS Secrets Manager.
// docker runs it on every pull and push: dist/helper.js loads only the config
// reader and, for `get` and `list`, the Secrets Manager client. As in the CLI's
// launcher, Node 22.1+ keeps the compiled bundles between runs, only in this
// user's own checked cache folder (NODE_DISABLE_COMPILE_CACHE=1 turns it off).
require('../dist/private-dir.cjs').enablePrivateCompileCache(process.env, false);
import('../dist/helper.js')
  .then(({ helperMain }) => helperMain(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, env: process.env, cwd: process.cwd() }))
  .then((code) => {
    process.exitCode = code;
  });
