import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from './harness.js';

/** The offline AWS provider mirror: the folder holding registry.terraform.io/hashicorp/aws. */
export function findProviderMirror(): string | undefined {
  const candidates = [process.env.TF_PLUGIN_MIRROR, '/opt/tf-plugins', join(homedir(), '.terraform.d/plugins'), '/usr/share/terraform/plugins'];
  return candidates.find((dir) => dir && existsSync(join(dir, 'registry.terraform.io/hashicorp/aws')));
}

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
