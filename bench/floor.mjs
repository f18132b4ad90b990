// The floor: the least a Node program can do to answer "how long is the stored token".
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.argv[2] }));
console.log(JSON.parse(out.SecretString).token.length);
