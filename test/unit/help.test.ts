// --help and --version are answered without loading commander, from texts the
// build rendered with commander. They must be exactly what commander prints.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { CLI } from '../support/harness.js';
import { renderHelpTexts } from '../../src/program.js';
import { quickAnswer } from '../../src/quick.js';

describe('pre-rendered help', () => {
  const texts = renderHelpTexts();

  it('answers only plain requests for help or the version', () => {
    expect(quickAnswer(['--help'], texts)).toBe(texts['']);
    expect(quickAnswer([], texts)).toBe(texts['']);
    expect(quickAnswer(['help', 'rotate'], texts)).toBe(texts.rotate);
    expect(quickAnswer(['verify', '-h'], texts)).toBe(texts.verify);
    expect(quickAnswer(['verify', '--json'], texts)).toBeUndefined();
    expect(quickAnswer(['verify', '--secret-id', 'x', '--help'], texts)).toBeUndefined();
    expect(quickAnswer(['--version'], texts)).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each(['', 'setup', 'rotate', 'verify', 'status', 'history', 'rollback', 'login', 'logout', 'retire', 'tokens'])('the built CLI prints commander\'s own help for "%s"', async (cmd) => {
    const args = cmd ? [cmd, '--help'] : ['--help'];
    const r = await execa(process.execPath, [CLI, ...args]);
    expect(r.stdout + '\n').toBe(texts[cmd]);
    // The same text through commander itself (a form the quick path does not answer).
    const slow = await execa(process.execPath, [CLI, ...(cmd ? [cmd] : []), '--no-color', '--help'], { reject: false });
    if (cmd) expect(slow.stdout + '\n').toBe(texts[cmd]);
  });
});
