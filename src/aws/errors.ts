import { CliError, ExitCode, isCliError } from '../errors.js';
import { redact } from '../ui/redact.js';
import { proxyFailure, proxyHint } from '../net/proxy.js';
import { isNetworkError, networkReason } from '../net/errors.js';
import { awsConfigFiles, profileNames } from './region.js';
import { closeMatches } from '../config.js';

export interface AwsCallContext {
  action: string; // e.g. "secretsmanager:GetSecretValue"
  secretId: string;
  profile?: string;
  region?: string;
  endpoint?: string;
  blankRegionVariable?: string;
}

export const TERRAFORM_HINT =
  'Apply the Terraform that defines it (terraform -chdir=terraform apply, or terraform/examples/ci-agent), or check the secret name, --region and --profile.';

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

/** Calls that write a version or move a label. */
const WRITES = new Set(['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']);

const where = (c: AwsCallContext) =>
  [c.region ? `region ${c.region}` : undefined, c.profile ? `profile ${c.profile}` : undefined]
    .filter(Boolean)
    .join(', ');

const profileFlag = (c: { profile?: string }) => (c.profile ? ` --profile ${c.profile}` : '');

/**
 * Turns anything the AWS SDK throws into one sentence, a fix and an exit code.
 * Only the error's name, message and status are read: SDK errors carry the raw
 * response in hidden fields and must never be printed or serialized whole.
 */
