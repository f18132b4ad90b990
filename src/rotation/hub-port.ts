// What the rotation function needs from Docker Hub: the tool's one token-management
// client (src/hub/manage.ts, shaped like docker/hub-tool's), signed in with the admin
// credential. Injected, so tests of the steps may pass a fake HubTokenApi.
import type { HubTokenApi, TokenOwner } from '../hub/manage.js';

export interface AdminCredential {
  username: string;
  password: string;
  /** Base32 TOTP seed for an account with two-factor authentication (RFC 6238): the function computes the code. */
  totpSeed?: string;
}

/** A signed-in client and the list the rotated token lives in (the user's PATs, or the organization's OATs). */
export interface HubSession {
  api: HubTokenApi;
  owner: TokenOwner;
}

export type OpenHub = (admin: AdminCredential, o: { kind: 'pat' | 'oat'; org?: string; signal: AbortSignal }) => Promise<HubSession>;
