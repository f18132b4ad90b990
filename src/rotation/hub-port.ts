// What the rotation function needs from Docker Hub's token management (REFERENCE 7),
// as a small interface shaped like docker/hub-tool's client: sign in once, then
// create, read, list, deactivate and delete tokens. The implementation is the
// tool's one Hub client (src/hub/manage.ts, issue 18); tests may pass a fake.

/** An OAT's repository grant (REFERENCE 7, "Organization access tokens"). */
export interface OatResource {
  type: string;
  path: string;
  scopes: string[];
}

/** A token as the management API lists it: never its value. */
export interface ManagedToken {
  id: string;
  kind: 'pat' | 'oat';
  label: string;
  isActive: boolean;
  /** RFC 3339, or undefined for a token that never expires. */
  expiresAt?: string;
  /** A PAT's scopes (`repo:write`, ...). */
  scopes?: string[];
  /** An OAT's repositories (GET .../{id} only). */
  resources?: OatResource[];
}

/** What POST answers: the token and, only here, its value. */
export interface CreatedToken extends ManagedToken {
  token: string;
}

export interface NewToken {
  label: string;
  /** RFC 3339; undefined: never expires. */
  expiresAt?: string;
  scopes?: string[];
  resources?: OatResource[];
}

/** One signed-in session (the JWT lives 10 minutes: one rotation step). `org` set: the organization's OATs. */
export interface HubTokens {
  list(): Promise<ManagedToken[]>;
  /** Undefined when the token no longer exists. */
  get(id: string): Promise<ManagedToken | undefined>;
  create(spec: NewToken): Promise<CreatedToken>;
  setActive(id: string, active: boolean): Promise<void>;
  /** Deleting a token that is already gone is not an error. */
  remove(id: string): Promise<void>;
}

export interface AdminCredential {
  username: string;
  password: string;
  /** Base32 TOTP seed for an account with two-factor authentication (RFC 6238): the function computes the code. */
  totpSeed?: string;
}

/** Signs in with the admin credential; `org` chooses organization access tokens of that organization. */
export type OpenHub = (admin: AdminCredential, o: { kind: 'pat' | 'oat'; org?: string; signal: AbortSignal }) => Promise<HubTokens>;
