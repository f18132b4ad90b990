// The entry of the `dockerhub-credentials` single executable (scripts/build-binaries.mjs):
// the same CLI as the npm package's launcher, bundled into one CommonJS file that Node 26
// runs from inside its own binary, with V8's code cache. No compile cache is set up: the
// code cache built into the executable takes its place.
import { quickAnswer } from '../quick.js';
import { main } from '../cli.js';

const argv = process.argv.slice(2);
const answer = quickAnswer(argv);
if (answer !== undefined) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  process.stdout.write(answer);
} else {
  void main(argv).then((code) => {
    process.exitCode = code;
  });
}
