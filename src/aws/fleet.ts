import { AwsSecretStore, type SecretStore } from './store.js';
import { rotationOf, type ListedSecret } from '../domain/secret.js';

/**
 * Every secret ListSecrets returns with a tag key starting with one of `tagKeys`, page by
 * page, with tags, stages and dates: no GetSecretValue, so `status` needs only list rights.
 * Bounded: at most `maxPages` pages of 100.
 */
export async function listSecrets(store: AwsSecretStore, tagKeys: string[], maxPages = 200): Promise<ListedSecret[]> {
  const out: ListedSecret[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await store.send('ListSecrets', 'read', (client, sdk, abortSignal) =>
      client.send(new sdk.ListSecretsCommand({ MaxResults: 100, NextToken, IncludePlannedDeletion: false, Filters: tagKeys.length ? [{ Key: 'tag-key', Values: tagKeys }] : undefined }), { abortSignal }),
    );
    for (const s of answer.SecretList ?? []) {
      out.push({
        arn: s.ARN ?? '',
        name: s.Name ?? '',
        kmsKeyId: s.KmsKeyId,
        lastChanged: s.LastChangedDate,
        deleted: s.DeletedDate,
        versions: s.SecretVersionsToStages ?? {},
        tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        rotation: rotationOf(s),
        lastAccessed: s.LastAccessedDate,
        description: s.Description,
      });
    }
    NextToken = answer.NextToken || undefined;
    if (!NextToken) break;
  }
  return out;
}

/** RotateSecret: Secrets Manager runs the secret's rotation function now, with a new ClientRequestToken. */
export async function rotateNow(store: SecretStore, requestToken: string): Promise<string | undefined> {
  // Only Secrets Manager itself can run a rotation function (an in-memory store in tests cannot).
  if (!(store instanceof AwsSecretStore)) throw new Error('RotateSecret needs the AWS Secrets Manager store');
  const out = await store.send('RotateSecret', 'write', (client, sdk, abortSignal) =>
    client.send(new sdk.RotateSecretCommand({ SecretId: store.secretId, ClientRequestToken: requestToken }), { abortSignal }),
  );
  return out.VersionId;
}
