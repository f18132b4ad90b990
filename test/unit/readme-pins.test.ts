// The README's install lines pin the package's version (an unpinned name in a CI job runs whatever
// is published under it next), and every pin in the README is the version being released.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/harness.js';

it("pins the README's install lines to package.json's version", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const pins = [...readme.matchAll(/dockerhub-credentials@([\w.<>-]+)/g)].map((m) => m[1]);
  expect(pins.length).toBeGreaterThan(3);
  expect(pins.filter((p) => p !== version)).toEqual([]);
  // No unpinned global install.
  expect(readme).not.toMatch(/npm (i|install) -g dockerhub-credentials(?!@)/);
});
