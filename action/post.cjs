'use strict';
// The action's post step (post-if: always(), so it runs after a failed job too):
// dockerhub-credentials logout, so the next job on a self-hosted runner finds no token,
// as docker/login-action's post step does. Nothing to do when the main step logged nothing in.
const { run, fail } = require('./common.cjs');

async function post() {
  if (process.env.STATE_logout !== 'true') {
    process.stdout.write(process.env.STATE_logout === 'false' ? 'logout: false; the login stays.\n' : 'Nothing was logged in; nothing to log out.\n');
    return;
  }
  const command = JSON.parse(process.env.STATE_command);
  const args = ['logout'];
  if (process.env.STATE_registry) args.push('--registry', process.env.STATE_registry);
  const { status, result, timedOut } = await run(command, args);
  if (status === 0 && result?.ok) {
    process.stdout.write(result.removed.length ? `Logged out: removed ${result.removed.join(' and ')} from ${result.dockerConfig}.\n` : `Nothing to log out in ${result.dockerConfig}.\n`);
  } else if (timedOut) {
    fail(timedOut);
  } else {
    fail(result?.error ? `${result.error.message} ${result.error.hint ?? ''}`.trim() : `dockerhub-credentials logout failed (exit ${status}).`);
  }
}

post();
