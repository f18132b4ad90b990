import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import type { Terminal } from '../support/pty.js';
import { uniqueName } from '../support/aws.js';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

describeWith(['moto_server', 'docker', 'tmux'], 'setup in a real terminal (tmux)', () => {
  const w = useWorld();


  it('walks a person from nothing to a verified secret; the screen never shows the token', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup']);
    await t.waitFor('Secrets Manager secret name or ARN');
    await t.type(name);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter'); // none: CI jobs only
    await t.waitFor(/Local Docker Hub login found: someoneelse \(password/);
    // An account password is never offered for CI: no question, straight to the guide.
    await t.waitFor('It is an account password, which is never offered for CI');
    const guide = await t.waitFor('Docker ID');
    expect(guide).toContain('https://app.docker.com/settings/personal-access-tokens');
    expect(guide).toContain('Read & Write');
    expect(guide).toContain('shows the token only once');
    await t.type('alice1');
    await t.waitFor('Access token (input hidden)');
    await t.paste(`  ${w.rw.token}\n`, false); // pasted with whitespace and a newline, as people do
    await t.waitFor('Repository CI pushes to');
    await t.type('alice1/app');
    const asked = await t.acceptLifecycleDefaults();
    // The label the guide suggested (from the folder, as the repository was not known yet), not another one.
    const suggested = /Description: (\S+)/.exec(guide)![1]!;
    expect(suggested).toMatch(/^work-ci-\d{4}-\d{2}$/);
    expect(asked).toContain(`(its label): (${suggested})`);
    await t.waitFor('Registry grants push to alice1/app');
    const { code, sane, screen } = await t.exit();
    expect(screen).toContain('docker login as alice1 succeeded');
    expect(screen).toContain('Docker Hub confirms the token belongs to alice1 (Read & Write)');
    expect(screen).toContain('Verified: username alice1, token 36 characters');
    expect(screen).toContain('Done.');
    expect(code).toBe(0);
    expect(sane).toBe(true);
    w.assertNoCanary('screen', screen);
    expect(JSON.parse((await w.secrets.value(name))!)).toEqual({ username: 'alice1', token: w.rw.token });
  });

  it('reports what the configured credential helper holds, and goes on when it is missing or answers garbage', async () => {
    const bin = join(w.sandbox.root, 'bin');
    mkdirSync(bin);
    const helper = (name: string, script: string) => {
      writeFileSync(join(bin, `docker-credential-${name}`), `#!/bin/sh\n${script}\n`);
      chmodSync(join(bin, `docker-credential-${name}`), 0o755);
    };
    // A Docker Desktop style login: an identity token, which cannot serve CI.
    helper('desktop', `cat >/dev/null; echo '{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"eyJhbGciOi.session.tok"}'`);
    helper('garbage', 'cat >/dev/null; echo "not json at all"');
    const cases: [string, RegExp][] = [
      ['desktop', /Local Docker Hub login found: <token> \(identity token, from credential helper desktop\)[\s\S]*cannot serve as a CI credential/],
      ['missing', /docker-credential-missing is configured but not installed/],
      ['garbage', /credential helper garbage answered something that is not a credential/],
    ];
    for (const [store, expected] of cases) {
      w.sandbox.plantDockerConfig(JSON.stringify({ credsStore: store }));
      const name = uniqueName();
      await w.secrets.create(name);
      const t = await w.terminal(['setup', '--secret-id', name]);
      await t.waitFor('Which AWS services will read this secret');
      await t.key('Enter');
      const screen = await t.waitFor('Docker ID', 30_000).catch(async () => t.screen());
      expect(screen).toMatch(expected);
      await t.key('C-c');
      expect((await t.exit()).code).toBe(130);
    }
  }, 120_000);

  it('refuses --token-stdin at a terminal, where typing the token would echo it', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--token-stdin', '--username', 'alice1', '--secret-id', name]);
    const { code, screen } = await t.exit();
    expect(code).toBe(2);
    expect(screen).toContain('--token-stdin needs the token piped in, not typed at a terminal where it would be echoed.');
    expect(await w.secrets.stages(name)).toEqual({});
  });

  it('asks which consumers read the secret, with the current keys preselected, and writes their keys', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: 'the-old-good-one', password: 'the-old-good-one' }));
    const t = await w.terminal(['setup', '--secret-id', name, '--yes']);
    const asked = await t.waitFor('(needs a name starting ecr-pullthroughcache/)');
    // "password" is there: the three consumers that read it are preselected; ECR is shown but cannot be chosen.
    expect(asked).toMatch(/◉ ECS task definitions/);
    expect(asked).toMatch(/◉ AWS Batch jobs/);
    expect(asked).toMatch(/◉ CodeBuild/);
    expect(asked).toContain('Which AWS services will read this secret');
    await t.key('Down'); // to Batch
    await t.type(' ', false); // and deselect it
    await t.key('Enter');
    await t.waitFor('Docker ID');
    await t.type('alice1');
    await t.waitFor('Access token (input hidden)');
    await t.paste(w.rw.token);
    await t.waitFor('Repository CI pushes to');
    await t.type('');
    await t.acceptLifecycleDefaults();
    const { code, screen } = await t.exit();
    expect(code).toBe(0);
    w.assertNoCanary('screen', screen);
    expect(screen).toContain('"repositoryCredentials": { "credentialsParameter": "arn:aws:secretsmanager:');
    expect(screen).toContain('"registryCredential": { "credential": "arn:aws:secretsmanager:');
    expect(screen).not.toContain('AWS Batch job definition'); // deselected
    expect(JSON.parse((await w.secrets.value(name))!)).toEqual({ username: 'alice1', token: w.rw.token, password: w.rw.token });
  });

  const interrupts: [string, string[], (t: Terminal) => Promise<void>][] = [
    ['the secret id prompt', ['setup'], async (t) => void (await t.waitFor('Secrets Manager secret name'))],
    [
      'the replace confirmation',
      ['setup', '--secret-id', 'NAME'],
      async (t) => void (await t.waitFor('Replace the stored value')),
    ],
    [
      'the token prompt, after typing half of it',
      ['setup', '--secret-id', 'NAME', '--yes'],
      async (t) => {
        await t.waitFor('Which AWS services will read this secret');
        await t.key('Enter');
        await t.waitFor('never offered for CI');
        await t.waitFor('Docker ID');
        await t.type('alice1');
        await t.waitFor('Access token');
        await t.paste(w.rw.token.slice(0, 20), false);
      },
    ],
  ];
  for (const [where, args, reach] of interrupts) {
    it(`Ctrl-C at ${where} exits 130, changes no version and leaves the terminal sane`, async () => {
      const name = uniqueName();
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: 'the-old-good-one' }));
      await w.interruptAt(args.map((a) => (a === 'NAME' ? name : a)), name, reach);
    });
  }
});
