// All commands behind one dynamic import: one chunk to load instead of dozens
// (each ESM module costs a resolve and a translate at start-up).
export { verify } from './verify.js';
export { setup } from './setup.js';
export { rotate } from './rotate.js';
export { rollback } from './rollback.js';
export { history } from './history.js';
export { login } from './login.js';
export { status } from './status.js';
export { retire } from './retire.js';
export { tokens } from './tokens.js';
export { logout } from './logout.js';
// The real seams (Context's secrets, fetch and docker), from this same bundle.
export { AwsSecretStore } from '../aws/store.js';
export { netFetch } from '../net/proxy.js';
export { execDocker } from '../docker/login.js';
import { AwsSecretStore } from '../aws/store.js';
export const openAwsStore = AwsSecretStore.open.bind(AwsSecretStore);
