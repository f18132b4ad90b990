// The README's "try it" commands keep working: npm run demo, unattended (no terminal).
import { expect, it } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import { ROOT, describeWith } from '../support/harness.js';
import { findProviderMirror } from '../support/terraform.js';

const demo = (args: string[] = []) =>
  execa(process.execPath, [join(ROOT, 'scripts/demo.mjs'), ...args], { reject: false, stdin: 'ignore', all: true, timeout: 240_000 });

describeWith(['moto_server', 'docker'], 'npm run demo', () => {
  it('stores and verifies a demo token on moto and the stand-in, then removes the sandbox', async () => {
    const r = await demo();
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain('No terminal: running setup unattended');
    expect(r.all).toContain('Done. CI can now read the Docker Hub token');
    expect(r.all).toMatch(/token length:\s+36 characters/);
    expect(r.all).toContain('Sandbox stopped and removed (exit 0).');
  }, 120_000);
});

describeWith(findProviderMirror() ? ['moto_server', 'docker', 'terraform'] : ['terraform-provider-aws-offline-mirror'], 'npm run demo -- --terraform', () => {
  it('applies the example, sees "run setup", runs setup and verify, and destroys', async () => {
    const r = await demo(['--terraform']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/Apply complete! Resources: 9 added/);
    expect(r.all).toContain('exists but has no value yet');
    expect(r.all).toContain('Done. CI can now read the Docker Hub token');
    expect(r.all).toMatch(/Destroy complete! Resources: 9 destroyed/);
  }, 240_000);
});
