// The README's "try it" commands keep working: npm run demo, unattended (no terminal).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, describeWith } from '../support/harness.js';
import { findProviderMirror } from '../support/terraform.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dhc-demo-test-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the demo with its own TMPDIR, and checks that it leaves nothing there. */
const demo = async (args: string[] = []) => {
  const r = await execa(process.execPath, [join(ROOT, 'scripts/demo.mjs'), ...args], { env: { TMPDIR: tmp }, reject: false, stdin: 'ignore', all: true, timeout: 240_000 });
  expect(readdirSync(tmp), `temporary folders left behind; the demo said:\n${r.all}`).toEqual([]);
  return r;
};

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
    expect(r.all).toContain('exists but has no value yet');
    expect(r.all).toContain('Done. CI can now read the Docker Hub token');
    // A one-line summary per resource instead of the plan, and no colour codes when piped.
    const section = (from: string, to: string) => r.all.slice(r.all.indexOf(from), r.all.indexOf(to)).trim().split('\n').slice(1);
    const apply = section('terraform init and apply', 'The check CI runs').map((l) => l.replace(/ \[id=[^\]]+\]$/, ''));
    expect(apply[0]).toBe('  ✓ terraform init: the AWS provider from the offline mirror');
    expect(apply[1]).toBe('  Plan: 9 to add, 0 to change, 0 to destroy.');
    // Terraform creates them in parallel, so in no fixed order.
    expect(apply.slice(2, -1).sort()).toEqual(
      [
        'aws_iam_role.ci_agent',
        'aws_iam_role.consumer["codebuild-service"]',
        'aws_iam_role.consumer["ecs-task-execution"]',
        'module.dockerhub_credentials.aws_iam_policy.read',
        'module.dockerhub_credentials.aws_iam_policy.write',
        'module.dockerhub_credentials.aws_iam_role_policy_attachment.read["ci-agent"]',
        'module.dockerhub_credentials.aws_iam_role_policy_attachment.read["codebuild-service"]',
        'module.dockerhub_credentials.aws_iam_role_policy_attachment.read["ecs-task-execution"]',
        'module.dockerhub_credentials.aws_secretsmanager_secret.this',
      ].map((addr) => `  ✓ ${addr}: Creation complete`),
    );
    expect(apply.at(-1)).toBe('  Apply complete! Resources: 9 added, 0 changed, 0 destroyed.');
    const destroy = section('terraform destroy:', 'Sandbox stopped');
    expect(destroy.filter((l) => l.includes('Destruction complete'))).toHaveLength(9);
    expect(destroy.at(-1)).toBe('  Destroy complete! Resources: 9 destroyed.');
    expect(r.all).not.toContain('Terraform will perform the following actions');
    expect(r.all).not.toMatch(/\x1b\[/);
  }, 240_000);
});
