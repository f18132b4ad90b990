// The entry of the `docker-credential-dockerhub-credentials` single executable: the same
// helper as the npm package's (src/helper/main.ts), the same answers, nothing on disk.
import { helperMain } from '../helper/main.js';

void helperMain(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, env: process.env, cwd: process.cwd() }).then((code) => {
  process.exitCode = code;
});
