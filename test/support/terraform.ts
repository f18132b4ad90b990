import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from './harness.js';
import { REGION } from './aws.js';

export { findProviderMirror, motoProviderOverride } from './terraform-mirror.mjs';

/** One planned change, from `terraform show -json <plan>`. */
export interface PlannedChange {
  address: string;
  actions: string[];
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
  /** Writes files (path relative to the copy -> content), for a test's own root module or a changed module file. */
  write(files: Record<string, string>) {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(this.dir, path, '..'), { recursive: true });
      writeFileSync(join(this.dir, path), content);
    }
  }
  /** Plans into a file and returns every resource change with its actions (["delete"], ["forget"], ["no-op"] ...). */
  async plan(sub: string, args: string[] = []): Promise<{ changes: PlannedChange[]; output: string }> {
    const plan = await this.run(['plan', '-no-color', '-out=test.tfplan', ...args], sub);
    if (plan.exitCode !== 0) throw new Error(plan.all);
    const show = await this.run(['show', '-json', 'test.tfplan'], sub);
    if (show.exitCode !== 0) throw new Error(show.all);
    const json = JSON.parse(show.stdout) as { resource_changes?: { address: string; change: { actions: string[] } }[] };
    return { changes: (json.resource_changes ?? []).map((c) => ({ address: c.address, actions: c.change.actions })), output: plan.all ?? '' };
  }
  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The module's read policy attachments as released before one attachment per role and policy:
 * the read policy attached once per list, so a role in two lists held it twice.
 * Tests apply it, then the current attachments.tf, to prove the state migrates without a detach.
 */
export const LEGACY_ATTACHMENTS_TF = `
resource "aws_iam_role_policy_attachment" "read" {
  for_each   = toset(var.reader_role_names)
  role       = each.value
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_role_policy_attachment" "consumers" {
  for_each   = toset(concat(var.ecs_task_execution_role_names, var.codebuild_service_role_names))
  role       = each.value
  policy_arn = aws_iam_policy.read.arn
}
`;

/**
 * A root module for tests: IAM roles with the given names, and the module (source ../..)
 * with the variables reader_role_names, ecs_task_execution_role_names and codebuild_service_role_names.
 * `provider` is the provider block's body besides what the moto override sets.
 */
export function rootModule(o: { roles: string[]; secretName: string; provider?: string; moduleArgs?: string }): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
${o.provider ?? ''}
}

variable "reader_role_names" {
  type    = list(string)
  default = []
}
variable "ecs_task_execution_role_names" {
  type    = list(string)
  default = []
}
variable "codebuild_service_role_names" {
  type    = list(string)
  default = []
}

resource "aws_iam_role" "r" {
  for_each = toset(${JSON.stringify(o.roles)})
  name     = each.value
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

# The role names through the roles, so each attachment waits for its role (no depends_on on the
# module, which would defer the module's reads to apply).
module "dockerhub_credentials" {
  source = "../.."

  secret_name                   = "${o.secretName}"
  recovery_window_in_days       = 0
  reader_role_names             = [for n in var.reader_role_names : aws_iam_role.r[n].name]
  ecs_task_execution_role_names = [for n in var.ecs_task_execution_role_names : aws_iam_role.r[n].name]
  codebuild_service_role_names  = [for n in var.codebuild_service_role_names : aws_iam_role.r[n].name]
${o.moduleArgs ?? ''}
}

output "read_policy_arn" {
  value = module.dockerhub_credentials.read_policy_arn
}
output "secret_arn" {
  value = module.dockerhub_credentials.secret_arn
}
`;
}

// Shared by the Terraform test files (terraform.test.ts, terraform-roles.test.ts).
export function awsCli(motoUrl: string, key: { AccessKeyId: string; SecretAccessKey: string }, home: string) {
  return (args: string[]) =>
    execa('aws', ['--endpoint-url', motoUrl, '--region', REGION, '--output', 'json', ...args], {
      env: { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey, HOME: home, PATH: process.env.PATH! },
      extendEnv: false,
    });
}

export const listVar = (name: string, values: string[]) => ['-var', `${name}=${JSON.stringify(values)}`];
/** Planned changes to managed resources: what is left once no-ops and data reads are set aside. */
export const changesToResources = (changes: PlannedChange[]) => changes.filter((c) => !c.actions.every((a) => a === 'no-op' || a === 'read'));
export const attachmentChanges = (changes: PlannedChange[]) => changes.filter((c) => c.address.includes('aws_iam_role_policy_attachment'));

