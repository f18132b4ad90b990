// The adapter from the tool's one Hub client (src/hub/manage.ts, issue 18) to the
// rotation function's HubTokens. Until that client is merged, signing in fails with
// a clear sentence: the function never talks to the Hub API with code of its own.
import type { AdminCredential, HubTokens } from './hub-port.js';

export async function openHubTokens(
  _hubUrl: string,
  _admin: AdminCredential,
  _o: { kind: 'pat' | 'oat'; org?: string; signal: AbortSignal; log: (line: string) => void },
): Promise<HubTokens> {
  throw new Error('this build has no Docker Hub token client (src/hub/manage.ts)');
}
