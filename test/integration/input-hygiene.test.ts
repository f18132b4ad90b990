// Where a token could escape besides a wrong field: the environment a credential
// process inherits, a registry named by a committed file, and stored values
// that are swapped, odd or missing their AWSCURRENT label.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server'], 'input hygiene against moto and the Docker Hub stand-in', () => {
  const w = useWorld();

  it('runs a credential_process that never sees DOCKERHUB_TOKEN', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    // A real AWS profile whose credential_process dumps the environment it was given.
    const dump = join(w.sandbox.root, 'credential-process-env.txt');
    const script = join(w.sandbox.root, 'credential-process.sh');
    writeFileSync(script, `#!/bin/sh\nenv > '${dump}'\necho '{"Version":1,"AccessKeyId":"testing","SecretAccessKey":"testing"}'\n`);
    chmodSync(script, 0o755);
    mkdirSync(join(w.sandbox.home, '.aws'));
    writeFileSync(join(w.sandbox.home, '.aws/config'), `[profile dumper]\ncredential_process = ${script}\nregion = eu-west-2\n`);
    const r = await w.run(['setup', '--non-interactive', '--profile', 'dumper', '--username', 'alice1', '--secret-id', name], {
      env: { DOCKERHUB_TOKEN: w.rw.token, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const seen = readFileSync(dump, 'utf8');
    // The process ran with the run's environment (so the dump is real), minus the token.
    expect(seen).toContain(`HOME=${w.sandbox.home}`);
    expect(seen.includes('DOCKERHUB_TOKEN'), 'DOCKERHUB_TOKEN in the credential process environment').toBe(false);
    w.assertNoCanary('credential_process environment', seen);
    expect(JSON.parse((await w.secrets.value(name))!)).toEqual({ username: 'alice1', token: w.rw.token });
  });

  it('sends no byte of the token to a registry that only the config file names, and exits 2 naming the file and host', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const host = new URL(w.hub.url).host;
    const config = join(w.sandbox.cwd, '.dockerhub-credentials.json');
    writeFileSync(config, JSON.stringify({ secretId: name, registry: w.hub.url, hubUrl: w.hub.url }));
    const before = w.hub.requests.length;
    const env = { DOCKERHUB_CREDENTIALS_REGISTRY: undefined, DOCKERHUB_CREDENTIALS_HUB_URL: undefined };
    const refused = await w.run(['setup', '--non-interactive', '--username', 'alice1', '--token-stdin'], { env, input: w.rw.token });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`✗ 2 answers are missing or invalid: The config file ${config} names ${host} as "registry", and the token goes to a host other than Docker Hub's only when you confirm it. `);
    expect(refused.stderr).toContain(`The config file ${config} names ${host} as "hubUrl"`);
    expect(refused.stderr).toContain(`Confirm it with --registry ${w.hub.url} (or DOCKERHUB_CREDENTIALS_REGISTRY), or remove "registry" from ${config}.`);
    expect(w.hub.requests.length - before).toBe(0);
    expect(await w.secrets.stages(name)).toEqual({});

    // Named on the command line (and in the environment), the same hosts are used, and each step names its host.
    const ok = await w.run(['setup', '--non-interactive', '--username', 'alice1', '--token-stdin', '--registry', w.hub.url], {
      env: { DOCKERHUB_CREDENTIALS_HUB_URL: w.hub.url },
      input: w.rw.token,
    });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`Registry token endpoint of ${host}`);
    expect(ok.stderr).toContain(`Docker Hub API at ${host}: whose token is this`);
    expect(w.hub.requests.length).toBeGreaterThan(before);
  });

  it('reports a stored value with swapped fields without printing the token, in verify and setup', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: w.rw.token, token: 'alice1' }));
    const text = await w.run(['verify', '--secret-id', name]);
    expect(text.exitCode).toBe(4);
    expect(text.stdout).toContain('username:          (not shown: looks like an access token)');
    expect(text.stdout).toContain('The key "username" holds what looks like an access token (not shown); the token belongs in "token".');
    const live = await w.run(['verify', '--live', '--secret-id', name]);
    expect(live.exitCode).toBe(4);
    expect(live.stderr).not.toMatch(/Unexpected|docker login/);
    const json = await w.run(['verify', '--json', '--secret-id', name]);
    expect(json.exitCode).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, hasUsername: true, username: null });
    const setup = await w.run(['setup', '--non-interactive', '--username', 'alice1', '--token-stdin', '--secret-id', name], { input: w.rw2.token });
    expect(setup.stderr).toContain('already holds a value that is not a valid credential');
    expect(setup.exitCode).toBe(2); // replacing needs --yes; the preview printed no token
  });

  it('escapes control characters of a stored username', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1\u001b]0;owned\u0007\r', token: w.rw.token }));
    const r = await w.run(['verify', '--secret-id', name]);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain('username:          alice1\\x1b]0;owned\\x07\\x0d');
    expect(r.stdout).toContain('The key "username" contains control characters (shown escaped).');
    expect(r.stdout + r.stderr).not.toMatch(/[\u0007\u001b\r]/);
  });

  it('says what a stored null is, instead of redacting it', async () => {
    const name = uniqueName();
    await w.secrets.create(name, 'null');
    const r = await w.run(['verify', '--secret-id', name]);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toContain('The value is JSON but null, not an object with "username" and "token".');
  });

  it('says that no version is AWSCURRENT, and how to restore the previous one', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    await w.secrets.put(name, JSON.stringify({ username: 'alice1', token: w.rw2.token }));
    const stages = await w.secrets.stages(name);
    const current = Object.keys(stages).find((id) => stages[id]!.includes('AWSCURRENT'))!;
    await w.secrets.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', RemoveFromVersionId: current }));
    const after = await w.secrets.stages(name);
    expect(Object.values(after).flat()).not.toContain('AWSCURRENT');
    const previous = Object.keys(after).find((id) => after[id]!.includes('AWSPREVIOUS'))!;
    const r = await w.run(['verify', '--secret-id', name]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(`✗ The secret ${name} has versions but none is labelled AWSCURRENT (found AWSPREVIOUS on version ${previous}), so CI reads nothing.`);
    expect(r.stderr).toContain(`aws secretsmanager update-secret-version-stage --secret-id ${name} --version-stage AWSCURRENT --move-to-version-id ${previous} --region eu-west-2`);
    expect(r.stderr).not.toContain('has no value yet');
  });
});
