// setup --create and rotate --create at a real terminal (tmux), on an account
// with two-factor authentication: the masked password prompt says what the
// password is for, the six-digit code is asked when Docker Hub asks for it,
// and neither the password, the code, the session nor any token reaches the screen.
import { beforeAll, expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';

const CODE = '918273';

describeWith(['moto_server', 'docker', 'tmux'], '--create at a terminal, with a two-factor code (tmux)', () => {
  const w = useWorld();
  beforeAll(() => {
    // dave4's account password has two-factor authentication (world.ts); REFERENCE 7's second step needs its code.
    (w.hub.accounts.find((a: { username: string }) => a.username === 'dave4') as { code?: string }).code = CODE;
  });
  const clean = (screen: string) => {
    w.assertNoCanary('screen', screen);
    for (const t of w.hub.tokens.created) expect(screen.includes(t.slice(9, 20)), 'a created token on screen').toBe(false);
    for (const jwt of w.hub.tokens.sessions.keys()) expect(screen.includes(jwt.split('.')[1]!.slice(0, 20)), 'a session JWT on screen').toBe(false);
    expect(screen).not.toContain(CODE);
  };
  const signIn = async (t: Awaited<ReturnType<typeof w.terminal>>, purpose: string) => {
    const asked = await t.waitFor('Docker Hub password of dave4');
    expect(asked).toContain(`(used once, ${purpose}; never stored)`);
    await t.paste(w.password2fa.token);
    await t.waitFor('Two-factor code for dave4 (six digits');
    await t.paste(CODE);
  };

  it('setup --create, then rotate --create, each with the code; the hand-over names retire', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--create', '--secret-id', name]);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter');
    await t.waitFor('Docker ID the token is for');
    await t.type('dave4');
    await t.waitFor('Repository CI pushes to');
    await t.type('dave4/app');
    await signIn(t, 'to create the token');
    await t.waitFor('Expiry of the new token');
    await t.key('Enter'); // 90 days
    const { code, sane, screen } = await t.exit();
    expect(screen).toMatch(/Created a personal access token "app-ci-\d{4}-\d\d" \(repo:write; expires \d{4}-\d\d-\d\dT/);
    expect(screen).toContain('Done.');
    expect(code).toBe(0);
    expect(sane).toBe(true);
    clean(screen);
    const first = JSON.parse((await w.secrets.value(name))!);
    expect(w.hub.tokens.created).toContain(first.token);
    await t.close();

    const r = await w.terminal(['rotate', '--create', '--secret-id', name]);
    await signIn(r, 'to create the token');
    await r.waitFor('Expiry of the new token');
    await r.key('Down'); // from 90 days (the default) to 1 year
    await r.key('Enter');
    const done = await r.exit();
    expect(done.screen).toContain('Rotated.');
    expect(done.screen).toContain(`npx dockerhub-credentials retire --secret-id ${name}`);
    expect(done.code).toBe(0);
    clean(done.screen);
    const second = JSON.parse((await w.secrets.value(name))!);
    expect(second.token).not.toBe(first.token);
    expect(w.hub.tokens.created).toContain(second.token);
  });

  it("an organization's name typed as the Docker ID: Docker Hub says it is one, and the run asks for an owner and makes an organization token (second stranger, session 3)", async () => {
    const ownerPassword = 'owner-pw-5t7y9u1i3o';
    w.hub.accounts.push({ username: 'olga8', secret: ownerPassword, kind: 'password', level: 'admin', state: 'ok' });
    w.hub.orgs.push({ name: 'acmeorg', owners: ['olga8'], cap: 10 });
    const name = uniqueName();
    await w.secrets.create(name);
    const t = await w.terminal(['setup', '--create', '--secret-id', name, '--username', 'acmeorg', '--expires-in', '30d']);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter');
    await t.waitFor('Repository CI pushes to');
    await t.type('acmeorg/app');
    await t.waitFor('Docker Hub password of acmeorg');
    await t.paste('not-the-orgs-password-1');
    await t.waitFor('Docker ID of an owner of acmeorg');
    await t.type('olga8');
    await t.waitFor('Docker Hub password of olga8');
    await t.paste(ownerPassword);
    const { code, screen } = await t.exit();
    expect(screen).toContain('acmeorg is an organization: its token is an organization access token, created by an owner.');
    expect(screen).toContain('Created an organization (acmeorg) access token');
    expect(code, screen).toBe(0);
    expect(screen).not.toContain(ownerPassword);
    clean(screen);
  });

  it('a wrong code is refused with its own sentence (exit 3), and nothing is created or stored', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const before = w.hub.tokens.created.length;
    const t = await w.terminal(['setup', '--create', '--secret-id', name, '--username', 'dave4', '--expires-in', '30d']);
    await t.waitFor('Which AWS services will read this secret');
    await t.key('Enter');
    await t.waitFor('Repository CI pushes to');
    await t.type('');
    await t.waitFor('Docker Hub password of dave4');
    await t.paste(w.password2fa.token);
    await t.waitFor('Two-factor code for dave4');
    await t.paste('000000');
    const { code, screen } = await t.exit();
    expect(screen).toContain('Docker Hub refused the two-factor code for dave4.');
    expect(code).toBe(3);
    clean(screen);
    expect(w.hub.tokens.created.length).toBe(before);
    expect(await w.secrets.stages(name)).toEqual({});
  });
});
