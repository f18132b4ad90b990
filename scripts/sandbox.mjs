// `npm run sandbox`: moto (Secrets Manager) and the Docker Hub stand-in, kept up
// until Ctrl-C, with an empty secret, so that every command in the README can be
// tried by hand, in any order, from another shell. It prints the lines that point
// a shell at them and demo tokens to paste (made up here, known only to the stand-in).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORGANIZATION, SECRET_ID, USERNAME, createEmptySecret, demoPasswords, demoTokens, requireMoto, serviceEnv, startServices } from './local-services.mjs';

const root = new URL('..', import.meta.url).pathname;

requireMoto('The sandbox');
if (!existsSync(join(root, 'dist/cli.js'))) {
  console.error('✗ The sandbox runs the local build, and there is none yet. Build it with: npm run build (or start it with: npm run sandbox)');
  process.exit(2);
}

/** A value as a POSIX shell word. */
const sh = (value) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);

// Not `dockerhub-credentials-…`: no sweep of the tool's temporary folders (any release) may take it for one.
const dir = mkdtempSync(join(tmpdir(), 'dhc-sandbox-'));
let services;
let starting;
let stopping;

// Ctrl-C, kill and a closed terminal all stop the services and remove the folder.
// A signal during start-up waits for the start to finish, then stops what started.
const stop = (signal) => {
  stopping ??= (async () => {
    let code = 0;
    try {
      await starting?.catch(() => {});
      const limit = new Promise((_, reject) => setTimeout(() => reject(new Error('moto or the stand-in did not stop within 10 seconds')), 10_000).unref());
      await Promise.race([Promise.all([services?.hub.stop(), services?.moto.stop()]), limit]);
    } catch (e) {
      console.error(`✗ ${e.message}`);
      code = 1;
    }
    rmSync(dir, { recursive: true, force: true });
    console.log(`\nSandbox stopped (${signal}) and ${dir} removed.\nThe shell you pointed at it still has its variables: close it.`);
    process.exit(code);
  })();
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));

const tokens = demoTokens();
const passwords = demoPasswords();
try {
  starting = startServices([...tokens.map((t) => t.account), ...passwords.accounts], passwords.orgs);
  services = await starting;
  await createEmptySecret(services.moto.url);
} catch (e) {
  console.error(`✗ The sandbox could not start: ${e.message}`);
  await Promise.all([services?.hub.stop(), services?.moto.stop()]);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
if (stopping) await stopping;

// `dockerhub-credentials` and docker's credential helper on PATH run this checkout's build with
// this Node, so `login --helper` can be tried here without installing anything.
const bin = join(dir, 'bin');
mkdirSync(bin);
for (const name of ['dockerhub-credentials', 'docker-credential-dockerhub-credentials']) {
  writeFileSync(join(bin, name), `#!/bin/sh\nexec ${sh(process.execPath)} ${sh(join(root, `bin/${name}.cjs`))} "$@"\n`, { mode: 0o755 });
}
// An empty docker config, so that the wizard does not read your own docker logins.
const dockerConfig = join(dir, 'docker');
mkdirSync(dockerConfig);

const lines = [
  // In the checkout, `npx dockerhub-credentials` (as the tool's own hints write it) runs this build too.
  `cd ${sh(root.replace(/\/$/, ''))}`,
  // What would otherwise win over the sandbox (AWS_PROFILE skips the keys below) or answer for you.
  'unset AWS_PROFILE AWS_SESSION_TOKEN',
  'unset DOCKERHUB_TOKEN DOCKERHUB_USERNAME DOCKERHUB_CREDENTIALS_REPOSITORY',
  // The tool sends even loopback requests through a proxy that HTTP(S)_PROXY names, unless NO_PROXY exempts them.
  ...Object.entries({ ...serviceEnv(services), DOCKER_CONFIG: dockerConfig, no_proxy: '127.0.0.1', NO_PROXY: '127.0.0.1' }).map(([k, v]) => `export ${k}=${sh(v)}`),
  /^[\w@%+=:,./-]+$/.test(bin) ? `export PATH="${bin}:$PATH"` : `export PATH=${sh(bin)}:"$PATH"`,
];
const envFile = join(dir, 'env.sh');
writeFileSync(envFile, `${lines.join('\n')}\n`);

const userWidth = Math.max(...tokens.map((t) => t.username.length), 'Docker ID'.length);
const tokenWidth = Math.max(...tokens.map((t) => t.token.length));
const row = (user, token, label) => `  ${user.padEnd(userWidth)}  ${token.padEnd(tokenWidth)}  ${label}`;
// Lines fit in 80 columns (the folder's path aside).
console.log(`
Sandbox up. Nothing here reaches AWS or Docker Hub:
  AWS Secrets Manager (moto)  ${services.moto.url}
  Docker Hub stand-in         ${services.hub.url}
  secret ${SECRET_ID.padEnd(21)}exists with no value yet, as Terraform leaves it

In another shell, paste these lines. They go to this checkout, set test AWS
keys and the two endpoints, an empty DOCKER_CONFIG (your own docker logins are
not read), keep any proxy away from 127.0.0.1, and put this checkout's build
first on PATH:

${lines.join('\n')}

(The same lines are in ${envFile}.)
Then try: dockerhub-credentials setup
README.md, "Try it on a local sandbox", has a tour. The commands the tool
suggests start with npx; in this checkout, npx runs this build too (drop the
@version of the pinned CI login line: npx would fetch that from the registry).

Demo tokens to paste. They are made up for this sandbox, known only to its
stand-in, and new each time; none is a real Docker Hub token.
${row('Docker ID', 'token', 'what it is')}
${tokens.map((t) => row(t.username, t.token, t.label)).join('\n')}
The PATs may push to ${USERNAME}/app, the organization token to ${ORGANIZATION}/app.

Demo passwords, for --create, retire and tokens (README, "Creating and
retiring tokens"): the tool signs in with one to create a token itself.
${passwords.rows.map((p) => `  ${p.username.padEnd(userWidth)}  ${p.password}  ${p.note}`).join('\n')}

Ctrl-C stops the sandbox and removes its folder:
  ${dir}`);
