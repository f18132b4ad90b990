// Signs the rotation function in with the tool's one Hub client (src/hub/manage.ts).
import { signIn } from '../hub/manage.js';
import { totp } from '../domain/totp.js';
import type { AdminCredential, HubSession } from './hub-port.js';

export async function openHubTokens(
  hubUrl: string,
  admin: AdminCredential,
  o: { kind: 'pat' | 'oat'; org?: string; signal: AbortSignal; log: (line: string) => void },
): Promise<HubSession> {
  const api = await signIn({
    hubUrl,
    signal: o.signal,
    username: admin.username,
    password: admin.password,
    // Unattended: the code comes from the admin secret's TOTP seed, or the sign-in stops with two-factor-required.
    twoFactorCode: admin.totpSeed ? async () => totp(admin.totpSeed!) : undefined,
    log: () => undefined,
    warn: o.log,
  });
  return { api, owner: o.kind === 'oat' ? { kind: 'oat', org: o.org! } : { kind: 'pat' } };
}
