// The wizard explains, then confirms, in a real terminal (tmux): the stray-stage
// menu, a rotation to another account, and rollback's preview at 80 columns.
// Each test reads the screen as a person would and checks the canary on it.
import { expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useFaultProxy, useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

describeWith(['moto_server', 'docker', 'tmux'], 'the wizard explains, then confirms (tmux)', () => {
  const w = useWorld();
  const faults = useFaultProxy(w);
  const value = (token: string, username = 'alice1') => JSON.stringify({ username, token });

  /** A secret with a stray AWSPENDING three days old (moto stamps versions now, so the proxy ages it). */
  async function withStrayStage(): Promise<{ name: string; env: Record<string, string> }> {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.stagePending(name, value(w.rw2.token));
    void faults().fail({
      target: 'GetSecretValue',
      match: (b: { VersionId?: string }) => Boolean(b.VersionId),
      mode: 'rewrite',
      count: Infinity,
      rewrite: (a: { CreatedDate: number }) => ({ ...a, CreatedDate: a.CreatedDate - 3 * 86400 }),
    });
    return { name, env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: faults().url } };
  }

  it('the stray-stage menu shows what is pending, does not wrap round, and "leave it" changes nothing', async () => {
    const { name, env } = await withStrayStage();
    const before = await w.secrets.stages(name);
    const t = await w.terminal(['rotate', '--secret-id', name], env);
    const menu = await t.waitFor('What should happen to it?');
    expect(menu).toMatch(/AWSPENDING \(version [\w-]+\) holds alice1, token 36 characters, written \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \(3 days ago\): an earlier rotation did not finish/);
    expect(menu).toContain('Leave it as it is and stop');
    // The default is to leave it; one more ↓ at the end of the list stays there.
    await t.key('Down');
    await t.key('Enter');
    const { code, sane, screen } = await t.exit();
    faults().restore();
    expect(code).toBe(2);
    expect(sane).toBe(true);
    expect(screen).toContain('Left the pending value as it was; nothing was changed.');
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.stages(name)).toEqual(before);
  });

  it('Resume validates, then asks before promoting: "no" changes nothing, "yes" makes it current', async () => {
    const { name, env } = await withStrayStage();
    const before = await w.secrets.stages(name);
    for (const answer of ['n', 'y']) {
      const t = await w.terminal(['rotate', '--secret-id', name], env);
      await t.waitFor('What should happen to it?');
      await t.key('Up');
      await t.key('Up');
      await t.key('Enter');
      // The pending version has no recorded expiry or label: asked before the confirmation.
      await t.acceptLifecycleDefaults();
      const asked = await t.waitFor('passed. Make it current (AWSCURRENT) now?');
      expect(asked).toContain('docker login as alice1 succeeded');
      await t.type(answer);
      const { code, screen } = await t.exit();
      w.assertNoCanary('screen', screen);
      if (answer === 'n') {
        expect(code).toBe(2);
        expect(await w.secrets.stages(name)).toEqual(before);
      } else {
        expect(code).toBe(0);
        expect(screen).toContain('Rotated.');
      }
      await t.close();
    }
    faults().restore();
    expect(await w.secrets.value(name)).toBe(value(w.rw2.token));
  });

  it('a rotation to another account is shown and, declined, writes nothing', async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    const before = await w.secrets.stages(name);
    const t = await w.terminal(['rotate', '--secret-id', name]);
    await t.answerCredentials({ username: 'bobby2', token: w.bob.token });
    const asked = await t.waitFor('Rotate to the token of bobby2?');
    expect(asked).toContain('This rotation changes the account CI uses: from alice1 to bobby2.');
    await t.type('n');
    const { code, screen } = await t.exit();
    expect(code).toBe(2);
    expect(screen).toContain('Kept the token of alice1.');
    expect(screen).toMatch(/State: AWSCURRENT unchanged \(version [\w-]+\); CI keeps reading the current token\./);
    w.assertNoCanary('screen', screen);
    expect(await w.secrets.stages(name)).toEqual(before);
  });

  it("rollback's heading, steps and preview fit 80 columns", async () => {
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    await w.secrets.put(name, value(w.rw2.token));
    const t = await w.terminal(['rollback', '--secret-id', name], {}, { cols: 80, rows: 40 });
    const screen = await t.waitFor('Roll back to the previous value?');
    expect(screen).toContain('dockerhub-credentials rollback');
    expect(screen).toMatch(/✓ Read the versions of /);
    expect(screen).toMatch(/✓ Read the current and the previous value/);
    expect(screen).toMatch(/Will become current: alice1, token 36 characters\n\s+written \d{4}-/);
    expect(screen).toMatch(/✓ Docker Hub confirms the token belongs to alice1/);
    // capture-pane -J joins wrapped lines: any line longer than 80 columns wrapped on screen.
    for (const line of screen.split('\n')) expect(Array.from(line).length, line).toBeLessThanOrEqual(80);
    await t.type('y');
    const done = await t.exit();
    expect(done.code).toBe(0);
    w.assertNoCanary('screen', done.screen);
    expect(await w.secrets.value(name)).toBe(value(w.rw.token));
  });

  /** setup in a terminal up to the token, with the Docker ID given. */
  async function setupWith(username: string, token: string) {
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--secret-id', name]);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter'); // none: CI jobs only
    await t.answerCredentials({ username, token });
    return { name, t };
  }

  it('a Docker ID typo is recovered in the same run: the token is not asked again', async () => {
    const { name, t } = await setupWith('alicex1', w.rw.token);
    const asked = await t.waitFor('What now?');
    expect(asked).toMatch(/either alicex1 is not the Docker ID|alicex1/);
    expect(asked).not.toMatch(/Create a new personal access token/);
    await t.key('Enter'); // "Type the Docker ID again" is the default
    await t.waitFor(/What now\? Type the Docker ID again[\s\S]*Docker ID \(or organization name/);
    await t.type('alice1');
    await t.acceptLifecycleDefaults();
    const { code, screen } = await t.exit();
    expect(code, screen).toBe(0);
    expect(screen).toContain('Validating against Docker Hub again');
    expect(screen.match(/Access token \(input hidden\)/g)).toHaveLength(1);
    w.assertNoCanary('screen', screen);
    expect(JSON.parse((await w.secrets.value(name))!)).toMatchObject({ username: 'alice1', token: w.rw.token });
  });

  it("someone else's token leads to the offer of its owner's Docker ID, one keypress", async () => {
    w.hub.switches.identifier = 'any'; // Hub accepts the PAT under another identifier and names the owner
    const { name, t } = await setupWith('alice1', w.bob.token);
    const asked = await t.waitFor('This token belongs to bobby2, not alice1: use bobby2?');
    expect(asked.slice(asked.indexOf('Validating against Docker Hub'))).not.toMatch(/rejected|revoked/i);
    await t.key('Enter'); // yes is the default
    await t.acceptLifecycleDefaults();
    const { code, screen } = await t.exit();
    expect(code, screen).toBe(0);
    w.assertNoCanary('screen', screen);
    expect(JSON.parse((await w.secrets.value(name))!)).toMatchObject({ username: 'bobby2', token: w.bob.token });
  });

  it('a revoked token: paste another one, in the same run', async () => {
    const { name, t } = await setupWith('alice1', w.revoked.token);
    await t.waitFor('What now?');
    await t.key('Down');
    await t.key('Enter'); // "Paste another token"
    await t.waitFor('Access token (input hidden)');
    await t.paste(w.rw2.token);
    await t.acceptLifecycleDefaults();
    const { code, screen } = await t.exit();
    expect(code, screen).toBe(0);
    w.assertNoCanary('screen', screen);
    expect(JSON.parse((await w.secrets.value(name))!)).toMatchObject({ username: 'alice1', token: w.rw2.token });
  });

  it('a wrong secret id or region typed at a prompt is asked again with the reason; no region is invented', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup'], { AWS_REGION: undefined });
    await t.waitFor('Secrets Manager secret name or ARN');
    await t.type('has spaces in it');
    await t.waitFor(/is not a Secrets Manager secret name or ARN/);
    await t.key('C-u');
    await t.type(name);
    const asked = await t.waitFor('AWS region (for example eu-west-2):');
    expect(asked).not.toMatch(/AWS region \(for example eu-west-2\): \(eu-west-2\)/); // no default offered
    await t.type('Ireland');
    await t.waitFor(/is not an AWS region name/);
    await t.key('C-u');
    await t.type('eu-west-2');
    await t.waitFor(/Secret ci\/dockerhub-[\w-]+ exists/);
    await t.key('C-c');
    const { code, screen } = await t.exit();
    expect(code).toBe(130);
    w.assertNoCanary('screen', screen);
  });

  it("the profile's own region is used without a question", async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(`${w.sandbox.home}/.aws`, { recursive: true });
    writeFileSync(`${w.sandbox.home}/.aws/config`, '[profile ci]\nregion = eu-west-2\n');
    writeFileSync(`${w.sandbox.home}/.aws/credentials`, '[ci]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const t = await w.terminal(['setup', '--secret-id', name, '--profile', 'ci'], { AWS_REGION: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const screen = await t.waitFor(/Secret ci\/dockerhub-[\w-]+ exists/);
    expect(screen).not.toContain('AWS region');
    await t.key('C-c');
    expect((await t.exit()).code).toBe(130);
  });

  it('wording: one ✗ per failure; Ctrl-C during docker login is no failure; after Discard, Ctrl-C says what was discarded', async () => {
    // A missing secret: one ✗ line, not a failed step and then the error.
    const missing = await w.terminal(['setup', '--secret-id', uniqueName('ci/missing')]);
    const gone = await missing.exit();
    expect(gone.code).toBe(4);
    expect(gone.screen.match(/✗/g)).toHaveLength(1);
    await missing.close();

    // Ctrl-C while docker logs in: "Cancelled", and no "✗ docker login … failed" before it.
    const name = uniqueName();
    await w.secrets.create(name, value(w.rw.token));
    w.hub.switches.delayMs = 1500;
    const t = await w.terminal(['rotate', '--secret-id', name]);
    await t.answerCredentials({ token: w.rw2.token });
    await t.waitFor('docker login as alice1');
    await t.key('C-c');
    const cut = await t.exit();
    w.hub.switches.delayMs = 0;
    expect(cut.code).toBe(130);
    expect(cut.screen).toContain('Cancelled.');
    expect(cut.screen).not.toMatch(/✗ docker login/);
    w.assertNoCanary('screen', cut.screen);
    await t.close();

    // Discard a stray stage, then Ctrl-C at the next question: the message says the stage was discarded.
    const stray = await withStrayStage();
    const d = await w.terminal(['rotate', '--secret-id', stray.name], stray.env);
    await d.waitFor('What should happen to it?');
    await d.key('Up');
    await d.key('Enter'); // Discard it and start a new rotation
    await d.waitFor('Removed AWSPENDING from version');
    await d.waitFor('Docker ID');
    await d.key('C-c');
    const after = await d.exit();
    faults().restore();
    expect(after.code).toBe(130);
    expect(after.screen).toMatch(/State: the earlier AWSPENDING \(version [\w-]+\) was discarded; AWSCURRENT unchanged/);
    expect(after.screen).not.toContain('nothing was changed');
  });
});
