// Issue 21, items 12 and 20: a secret ARN of another region than --region is read in
// the ARN's region, saying that the regions differ; a --profile that no AWS config
// file defines says so, naming the files and the nearest profile.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { uniqueName } from '../support/aws.js';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';

describeWith(['moto_server'], 'secret ARNs and profile names', () => {
  const w = useWorld();

  it('a secret ARN of another region than --region is read in the ARN region, and the run says the regions differ', async () => {
    const name = uniqueName();
    const arn = await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    expect(arn).toContain(':eu-west-2:');
    const r = await w.run(['verify', '--secret-id', arn, '--region', 'us-east-1']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("! The secret's ARN is in region eu-west-2, but --region says us-east-1: the regions differ, so eu-west-2 (the ARN's) is used.");
    expect(r.stderr).not.toContain('does not exist');
    // Named by AWS_REGION, the variable is named.
    const env = await w.run(['verify', '--secret-id', arn], { env: { AWS_REGION: 'us-west-1' } });
    expect(env.exitCode, env.stderr).toBe(0);
    expect(env.stderr).toContain('but AWS_REGION says us-west-1');
  });

  it('--profile naming no profile of the AWS config files says so, names the files and the nearest profile (exit 4)', async () => {
    const config = join(w.sandbox.root, 'aws-config');
    const credentials = join(w.sandbox.root, 'aws-credentials');
    writeFileSync(config, '[default]\nregion = eu-west-2\n[profile ci-admin]\nregion = eu-west-2\n');
    writeFileSync(credentials, '[deployer]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const env = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_REGION: undefined, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
    const typo = await w.run(['verify', '--secret-id', 'ci/x', '--profile', 'ci-admn'], { env });
    expect(typo.exitCode).toBe(4);
    expect(typo.stderr).toContain(`✗ The AWS profile ci-admn is not in the AWS config files (${config}, ${credentials}).`);
    expect(typo.stderr).toContain('Did you mean --profile ci-admin? List the profiles with aws configure list-profiles');
    expect(typo.stderr).not.toContain('Choose a profile');
    const none = await w.run(['verify', '--secret-id', 'ci/x', '--profile', 'nosuch'], { env: { ...env, AWS_REGION: 'eu-west-2' } });
    expect(none.exitCode).toBe(4);
    expect(none.stderr).toContain(`✗ The AWS profile nosuch is not in the AWS config files (${config}, ${credentials}).`);
    expect(none.stderr).not.toContain('Did you mean');
  });
});
