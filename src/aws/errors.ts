import { isCliError, say, type CliError, type ErrorCode, type Template } from '../errors.js';
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

/** What a recognizer reads from anything the AWS SDK throws, and what the sentences are filled with. */
interface AwsFacts {
  c: AwsCallContext;
  e: unknown;
  err: SdkLikeError;
  name: string;
  /** The error's own message, redacted. */
  message: string;
  status: number | undefined;
  /** " (region R, profile P)", or "". */
  place: string;
  /** The credential chain failed (no credentials, an expired SSO or aws login session). */
  credentials: boolean;
  /** The profile given is defined in neither AWS file: the nearest name, if any (computed on first use). */
  readonly undefinedProfile: { near?: string } | undefined;
  /** The proxy the failed connection went through (computed on first use). */
  readonly viaProxy: ReturnType<typeof proxyFailure>;
}

function awsFacts(e: unknown, c: AwsCallContext): AwsFacts {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkLikeError;
  const name = err.name ?? 'Error';
  const scope = where(c);
  let profile: { near?: string } | undefined | null = null;
  let proxy: ReturnType<typeof proxyFailure> | null = null;
  return {
    c,
    e,
    err,
    name,
    message: redact(err.message ?? String(e)),
    status: err.$metadata?.httpStatusCode,
    place: scope ? ` (${scope})` : '',
    credentials: name === 'CredentialsProviderError' || name === 'TokenProviderError',
    get undefinedProfile() {
      if (profile === null) {
        const known = c.profile ? profileNames(process.env) : [];
        profile = c.profile && !known.includes(c.profile) ? { near: closeMatches(c.profile, known, 1)[0] } : undefined;
      }
      return profile;
    },
    get viaProxy() {
      proxy ??= proxyFailure(e, isNetworkError(e) ? (c.endpoint ?? (c.region && `https://secretsmanager.${c.region}.amazonaws.com`)) : undefined);
      return proxy;
    },
  };
}

/**
 * The sentence and the fix of each AWS row of the catalogue, filled with the facts.
 * Only the error's name, message and status are read: SDK errors carry the raw
 * response in hidden fields and must never be printed or serialized whole.
 */
