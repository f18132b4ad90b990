// The Lambda entry point of the rotation function (dist/rotation-function.zip, handler
// index.handler). Secrets Manager invokes it once per step (REFERENCE 10); it is
// configured by its environment and by tags on the rotated secret (steps.ts).
import { AwsSecretStore } from '../aws/store.js';
import { redact } from '../ui/redact.js';
import { httpChecks } from './checks.js';
import { openHubTokens } from './hub-client.js';
import { configFromEnv, runStep, type RotationEvent } from './steps.js';

/** One line per event on stdout (CloudWatch Logs): never a token, a password or the RotationToken. */
const log = (line: string) => console.log(redact(line));

export async function handler(event: RotationEvent): Promise<void> {
  const config = configFromEnv(process.env);
  // The whole step is bounded: the function's own timeout ends it anyway, and this ends the calls first.
  const budgetMs = Math.max(5_000, Number(process.env.DOCKERHUB_CREDENTIALS_STEP_TIMEOUT ?? 240) * 1000);
  const signal = AbortSignal.timeout(budgetMs);
  log(`${event?.Step} ${event?.SecretId}: started (version ${event?.ClientRequestToken})`);
  await runStep(event, {
    config,
    openStore: (secretId) => AwsSecretStore.open({ secretId, region: process.env.AWS_REGION, log: () => undefined, warn: log }),
    openHub: (admin, o) => openHubTokens(config.hubUrl, admin, { ...o, log }),
    testPending: httpChecks(signal, () => undefined),
    log,
    signal,
  });
  log(`${event.Step} ${event.SecretId}: done`);
}
