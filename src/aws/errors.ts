import { CliError, ExitCode, isCliError } from '../errors.js';
import { redact } from '../ui/redact.js';

export interface AwsCallContext {
  action: string; // e.g. "secretsmanager:GetSecretValue"
  secretId: string;
  profile?: string;
  region?: string;
  endpoint?: string;
}

export const TERRAFORM_HINT =
  'Apply the Terraform that defines it (terraform -chdir=terraform apply, or terraform/examples/ci-agent), or check the secret name, --region and --profile.';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface SdkLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

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

  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    if (/sso/i.test(message)) {
      return new CliError(
        'sso-expired',
        `The AWS SSO session for profile ${c.profile ?? 'default'} has expired or was never started.`,
        `Run: aws sso login${c.profile ? ` --profile ${c.profile}` : ''}`,
        ExitCode.Aws,
      );
    }
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
    return new CliError(
      'no-region',
      'No AWS region is configured.',
      'Pass --region (for example --region eu-west-2), set AWS_REGION, or add "region" to .dockerhub-credentials.json.',
      ExitCode.Aws,
    );
  }
  if (name === 'ResourceNotFoundException' || status === 404) {
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
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException' || status === 403) {
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

export function scheduledForDeletion(c: AwsCallContext): CliError {
  return new CliError(
    'secret-deleted',
    `The secret ${c.secretId} is scheduled for deletion.`,
    `Restore it first: aws secretsmanager restore-secret --secret-id ${c.secretId}${c.region ? ` --region ${c.region}` : ''}${profileFlag(c)}`,
    ExitCode.Aws,
  );
}

function codeOf(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isNetworkError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  const code = codeOf(e);
  return (
    (code !== undefined && NETWORK_CODES.has(code)) ||
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    (name === 'AbortError' && !/abort/i.test(String((e as Error).message ?? '')))
  );
}

function networkReason(e: unknown): string {
  const code = codeOf(e);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  return 'timed out';
}
