// Values read from AWS that try to take over the terminal or a CI log (issue 22 item 3):
// keys of the stored value, the label tag, staging labels and version ids carrying
// escape sequences, C1 controls, bidi overrides and line separators, and a stored
// username of 60,000 characters (issue 22 item 8). The real CLI against moto: text
// output holds none of them raw (they are shown escaped), --json escapes them as \uXXXX.
import { describe, expect, it } from 'vitest';
import { PutSecretValueCommand, TagResourceCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { Output, wrap } from '../../src/ui/output.js';
import { PassThrough } from 'node:stream';

/** Anything a terminal or log viewer would act on: C0 but newline, DEL, C1, bidi marks, line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
/** What JSON.stringify leaves raw (it escapes C0 itself). */
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** Sets the window title, clears the screen. */
const TITLE_AND_CLEAR = '\u001b]0;x\u0007\u001b[2J';
/** 222 characters that, printed raw, go back up, erase, and draw a false all-clear over verify's report. */
const REDRAW = `\r\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[1A\u001b[2K\u001b[32m✓\u001b[0m all good\r\n  expires:           2099-01-01 (in 26000 days)\u009b2J\u202e${'x'.repeat(100)}`.slice(0, 222).padEnd(222, 'y');

describeWith(['moto_server', 'docker'], 'values from AWS never reach the terminal raw', () => {
  const w = useWorld();
  const base = (token: string, extra: Record<string, string> = {}) => JSON.stringify({ username: 'alice1', token, ...extra });
  const client = () => w.secrets.client;
  const tagLabel = async (name: string, versionId: string, label: string, expires = '2099-01-01') => {
    const meta = Buffer.from(JSON.stringify({ e: expires, l: label })).toString('base64url');
    await client().send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: `dockerhub-credentials:version:${versionId}`, Value: meta }] }));
  };
  const currentVersion = async (name: string) => Object.entries(await w.secrets.stages(name)).find(([, s]) => s.includes('AWSCURRENT'))![0];
  const noRaw = (label: string, text: string) => expect(RAW.exec(text)?.[0], `raw control in ${label}:\n${JSON.stringify(text).slice(0, 2000)}`).toBeUndefined();

  it('verify: a label tag that would redraw the screen is shown escaped; the expired line stays', async () => {
    const name = uniqueName();
    await w.secrets.create(name, base(w.rw.token));
    await tagLabel(name, await currentVersion(name), REDRAW, '2020-01-01');
    const r = await w.run(['verify', '--secret-id', name]);
    noRaw('stdout', r.stdout);
    noRaw('stderr', r.stderr);
    expect(r.stdout).toMatch(/label:\s+(unknown|.*\\x1b\[1A)/);
    expect(r.stdout).toMatch(/✗ The token expired on 2020-01-01/);
    expect(r.exitCode).not.toBe(0);

    const j = await w.run(['verify', '--secret-id', name, '--json']);
    expect(RAW_IN_JSON.exec(j.stdout)?.[0]).toBeUndefined();
    // The label breaks the label rule (tags are read by the rules they are written by), so it is unknown, with a warning.
    const report = JSON.parse(j.stdout);
    expect(report.label).toBeNull();
    expect(report.warnings.join(' ')).toMatch(/label/i);
  });

  it('setup over a value with hostile keys: the kept keys are listed escaped, in text and --json', async () => {
    const keys = { [TITLE_AND_CLEAR]: 'v', '\u202egnp.exe': 'x', 'a\u2028b': 'y', '\u009b2J': 'z' };
    for (const json of [false, true]) {
      const name = uniqueName();
      await w.secrets.create(name, base(w.rw.token, keys));
      const r = await w.run(['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--yes', ...(json ? ['--json'] : [])], { input: w.rw2.token });
      expect(r.exitCode, r.stderr).toBe(0);
      noRaw('stderr', r.stderr);
      if (json) {
        expect(RAW_IN_JSON.exec(r.stdout)?.[0]).toBeUndefined();
        JSON.parse(r.stdout);
      } else {
        noRaw('stdout', r.stdout);
        expect(r.stderr).toContain('\\x1b]0;x\\x07\\x1b[2J');
        expect(r.stderr).toContain('\\u202egnp.exe');
        expect(r.stderr).toContain('a\\u2028b');
        expect(r.stderr).toContain('\\x9b2J');
      }
      // The keys themselves are kept as they were: escaping is only how they are shown.
      expect(Object.keys(JSON.parse((await w.secrets.value(name))!))).toEqual(expect.arrayContaining(Object.keys(keys)));
    }
  });

  it('history and rollback: hostile staging labels, version ids and labels are shown escaped, in text and --json', async () => {
    const name = uniqueName();
    await w.secrets.create(name, base(w.rw.token));
    const first = await currentVersion(name);
    await tagLabel(name, first, `old\u001b[2J\u202elabel\u2028x`);
    const hostileId = `\u001b[2J\u009b${'0'.repeat(40)}`;
    let second: string;
    try {
      await client().send(new PutSecretValueCommand({ SecretId: name, SecretString: base(w.rw2.token), ClientRequestToken: hostileId }));
      second = hostileId;
    } catch {
      // An emulator that refuses such a version id: the rest still holds.
      second = await w.secrets.put(name, base(w.rw2.token));
    }
    await client().send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: `\u001b]0;pwned\u0007\u2066stage`, MoveToVersionId: first }));

    const h = await w.run(['history', '--secret-id', name]);
    expect(h.exitCode, h.stderr).toBe(0);
    noRaw('history stdout', h.stdout);
    noRaw('history stderr', h.stderr);
    expect(h.stdout).toContain('\\x1b]0;pwned\\x07\\u2066stage');
    expect(h.stdout).toMatch(/old\\x1b\[2J\\u202elabel\\u2028x|label:\s+unknown/);
    if (second === hostileId) expect(h.stdout).toContain('\\x1b[2J\\x9b0000');

    const hj = await w.run(['history', '--secret-id', name, '--json']);
    expect(RAW_IN_JSON.exec(hj.stdout)?.[0]).toBeUndefined();
    const rows = JSON.parse(hj.stdout).versions as { versionId: string; stages: string[] }[];
    expect(rows.map((r) => r.versionId)).toContain(second);
    expect(rows.flatMap((r) => r.stages)).toContain('\u001b]0;pwned\u0007\u2066stage');

    // The preview names both versions and their labels. Unattended, only --yes reaches it (without it the
    // run stops before any AWS call), so the rollback is done, and done again with --json.
    const rb = await w.run(['rollback', '--non-interactive', '--secret-id', name, '--yes']);
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(rb.stderr).toMatch(/Will become current: +alice1, token 36 characters/);
    expect(rb.stderr).toMatch(/Will be replaced: +alice1, token 36 characters/);
    // The first version's label breaks the label rule, so it is unknown; the hostile version id is shown escaped.
    expect(rb.stderr).toMatch(/label unknown, expires 2099-01-01/);
    if (second === hostileId) expect(rb.stderr).toContain('version \\x1b[2J\\x9b0000');
    noRaw('rollback stdout', rb.stdout);
    noRaw('rollback stderr', rb.stderr);
    const rbj = await w.run(['rollback', '--non-interactive', '--secret-id', name, '--yes', '--json']);
    expect(rbj.exitCode, rbj.stderr).toBe(0);
    expect(JSON.parse(rbj.stdout)).toMatchObject({ ok: true, currentVersionId: second });
    expect(RAW_IN_JSON.exec(rbj.stdout + rbj.stderr)?.[0]).toBeUndefined();
  });

  it('rotate: the hand-over names the old token by its label, escaped', async () => {
    const name = uniqueName();
    await w.secrets.create(name, base(w.rw.token));
    await tagLabel(name, await currentVersion(name), `ci\u001b[2J\u202e-label`);
    const r = await w.run(['rotate', '--non-interactive', '--token-stdin', '--secret-id', name], { input: w.rw2.token });
    expect(r.exitCode, r.stderr).toBe(0);
    noRaw('stdout', r.stdout);
    noRaw('stderr', r.stderr);
    expect(r.stdout + r.stderr).toMatch(/ci\\x1b\[2J\\u202e-label|label unknown/);
  });

  it('verify: a stored username of 60,000 characters is cut, with its length (issue 22 item 8)', async () => {
    const name = uniqueName();
    const long = 'u'.repeat(60_000);
    await w.secrets.create(name, JSON.stringify({ username: long, token: w.rw.token }));
    const r = await w.run(['verify', '--secret-id', name]);
    expect(r.stdout).toContain('…(60000 characters)');
    expect(r.stdout.length).toBeLessThan(5_000);
    const j = await w.run(['verify', '--secret-id', name, '--json']);
    expect(j.stdout.length).toBeLessThan(5_000);
    expect(JSON.parse(j.stdout).username).toMatch(/…\(60000 characters\)$/);
  });
});