export function mapAwsError(e: unknown, c: AwsCallContext): CliError {
  if (isCliError(e)) return e;
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkLikeError;
  const name = err.name ?? 'Error';
  const message = redact(err.message ?? String(e));
  const status = err.$metadata?.httpStatusCode;
  const scope = where(c);
  const place = scope ? ` (${scope})` : '';

  // A profile that is not defined anywhere fails as "no credentials" or, first, as "no region": say what is wrong.
  const missing = () => (c.profile ? missingProfile(c.profile, process.env) : undefined);
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    // The SSO portal revoked the cached session: its UnauthorizedException, wrapped, does not say "SSO" (aws-cdk#32510).
    if (/session token not found or invalid|UnauthorizedException/i.test(message)) {
      return new CliError(
        'sso-session-invalid',
        `The AWS SSO session for profile ${c.profile ?? 'default'} is no longer valid (the SSO portal answered "Session token not found or invalid").`,
        `Run: aws sso login${profileFlag(c)}`,
        ExitCode.Aws,
      );
    }
    // Profiles with login_session (@aws-sdk/credential-provider-login): "…re-authenticate using aws login",
    // "Your session has expired. Please reauthenticate.", or no cached token under ~/.aws/login/cache.
    if (/aws login|re-?authenticate|[\\/]\.aws[\\/]login[\\/]|login_session/i.test(message)) {
      return new CliError(
        'aws-login-expired',
        `The aws login session for profile ${c.profile ?? 'default'} has expired or was never started.`,
        `Run: aws login${profileFlag(c)}`,
        ExitCode.Aws,
      );
    }
    if (/sso/i.test(message)) {
      return new CliError(
        'sso-expired',
        `The AWS SSO session for profile ${c.profile ?? 'default'} has expired or was never started.`,
        `Run: aws sso login${c.profile ? ` --profile ${c.profile}` : ''}`,
        ExitCode.Aws,
      );
    }
    const undefinedProfile = missing();
    if (undefinedProfile) return undefinedProfile;
    return new CliError(
      'no-credentials',
      c.profile
        ? `AWS credentials for profile ${c.profile} could not be loaded: ${message}`
        : 'No AWS credentials were found.',
      'Choose a profile with --profile NAME (or AWS_PROFILE, or "profile" in .dockerhub-credentials.json), or configure credentials with aws configure.',
      ExitCode.Aws,
    );
  }
  if (/region is missing/i.test(message)) {
    const undefinedProfile = missing();
    if (undefinedProfile) return undefinedProfile;
    return new CliError(
      'no-region',
      `No AWS region is configured${c.blankRegionVariable ? ` (${c.blankRegionVariable} is set, but empty)` : ''}.`,
      'Pass --region (for example --region eu-west-2), set AWS_REGION, or add "region" to .dockerhub-credentials.json.',
      ExitCode.Aws,
    );
  }
  if ((name === 'SyntaxError' && status !== 403) || (status === 404 && name !== 'ResourceNotFoundException')) {
    // Secrets Manager answers JSON and names its errors; a 404 or an HTML page comes from something else
    // (a wrong AWS_ENDPOINT_URL_SECRETS_MANAGER, a portal or proxy page). moto's IAM denial is 403 XML: access denied below.
    return new CliError(
      'not-secrets-manager',
      `${c.endpoint ? `The endpoint ${c.endpoint}` : `The Secrets Manager endpoint${place}`} does not look like AWS Secrets Manager (HTTP ${status ?? '?'}, ${name === 'SyntaxError' ? 'not a JSON answer' : 'no Secrets Manager error in the answer'}).`,
      'Check AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL (unset them for AWS itself), --region, and any proxy in between.',
      ExitCode.Aws,
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new CliError('secret-not-found', `The secret ${c.secretId} does not exist${place}.`, TERRAFORM_HINT, ExitCode.Aws);
  }
  if (name === 'InvalidRequestException' && /delet/i.test(message)) {
    return scheduledForDeletion(c);
  }
  if (name === 'DecryptionFailure' || name === 'EncryptionFailure' || name === 'KMSAccessDeniedException' ||
      (name === 'AccessDeniedException' && /kms/i.test(message))) {
    return new CliError(
      'kms',
      `Secrets Manager could not use the KMS key of ${c.secretId}: ${message}`,
      'The key is disabled or not granted to you: enable it, or grant kms:Decrypt (reading) and kms:GenerateDataKey (writing) via Secrets Manager.',
      ExitCode.Aws,
    );
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
    // AWS does not know the access key id, or the secret key does not match it: not a permission problem.
    return new CliError(
      'invalid-aws-keys',
      `AWS does not accept the access keys in use${place}: ${name === 'InvalidSignatureException' ? 'the secret access key does not match the access key id' : 'the access key id is unknown or was deleted'} (${name}).`,
      c.profile
        ? `Fix the keys of profile ${c.profile} (aws configure --profile ${c.profile}), or check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which take precedence.`
        : 'Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or aws configure), or choose a profile with --profile.',
      ExitCode.Aws,
    );
  }
  if (name === 'ExpiredTokenException') {
    return new CliError(
      'aws-session-expired',
      `The AWS session credentials in use have expired (ExpiredTokenException)${place}.`,
      c.profile
        ? `Refresh them (for an SSO profile: aws sso login --profile ${c.profile}; otherwise get new session credentials), then run again.`
        : 'Refresh them: get new session credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN together), or use --profile, then run again.',
      ExitCode.Aws,
    );
  }
  if (name === 'LimitExceededException' && WRITES.has(c.action)) {
    // The version quota, not throttling: unlabeled versions beyond 100 are removed only after 24 hours (reference_limits.html).
    return new CliError(
      'too-many-versions',
      `Secrets Manager refused to write ${c.secretId}: too many versions of it were written recently (LimitExceededException). This is not throttling.`,
      'AWS removes unlabeled versions beyond 100 only when they are older than 24 hours: try again later, and write one secret at most about every 10 minutes.',
      ExitCode.Transient,
    );
  }
  if (name === 'AccessDeniedException' || status === 403) {
    return new CliError(
      'access-denied',
      `Access denied: you are not allowed ${c.action} on ${c.secretId}${place}.`,
      `Grant ${c.action} on this secret to your role (the write policy from terraform/ covers setup, rotate and rollback), or use another --profile.`,
      ExitCode.Aws,
    );
  }
  if (name === 'ThrottlingException' || name === 'LimitExceededException' || status === 429) {
    return new CliError(
      'throttled',
      `Secrets Manager is throttling requests for ${c.secretId} (${name}).`,
      'Wait a few minutes and run the command again; AWS advises writing one secret at most every 10 minutes.',
      ExitCode.Transient,
    );
  }
  const viaProxy = proxyFailure(e, isNetworkError(e) ? (c.endpoint ?? (c.region && `https://secretsmanager.${c.region}.amazonaws.com`)) : undefined);
  if (viaProxy) {
    return new CliError(
      'proxy',
      `Could not reach AWS Secrets Manager${c.endpoint ? ` at ${c.endpoint}` : ''} through the proxy ${viaProxy.proxy} (${viaProxy.variable}): ${viaProxy.reason}.`,
      proxyHint(viaProxy, c.endpoint ? new URL(c.endpoint).host : 'the Secrets Manager endpoint'),
      ExitCode.Transient,
    );
  }
  if (isNetworkError(e)) {
    return new CliError(
      'network',
      `Could not reach AWS Secrets Manager${c.endpoint ? ` at ${c.endpoint}` : ''}${place}: ${networkReason(e)}.`,
      'Check your network connection, proxy and AWS_ENDPOINT_URL_SECRETS_MANAGER, then try again.',
      ExitCode.Transient,
    );
  }
  if (err.$fault === 'server' || (status !== undefined && status >= 500)) {
    return new CliError(
      'aws-unavailable',
      `AWS Secrets Manager failed to answer ${c.action} (${name}, HTTP ${status ?? '?'}).`,
      'Try again in a moment.',
      ExitCode.Transient,
    );
  }
  return new CliError(
    'aws-error',
    `AWS Secrets Manager refused ${c.action} on ${c.secretId}: ${name}: ${message}`,
    undefined,
    ExitCode.Unexpected,
  );
}

/** A --profile that neither shared AWS file defines: say so, name the files, and the nearest profile. */
function missingProfile(profile: string, env: NodeJS.ProcessEnv): CliError | undefined {
  const known = profileNames(env);
  if (known.includes(profile)) return undefined;
  const files = awsConfigFiles(env);
  const [near] = closeMatches(profile, known, 1);
  return new CliError(
    'no-such-profile',
    `The AWS profile ${profile} is not in the AWS config files (${files.config}, ${files.credentials}).`,
    `${near ? `Did you mean --profile ${near}? ` : ''}List the profiles with aws configure list-profiles, or create this one with aws configure --profile ${profile} (or aws configure sso).`,
    ExitCode.Aws,
  );
}

export function scheduledForDeletion(c: AwsCallContext): CliError {
  return new CliError(
    'secret-deleted',
    `The secret ${c.secretId} is scheduled for deletion.`,
    `Restore it first: aws secretsmanager restore-secret --secret-id ${c.secretId}${c.region ? ` --region ${c.region}` : ''}${profileFlag(c)}`,
    ExitCode.Aws,
  );
}
