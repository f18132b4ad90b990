/** Docker Hub's naming rules, from REFERENCE section 2. */


const DOCKER_ID = /^[a-z0-9]{4,30}$/;
const ORG_NAME = /^[a-z0-9][a-z0-9_-]{1,254}$/;
const TOKEN_SHAPE = /^dckr_(pat|oat)_[A-Za-z0-9_-]{27}$/;

export type TokenKind = 'pat' | 'oat' | 'other';

export const tokenKind = (token: string): TokenKind =>
  token.startsWith('dckr_pat_') ? 'pat' : token.startsWith('dckr_oat_') ? 'oat' : 'other';

export const looksLikeAccessToken = (token: string) => TOKEN_SHAPE.test(token);

export const isDockerId = (name: string) => DOCKER_ID.test(name);

/** Usernames typed at the prompt: a Docker ID, or an organization name (only valid with an OAT). */
export function validateUsername(name: string): true | string {
  if (isDockerId(name) || ORG_NAME.test(name)) return true;
  return usernameFix(name) ?? 'A Docker ID is 4 to 30 lowercase letters and digits (organization names are allowed with an organization access token).';
}

/**
 * The two slips newcomers make most (the stranger's trial, session 3): an e-mail address, and a
 * Docker ID in capitals (Docker Hub's sign-in page takes either, so people type them so).
 */
export function usernameFix(name: string): string | undefined {
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(name)) return 'That is an e-mail address: use the Docker ID (the name shown under your avatar at app.docker.com), not the address you sign in with.';
  const lower = name.toLowerCase();
  if (lower !== name && (isDockerId(lower) || ORG_NAME.test(lower))) return `Docker IDs are lowercase: did you mean ${lower}?`;
  return undefined;
}

export function validateRepository(repo: string): true | string {
  return /^[a-z0-9]+(?:[._-][a-z0-9]+)*\/[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(repo)
    ? true
    : 'A repository is namespace/name in lowercase, for example myorg/myapp.';
}

/** Leading and trailing whitespace, including a pasted newline, is never part of a token. */
export const normalizeToken = (raw: string) => raw.trim();

/** Hub scope claims, in the words of Docker Hub's token settings page. */
export function accessLevel(scope: unknown): string | undefined {
  if (typeof scope !== 'string') return undefined;
  const names: Record<string, string> = {
    'repo:public_read': 'Public Repo Read-only',
    'repo:read': 'Read-only',
    'repo:write': 'Read & Write',
    'repo:admin': 'Read, Write, Delete',
  };
  const found = scope.split(/\s+/).map((s) => names[s]).filter(Boolean);
  return found.length ? found.join(', ') : undefined;
}

/** The account name and token a login uses. */
export interface Credentials {
  username: string;
  token: string;
}
