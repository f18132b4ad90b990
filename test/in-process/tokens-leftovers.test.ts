// Issue 18's leftovers (the 2026-12-02 fourth session), in process against the in-memory Secrets
// Manager, with the Docker Hub stand-in's REFERENCE 7 routes and the real docker CLI: whose tokens
// `tokens` lists without asking, one "expires within" rule for tokens and status at its boundary, a
// free label for --create, --discard-pending deleting the token the tool created, and retire --delete
// refusing a token known by its label alone (the session claim present, absent, naming another token).
import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { secretStatus } from '../../src/commands/status.js';
import { hubTagKey } from '../../src/flows/hub-facts.js';

type HubAccount = { username: string; secret: string; kind: string; level?: string; state: string; label?: string; hub?: { id: string; label: string; expires_at: string | null; last_used: string | null } };

describeWith(['docker'], "issue 18's leftovers, in process", () => {
  const w = useWorld({ inProcess: true });
  const PASSWORD = 'tess-password-4r6t8y0u';
  const PW = { DOCKERHUB_PASSWORD: PASSWORD };
  beforeAll(() => {
    w.hub.accounts.push({ username: 'tess6', secret: PASSWORD, kind: 'password', level: 'admin', state: 'ok' });
  });
  const account = (token: string) => w.hub.accounts.find((a: HubAccount) => a.secret === token) as HubAccount | undefined;
  const stored = async (name: string) => JSON.parse((await w.secrets.value(name))!) as { username: string; token: string };
  const fresh = async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    return name;
  };
  const create = async (name: string, ...extra: string[]) => {
    const defaults = [...(extra.includes('--expires-at') ? [] : ['--expires-in', '90d']), ...(extra.includes('--repository') ? [] : ['--repository', 'tess6/app'])];
    const r = await w.run(['setup', '--create', '--non-interactive', '--username', 'tess6', '--secret-id', name, ...defaults, ...extra], { env: PW });
    expect(r.exitCode, r.stderr).toBe(0);
    return stored(name);
  };
  /** A PAT of tess6 made by hand in Docker Hub (no id recorded when stored). */
  const handMade = (label: string): string => {
    const secret = `dckr_pat_${randomBytes(20).toString('base64url').slice(0, 27)}`;
    w.hub.accounts.push({ username: 'tess6', secret, kind: 'pat', level: 'write', state: 'ok', label });
    return secret;
  };

  it('tokens takes the Docker ID from the given secret, and asks for nothing; unattended with no way to know it, says so before any call', async () => {
    const name = await fresh();
    const made = await create(name);
    const r = await w.run(['tokens', '--non-interactive', '--secret-id', name, '--json'], { env: PW });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ account: 'tess6', kind: 'pat' });
    expect(out.tokens.find((t: { id: string }) => t.id === account(made.token)!.hub!.id)).toMatchObject({ heldBy: [{ secretId: name, stage: 'AWSCURRENT', by: 'recorded-id' }] });
    // Nothing gives the Docker ID: the missing answer is named, and no sign-in was tried.
    const none = await w.run(['tokens', '--non-interactive', '--json'], { env: PW });
    expect(none.exitCode).toBe(2);
    expect(JSON.parse(none.stdout).error.message + JSON.parse(none.stdout).error.hint).toContain('--username');
    expect(none.stderr).not.toContain('Signing in');
  });

  it('tokens and status flag a token expiring in exactly 30 days alike, and one in 31 days alike (whole UTC days, at most --warn-days)', async () => {
    const name = await fresh();
    const expires = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    await create(name, '--expires-at', expires);
    const id = account((await stored(name)).token)!.hub!.id;
    const recorded = account((await stored(name)).token)!.hub!.expires_at!.slice(0, 10);
    for (const [daysBefore, due] of [[30, true], [31, false]] as const) {
      // Early in the day: 31 calendar days before is 30 days and 22 hours, where the rule in milliseconds tokens
      // had ("expires - now <= 30 days") said "expires soon" and status's whole days did not.
      const now = new Date(Date.parse(`${recorded}T00:00:00Z`) - daysBefore * 86_400_000 + 2 * 3_600_000);
      const t = await w.run(['tokens', '--non-interactive', '--username', 'tess6', '--secret-id', name, '--warn-days', '30', '--json'], { env: PW, clock: () => now });
      expect(t.exitCode, t.stderr).toBe(0);
      const row = JSON.parse(t.stdout).tokens.find((x: { id: string }) => x.id === id);
      const status = secretStatus(w.memory.describeSecret(name), 'eu-west-2', 30, now);
      expect({ tokens: row.expiresSoon, status: status.due }, `${daysBefore} days before ${recorded}`).toEqual({ tokens: due, status: due });
    }
  });

  it('--create gives the new token a label no active token has: the suggestion gets -2; a taken --label is refused with a free one, before anything is created', async () => {
    const month = new Date().toISOString().slice(0, 7);
    // A repository of its own: the other cases here create app-ci-… tokens.
    const first = await create(await fresh(), '--repository', 'tess6/lab');
    expect(account(first.token)!.hub!.label).toBe(`lab-ci-${month}`);
    const second = await w.run(['setup', '--create', '--non-interactive', '--username', 'tess6', '--secret-id', await fresh(), '--expires-in', '90d', '--repository', 'tess6/lab'], { env: PW });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toContain(`An active token already has the label "lab-ci-${month}": the new one is "lab-ci-${month}-2".`);
    const before = w.hub.tokens.created.length;
    const taken = await w.run(['setup', '--create', '--non-interactive', '--username', 'tess6', '--secret-id', await fresh(), '--expires-in', '90d', '--label', `lab-ci-${month}`, '--json'], { env: PW });
    expect(taken.exitCode).toBe(2);
    expect(JSON.parse(taken.stdout).error).toMatchObject({ code: 'same-label', hint: `Pass a label of its own, for example --label lab-ci-${month}-3.` });
    expect(w.hub.tokens.created.length).toBe(before);
  });

  it('--discard-pending of a stage holding a token the tool created deletes it with a password (read back), else names it to delete by hand', async () => {
    const name = await fresh();
    const current = await create(name);
    // Another token the tool created, staged with its facts, as the rotation function's createSecret leaves it.
    const other = await fresh();
    const pendingValue = await create(other, '--label', 'staged-by-function');
    const facts = w.memory.describeSecret(other).tags[hubTagKey(Object.keys(await w.secrets.stages(other))[0]!)]!;
    const stage = async () => {
      await w.secrets.stagePending(name, JSON.stringify(pendingValue));
      const pendingId = Object.entries(await w.secrets.stages(name)).find(([, s]) => s.includes('AWSPENDING'))![0];
      w.memory.tag(name, { [hubTagKey(pendingId)]: facts, [`dockerhub-credentials:version:${pendingId}`]: 'l=staged-by-function' });
      return pendingId;
    };
    await stage();
    const unattended = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--discard-pending', '--yes']);
    expect(unattended.exitCode, unattended.stderr).toBe(0);
    expect(unattended.stderr).toMatch(/The token "[^"]*" \(id [\w-]+\) is still active in Docker Hub: no password was given to delete it .*; delete it by hand at https:\/\//);
    expect(account(pendingValue.token)!.state).toBe('ok');

    await stage();
    const r = await w.run(['rotate', '--non-interactive', '--secret-id', name, '--discard-pending', '--yes'], { env: PW });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Deleted "[^"]*" \(id [\w-]+\) in Docker Hub \(read back: gone\)/);
    expect(account(pendingValue.token)).toBeUndefined();
    // The token CI uses is untouched.
    expect((await stored(name)).token).toBe(current.token);
    expect(account(current.token)!.state).toBe('ok');
  });

  for (const claim of ['other', 'none', 'id'] as const) {
    it(`retire --delete of a token with no recorded id: the session claim ${claim === 'id' ? 'names it, so it is deleted' : claim === 'none' ? 'is absent, so its label alone does not do' : 'names another token, so its label alone does not do'}; deactivating by label stays allowed`, async () => {
      const name = await fresh();
      const oldToken = handMade(`hand-old-${claim}`);
      const seeded = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'tess6', '--secret-id', name, '--label', `hand-old-${claim}`, '--expires-in', '90d'], { input: oldToken });
      expect(seeded.exitCode, seeded.stderr).toBe(0);
      const rotated = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name, '--label', `hand-new-${claim}`, '--expires-in', '90d'], { input: handMade(`hand-new-${claim}`) });
      expect(rotated.exitCode, rotated.stderr).toBe(0);
      const was = w.hub.switches.sourceClaim;
      w.hub.switches.sourceClaim = claim;
      try {
        const del = await w.run(['retire', '--non-interactive', '--secret-id', name, '--yes', '--delete', '--json'], { env: PW });
        if (claim === 'id') {
          expect(del.exitCode, del.stderr).toBe(0);
          expect(JSON.parse(del.stdout)).toMatchObject({ action: 'deleted', identifiedBy: 'source-claim' });
          expect(account(oldToken)).toBeUndefined();
          return;
        }
        expect(del.exitCode).toBe(3);
        expect(JSON.parse(del.stdout).error).toMatchObject({ code: 'hub-token-unknown' });
        expect(JSON.parse(del.stdout).error.message).toContain(`known only by its recorded label "hand-old-${claim}"`);
        expect(JSON.parse(del.stdout).error.hint).toContain('without --delete');
        expect(account(oldToken)!.state).toBe('ok');
        const off = await w.run(['retire', '--non-interactive', '--secret-id', name, '--yes'], { env: PW });
        expect(off.exitCode, off.stderr).toBe(0);
        expect(off.stderr).toContain('known by its recorded label alone: deactivating it is allowed, as rollback undoes it');
        expect(account(oldToken)!.state).toBe('deactivated');
      } finally {
        w.hub.switches.sourceClaim = was;
      }
    });
  }
});
