// Direct Secrets Manager access for arranging and inspecting state in tests.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
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
export const uniqueName = (prefix = 'ci/dockerhub') => `${prefix}-${Date.now().toString(36)}-${counter++}`;
