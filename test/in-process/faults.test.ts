// Every case of the fault matrix (test/support/fault-matrix.ts), with the commands
// run in process against the in-memory Secrets Manager: the same calls, the same
// faults and the same assertions as end to end (test/integration/faults.test.ts
// keeps a sample of them on moto behind the fault proxy). The Docker Hub stand-in
// and the docker CLI are the real ones.
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { faultMatrix } from '../support/fault-matrix.js';

describeWith(['docker'], 'faults at every AWS call, in process: what is reported is what Secrets Manager holds', () => {
  const w = useWorld({ inProcess: true });
  // Short bounds: a call that hangs ends at the request timeout, as the SDK's requestTimeout ends it.
  const env = () => ({ DOCKERHUB_CREDENTIALS_AWS_REQUEST_TIMEOUT: '0.2', DOCKERHUB_CREDENTIALS_AWS_TIMEOUT: '1' });
  faultMatrix(w, () => w.memory, env);
});
