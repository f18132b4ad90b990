// Direct Secrets Manager access for arranging and inspecting state in tests.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

export const REGION = 'eu-west-2';

export function awsEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_MAX_ATTEMPTS: '2',
  };
}

export class TestSecrets {
  readonly client: SecretsManagerClient;
  constructor(endpoint: string) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    this.client = new SecretsManagerClient({
      region: REGION,
      endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  }
  async create(name: string, value?: string): Promise<string> {
    const out = await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    return out.ARN!;
  }
  /** A stray AWSPENDING version, as an interrupted rotation leaves. */
  async stagePending(name: string, value: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value, VersionStages: ['AWSPENDING'] }));
  }
  /** A plain put: the new value becomes AWSCURRENT and the old one AWSPREVIOUS. */
  async put(name: string, value: string): Promise<string> {
    const out = await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    return out.VersionId!;
  }
  async scheduleDeletion(name: string): Promise<void> {
    await this.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  }
  async value(name: string, stage = 'AWSCURRENT'): Promise<string | undefined> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: stage }));
    return out.SecretString;
  }
  /** version id -> sorted stages: the state that must not change on failure. */
  async stages(name: string): Promise<Record<string, string[]>> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
    return Object.fromEntries(Object.entries(out.VersionIdsToStages ?? {}).map(([k, v]) => [k, [...v].sort()]));
  }
}

let counter = 0;
// The process id too: files running side by side share one moto.
export const uniqueName = (prefix = 'ci/dockerhub') => `${prefix}-${Date.now().toString(36)}-${process.pid.toString(36)}-${counter++}`;

/** Creates an IAM user through moto's IAM query API (unsigned: only for moto's first INITIAL_NO_AUTH_ACTION_COUNT requests), with an inline policy granting `actions` on "*". */
export async function iamUserWithPolicy(endpoint: string, actions: string[], userName = 'reader'): Promise<{ AccessKeyId: string; SecretAccessKey: string }> {
  const call = async (params: Record<string, string>) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
    });
    return res.text();
  };
  await call({ Action: 'CreateUser', UserName: userName });
  await call({
    Action: 'PutUserPolicy',
    UserName: userName,
    PolicyName: `${userName}-policy`,
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
  });
  const xml = await call({ Action: 'CreateAccessKey', UserName: userName });
  const get = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1] ?? '';
  return { AccessKeyId: get('AccessKeyId'), SecretAccessKey: get('SecretAccessKey') };
}
