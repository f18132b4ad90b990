// Where the offline AWS provider mirror is: the folder holding registry.terraform.io/hashicorp/aws.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function findProviderMirror() {
  const candidates = [process.env.TF_PLUGIN_MIRROR, '/opt/tf-plugins', join(homedir(), '.terraform.d/plugins'), '/usr/share/terraform/plugins'];
  return candidates.find((dir) => dir && existsSync(join(dir, 'registry.terraform.io/hashicorp/aws')));
}

/** A provider override that points the AWS provider at an emulator (moto): every service the module and its rotation block use. */
export function motoProviderOverride(url, region, accessKey = 'test', secretKey = 'test') {
  return `provider "aws" {
  region                      = "${region}"
  access_key                  = "${accessKey}"
  secret_key                  = "${secretKey}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    secretsmanager = "${url}"
    iam            = "${url}"
    sts            = "${url}"
    kms            = "${url}"
    lambda         = "${url}"
    cloudwatchlogs = "${url}"
  }
}
`;
}
