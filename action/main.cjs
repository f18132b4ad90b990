'use strict';
// The action's main step: dockerhub-credentials login, with the inputs as flags. It saves
// for the post step only what logout needs (whether to, the registry, the command), and
// outputs the username and server: nothing secret goes to GITHUB_ENV, GITHUB_OUTPUT or
// GITHUB_STATE. The username is masked only when mask-username is true: hiding it in every
// log, as aws-secretsmanager-get-secrets does, makes logs unreadable (its issue #263).
const { input, setOutput, saveState, cli, run, fail, timeoutSeconds } = require('./common.cjs');

async function main() {
  const secretId = input('secret-id');
  if (!secretId) {
    fail('The secret-id input is required: the Secrets Manager secret that holds the Docker Hub token.');
    return;
  }
  const chosen = await cli();
  if (chosen.error) {
    fail(chosen.error);
    return;
  }
  const command = chosen.command;
  const args = ['login', '--secret-id', secretId];
  if (input('region')) args.push('--region', input('region'));
  if (input('registry')) args.push('--registry', input('registry'));
  if (input('stage')) args.push('--stage', input('stage'));
  const logout = input('logout').toLowerCase() !== 'false';
  const { status, result, error, timedOut } = await run(command, args);
  if (status === 0 && result?.ok) {
    if (input('mask-username').toLowerCase() === 'true') process.stdout.write(`::add-mask::${result.username}\n`);
    setOutput('username', result.username);
    setOutput('server', result.server);
    process.stdout.write(`Logged in to ${result.server} as ${result.username} (${result.secretId}, ${result.stage}, version ${result.versionId}).\n`);
    // Only once a login happened: the post step then has something to undo.
    saveState('logout', logout ? 'true' : 'false');
    saveState('registry', input('registry'));
    saveState('command', JSON.stringify(command));
    saveState('timeout', String(timeoutSeconds()));
  } else if (timedOut) {
    fail(timedOut);
  } else {
    fail(result?.error ? `${result.error.message} ${result.error.hint ?? ''}`.trim() : `dockerhub-credentials login failed (exit ${status}${error ? `: ${error.message}` : ''}).`);
  }
}

main();
