import { say, type CliError, type ErrorCode, type Template } from '../errors.js';
import { OAT_PLACE, PAT_PAGE } from './docker-hub.js';
import type { TokenKind } from './tokens.js';

// Docker Hub's refusals of a login, as the registry's token endpoint, the Hub API
// and docker login all report them (REFERENCE 2): a recognizer picks the row from
// Docker Hub's words, and the row's template fills in the account.

export const isLoginLockout = (text: string) => /too many failed login attempts/i.test(text);

interface RefusalFacts {
  /** The account that tried to log in, when known. */
  username: string | undefined;
  /** What Docker Hub answered (a body, a header, docker's output). */
  detail: string;
  /** The kind of token, as its prefix (or Docker Hub's words) say. */
  kind: TokenKind;
}

const newPat = `create a new personal access token at ${PAT_PAGE} and run the command again.`;
const newOat = (org: string | undefined) => `create a new organization access token for ${org} (${OAT_PLACE}) and run the command again.`;
const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);

const HUB_REFUSALS = {
  /** Docker Hub locks logins for a username or IP address after too many failed attempts, for about 15 minutes. Transient: the token may well be good. */
  'login-locked': {
    message: ({ username }) => `Docker Hub is refusing logins for a while (HTTP 429): too many failed login attempts for ${username ?? 'this username'} or this IP address.`,
    hint: () =>
      // Shared by docker login and the password sign-in (--create, retire, tokens): it names neither alone (second stranger, session 3).
      'The lock lifts by itself after about 15 minutes: wait, then run the command again. It says nothing about whether the token or password is good; check the Docker ID, and the password for a sign-in, before the next try, as each failed attempt counts.',
  },
  'password-2fa': {
    message: ({ username }) => `Docker Hub refused the account password of ${username}: the account uses two-factor authentication, so it logs in only with an access token.`,
    hint: () => `Create a personal access token at ${PAT_PAGE} (Read & Write to push) and use it instead of the password; an account password never belongs in CI.`,
  },
  'token-expired': {
    message: ({ username, kind }) =>
      kind === 'oat' ? `Docker Hub says the organization access token of ${username} has expired.` : `Docker Hub says the access token for ${username} has expired.`,
    hint: ({ username, kind }) => capital(kind === 'oat' ? newOat(username) : newPat),
  },
  // Anything else cannot tell a wrong username from a bad token, so it says either could be wrong, the username first.
  'credentials-rejected': {
    message: ({ username, kind }) =>
      kind === 'oat'
        ? `Docker Hub rejected the organization access token for ${username}: either ${username} is not the organization that owns the token, or the token is wrong or was revoked.`
        : `Docker Hub rejected the credentials for ${username}: either ${username} is not the Docker ID the token belongs to, or the token is wrong or was revoked.`,
    hint: ({ username, kind }) =>
      kind === 'oat'
        ? `Check the organization name first (an organization access token logs in with its organization's name, not a Docker ID). If it is right, ${newOat(username)}`
        : `Check the Docker ID first (it must be the account that created the token). If it is right, ${newPat}`,
  },
} satisfies { readonly [C in ErrorCode]?: Template<RefusalFacts> };

/** Docker Hub's words pick the row, in order; the last row matches anything. */
const RECOGNIZERS: readonly (readonly [keyof typeof HUB_REFUSALS, (f: RefusalFacts) => boolean])[] = [
  ['login-locked', (f) => isLoginLockout(f.detail) || /toomanyrequests/i.test(f.detail)],
  ['password-2fa', (f) => /please use personal access token/i.test(f.detail)],
  ['token-expired', (f) => /expired/i.test(f.detail)],
  ['credentials-rejected', () => true],
];

/** Docker Hub refused a login with these words: the row they pick, filled in. */
export function rejected(username: string, detail: string, kind: TokenKind = 'pat'): CliError {
  // "org access token is expired" names the kind, whatever the token looked like.
  const facts: RefusalFacts = { username, detail, kind: /org access token is expired/i.test(detail) ? 'oat' : kind };
  const [code] = RECOGNIZERS.find(([, matches]) => matches(facts))!;
  return say(HUB_REFUSALS, code, facts);
}

/** The lockout alone, when Docker Hub's answer (HTTP 429 and its words) already said so. */
export const loginLockout = (account: string | undefined): CliError => say(HUB_REFUSALS, 'login-locked', { username: account, detail: '', kind: 'pat' });
