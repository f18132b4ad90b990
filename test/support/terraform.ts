import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from './harness.js';

export { findProviderMirror, motoProviderOverride } from './terraform-mirror.mjs';

/** A scratch copy of terraform/, so init and state never touch the repository. */
export class TerraformCopy {
  readonly dir = mkdtempSync(join(tmpdir(), 'dhc-tf-'));
  constructor() {
    cpSync(join(ROOT, 'terraform'), this.dir, { recursive: true, filter: (src) => !/\.terraform|tfstate/.test(src) });
  }
  run(args: string[], sub = '.', env: Record<string, string> = {}) {
    return execa('terraform', [`-chdir=${join(this.dir, sub)}`, ...args], {
      env: { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', ...env },
      reject: false,
      all: true,
      timeout: 300_000,
    });
  }
  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