const AWS_SENTENCES = {
  'sso-session-invalid': {
    message: ({ c }) => `The AWS SSO session for profile ${c.profile ?? 'default'} is no longer valid (the SSO portal answered "Session token not found or invalid").`,
    hint: ({ c }) => `Run: aws sso login${profileFlag(c)}`,
  },
  'aws-login-expired': {
    message: ({ c }) => `The aws login session for profile ${c.profile ?? 'default'} has expired or was never started.`,
    hint: ({ c }) => `Run: aws login${profileFlag(c)}`,
  },
  'sso-expired': {
    message: ({ c }) => `The AWS SSO session for profile ${c.profile ?? 'default'} has expired or was never started.`,
    hint: ({ c }) => `Run: aws sso login${profileFlag(c)}`,
  },
  'no-such-profile': {
    message: ({ c }) => {
      const files = awsConfigFiles(process.env);
      return `The AWS profile ${c.profile} is not in the AWS config files (${files.config}, ${files.credentials}).`;
    },
    hint: ({ c, undefinedProfile }) =>
      `${undefinedProfile?.near ? `Did you mean --profile ${undefinedProfile.near}? ` : ''}List the profiles with aws configure list-profiles, or create this one with aws configure --profile ${c.profile} (or aws configure sso).`,
  },
  'no-credentials': {
    message: ({ c, message }) => (c.profile ? `AWS credentials for profile ${c.profile} could not be loaded: ${message}` : 'No AWS credentials were found.'),
    hint: () => 'Choose a profile with --profile NAME (or AWS_PROFILE, or "profile" in .dockerhub-credentials.json), or configure credentials with aws configure.',
  },
  'no-region': {
    message: ({ c }) => `No AWS region is configured${c.blankRegionVariable ? ` (${c.blankRegionVariable} is set, but empty)` : ''}.`,
    hint: () => 'Pass --region (for example --region eu-west-2), set AWS_REGION, or add "region" to .dockerhub-credentials.json.',
  },
  'not-secrets-manager': {
    message: ({ c, place, status, name }) =>
      `${c.endpoint ? `The endpoint ${c.endpoint}` : `The Secrets Manager endpoint${place}`} does not look like AWS Secrets Manager (HTTP ${status ?? '?'}, ${name === 'SyntaxError' ? 'not a JSON answer' : 'no Secrets Manager error in the answer'}).`,
    hint: () => 'Check AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL (unset them for AWS itself), --region, and any proxy in between.',
  },
  'secret-not-found': {
    message: ({ c, place }) => `The secret ${c.secretId} does not exist${place}.`,
    hint: () => TERRAFORM_HINT,
  },
  'secret-deleted': {
    message: ({ c }) => `The secret ${c.secretId} is scheduled for deletion.`,
    hint: ({ c }) => `Restore it first: aws secretsmanager restore-secret --secret-id ${c.secretId}${c.region ? ` --region ${c.region}` : ''}${profileFlag(c)}`,
  },
  kms: {
    message: ({ c, message }) => `Secrets Manager could not use the KMS key of ${c.secretId}: ${message}`,
    hint: () => 'The key is disabled or not granted to you: enable it, or grant kms:Decrypt (reading) and kms:GenerateDataKey (writing) via Secrets Manager.',
  },
  'invalid-aws-keys': {
    // AWS does not know the access key id, or the secret key does not match it: not a permission problem.
    message: ({ name, place }) =>
      `AWS does not accept the access keys in use${place}: ${name === 'InvalidSignatureException' ? 'the secret access key does not match the access key id' : 'the access key id is unknown or was deleted'} (${name}).`,
    hint: ({ c }) =>
      c.profile
        ? `Fix the keys of profile ${c.profile} (aws configure --profile ${c.profile}), or check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which take precedence.`
        : 'Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or aws configure), or choose a profile with --profile.',
  },
  'aws-session-expired': {
    message: ({ place }) => `The AWS session credentials in use have expired (ExpiredTokenException)${place}.`,
    hint: ({ c }) =>
      c.profile
        ? `Refresh them (for an SSO profile: aws sso login --profile ${c.profile}; otherwise get new session credentials), then run again.`
        : 'Refresh them: get new session credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN together), or use --profile, then run again.',
  },
  'too-many-versions': {
    message: ({ c }) => `Secrets Manager refused to write ${c.secretId}: too many versions of it were written recently (LimitExceededException). This is not throttling.`,
    hint: () => 'AWS removes unlabeled versions beyond 100 only when they are older than 24 hours: try again later, and write one secret at most about every 10 minutes.',
  },
  'access-denied': {
    message: ({ c, place }) => `Access denied: you are not allowed ${c.action} on ${c.secretId}${place}.`,
    hint: ({ c }) => `Grant ${c.action} on this secret to your role (the write policy from terraform/ covers setup, rotate and rollback), or use another --profile.`,
  },
  throttled: {
    message: ({ c, name }) => `Secrets Manager is throttling requests for ${c.secretId} (${name}).`,
    hint: () => 'Wait a few minutes and run the command again; AWS advises writing one secret at most every 10 minutes.',
  },
  proxy: {
    message: ({ c, viaProxy }) => `Could not reach AWS Secrets Manager${c.endpoint ? ` at ${c.endpoint}` : ''} through the proxy ${viaProxy!.proxy} (${viaProxy!.variable}): ${viaProxy!.reason}.`,
    hint: ({ c, viaProxy }) => proxyHint(viaProxy!, c.endpoint ? new URL(c.endpoint).host : 'the Secrets Manager endpoint'),
  },
  network: {
    message: ({ c, place, e }) => `Could not reach AWS Secrets Manager${c.endpoint ? ` at ${c.endpoint}` : ''}${place}: ${networkReason(e)}.`,
    hint: () => 'Check your network connection, proxy and AWS_ENDPOINT_URL_SECRETS_MANAGER, then try again.',
  },
  'aws-unavailable': {
    message: ({ c, name, status }) => `AWS Secrets Manager failed to answer ${c.action} (${name}, HTTP ${status ?? '?'}).`,
    hint: () => 'Try again in a moment.',
  },
  'aws-error': {
    message: ({ c, name, message }) => `AWS Secrets Manager refused ${c.action} on ${c.secretId}: ${name}: ${message}`,
  },
} satisfies { readonly [C in ErrorCode]?: Template<AwsFacts> };

