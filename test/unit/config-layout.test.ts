// A docker config rewritten by login --helper or logout keeps its file's own layout, so a change
// and its undoing give back the file byte for byte (issue 20).
import { describe, expect, it } from 'vitest';
import { formatLike } from '../../src/docker/helper-config.js';

describe('formatLike', () => {
  const config = { auths: { 'ghcr.io': { auth: 'bWU6eA==' } }, currentContext: 'default' };
  it.each([
    ['docker\'s own: tabs, no final newline', JSON.stringify(config, null, '\t')],
    ['two spaces and a final newline', JSON.stringify(config, null, 2) + '\n'],
    ['four spaces', JSON.stringify(config, null, 4)],
    ['one line', JSON.stringify(config)],
    ['one line and a newline', JSON.stringify(config) + '\n'],
  ])('%s', (_, text) => {
    expect(formatLike(JSON.parse(text) as Record<string, unknown>, text)).toBe(text);
  });
  it('a new or empty file gets docker\'s tabs and a final newline', () => {
    expect(formatLike({ a: 1 }, undefined)).toBe('{\n\t"a": 1\n}\n');
    expect(formatLike({ a: 1 }, '  \n')).toBe('{\n\t"a": 1\n}\n');
  });
});