describe('the Output: what cannot be forgotten at a call site', () => {
  const capture = (o: { color: boolean; tty: boolean; columns?: number }) => {
    const stream = Object.assign(new PassThrough(), { isTTY: o.tty, columns: o.columns });
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const out = new Output({ stdout: stream, stderr: stream }, { json: false, color: o.color, debug: false });
    return { out, text: () => text };
  };

  it('escapes every control in a line, newlines included, and keeps only its own styles as colour', () => {
    const { out, text } = capture({ color: true, tty: true, columns: 120 });
    out.ok(`Read ${out.err.bold(`a\u001b[2Jb\nc\u009bd\u202ee`)}`);
    expect(text()).toBe('\u001b[32m✓\u001b[39m Read \u001b[1ma\\x1b[2Jb\\x0ac\\x9bd\\u202ee\u001b[22m\n');
  });

  it('--json escapes what JSON.stringify leaves raw: C1 controls, bidi marks, U+2028/2029', () => {
    const { out, text } = capture({ color: false, tty: false });
    out.json({ label: 'a\u009bb\u202ec\u2028d\u2029e\u2066f' });
    expect(text()).toContain('"a\\u009bb\\u202ec\\u2028d\\u2029e\\u2066f"');
    expect(JSON.parse(text()).label).toBe('a\u009bb\u202ec\u2028d\u2029e\u2066f');
  });

  it('a value carrying a look-alike of a style marker stays text', () => {
    const { out, text } = capture({ color: true, tty: true, columns: 120 });
    out.info('x\ue000000000000000:31\ue001y');
    expect(text()).toBe('x\ue000000000000000:31\ue001y\n');
  });

  it('wraps prose only to a known width: 0, unknown or tiny widths leave the line as it is; a long word stays whole', () => {
    const line = '  1. Open https://app.docker.com/settings/personal-access-tokens (Account settings > Personal access tokens).';
    for (const width of [undefined, 0, 5]) expect(wrap(line, width)).toBe(line);
    expect(wrap(line, 40).split('\n')).toEqual([
      '  1. Open',
      '     https://app.docker.com/settings/personal-access-tokens',
      '     (Account settings > Personal access',
      '     tokens).',
    ]);
  });
});