type AwsCode = keyof typeof AWS_SENTENCES;

const regionMissing = (f: AwsFacts) => /region is missing/i.test(f.message);

/**
 * How each AWS failure is recognized, in order: the first row that matches picks the
 * catalogue's code, and its sentence is filled with the facts. The last row matches anything.
 */
const AWS_RECOGNIZERS: readonly (readonly [AwsCode, (f: AwsFacts) => boolean])[] = [
  // The SSO portal revoked the cached session: its UnauthorizedException, wrapped, does not say "SSO" (aws-cdk#32510).
  ['sso-session-invalid', (f) => f.credentials && /session token not found or invalid|UnauthorizedException/i.test(f.message)],
  // Profiles with login_session (@aws-sdk/credential-provider-login): "…re-authenticate using aws login",
  // "Your session has expired. Please reauthenticate.", or no cached token under ~/.aws/login/cache.
  ['aws-login-expired', (f) => f.credentials && /aws login|re-?authenticate|[\\/]\.aws[\\/]login[\\/]|login_session/i.test(f.message)],
  ['sso-expired', (f) => f.credentials && /sso/i.test(f.message)],
  // A profile that is not defined anywhere fails as "no credentials" or, first, as "no region": say what is wrong.
  ['no-such-profile', (f) => (f.credentials || regionMissing(f)) && f.undefinedProfile !== undefined],
  ['no-credentials', (f) => f.credentials],
  ['no-region', regionMissing],
  // Secrets Manager answers JSON and names its errors; a 404 or an HTML page comes from something else
  // (a wrong AWS_ENDPOINT_URL_SECRETS_MANAGER, a portal or proxy page). moto's IAM denial is 403 XML: access denied below.
  ['not-secrets-manager', (f) => (f.name === 'SyntaxError' && f.status !== 403) || (f.status === 404 && f.name !== 'ResourceNotFoundException')],
  ['secret-not-found', (f) => f.name === 'ResourceNotFoundException'],
  ['secret-deleted', (f) => f.name === 'InvalidRequestException' && /delet/i.test(f.message)],
  ['kms', (f) => ['DecryptionFailure', 'EncryptionFailure', 'KMSAccessDeniedException'].includes(f.name) || (f.name === 'AccessDeniedException' && /kms/i.test(f.message))],
  ['invalid-aws-keys', (f) => f.name === 'UnrecognizedClientException' || f.name === 'InvalidSignatureException'],
  ['aws-session-expired', (f) => f.name === 'ExpiredTokenException'],
  // The version quota, not throttling: unlabeled versions beyond 100 are removed only after 24 hours (reference_limits.html).
  ['too-many-versions', (f) => f.name === 'LimitExceededException' && WRITES.has(f.c.action)],
  ['access-denied', (f) => f.name === 'AccessDeniedException' || f.status === 403],
  ['throttled', (f) => f.name === 'ThrottlingException' || f.name === 'LimitExceededException' || f.status === 429],
  ['proxy', (f) => f.viaProxy !== undefined],
  ['network', (f) => isNetworkError(f.e)],
  ['aws-unavailable', (f) => f.err.$fault === 'server' || (f.status !== undefined && f.status >= 500)],
  ['aws-error', () => true],
];

/** Turns anything the AWS SDK throws into a row of the catalogue: its code, the sentence and the fix filled with the facts. */
export function mapAwsError(e: unknown, c: AwsCallContext): CliError {
  if (isCliError(e)) return e;
  const facts = awsFacts(e, c);
  const [code] = AWS_RECOGNIZERS.find(([, matches]) => matches(facts))!;
  return say(AWS_SENTENCES, code, facts);
}

export function scheduledForDeletion(c: AwsCallContext): CliError {
  return say(AWS_SENTENCES, 'secret-deleted', awsFacts(undefined, c));
}
