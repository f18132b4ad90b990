import { CliError, ExitCode } from '../errors.js';
import { OAT_PLACE, PAT_PAGE } from './docker-hub.js';
import type { TokenKind } from './tokens.js';

// Docker Hub's refusals of a login, as the registry's token endpoint, the Hub API
// and docker login all report them (REFERENCE 2).

export const isLoginLockout = (text: string) => /too many failed login attempts/i.test(text);

/**
 * Docker Hub locks logins for a username or IP address after too many failed
 * attempts, for about 15 minutes. Transient: the token may well be good.
 */
export function loginLockout(account: string | undefined): CliError {
  return new CliError(
    'login-locked',
    `Docker Hub is refusing logins for a while (HTTP 429): too many failed login attempts for ${account ?? 'this username'} or this IP address.`,
    'The lock lifts by itself after about 15 minutes: wait, then run the command again. This says nothing about the token; check the username before the next try, as each failed login counts.',
    ExitCode.Transient,
  );
}

const newPat = `create a new personal access token at ${PAT_PAGE} and run the command again.`;
const newOat = (org: string) => `create a new organization access token for ${org} (${OAT_PLACE}) and run the command again.`;
const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const newPatHint = capital(newPat);

/**
 * Docker Hub refused a login. Its words decide the sentence (REFERENCE 2):
 * a lockout is transient, a 2FA account needs a PAT, an expired token names its
 * kind, and anything else cannot tell a wrong username from a bad token, so it
 * says either could be wrong, the username first.
 */
export function rejected(username: string, detail: string, kind: TokenKind = 'pat'): CliError {
  if (isLoginLockout(detail) || /toomanyrequests/i.test(detail)) return loginLockout(username);
  if (/please use personal access token/i.test(detail)) {
    return new CliError(
      'password-2fa',
      `Docker Hub refused the account password of ${username}: the account uses two-factor authentication, so it logs in only with an access token.`,
      `Create a personal access token at ${PAT_PAGE} (Read & Write to push) and use it instead of the password; an account password never belongs in CI.`,
      ExitCode.Rejected,
    );
  }
  if (/org access token is expired/i.test(detail) || (kind === 'oat' && /expired/i.test(detail))) {
    return new CliError('token-expired', `Docker Hub says the organization access token of ${username} has expired.`, capital(newOat(username)), ExitCode.Rejected);
  }
  if (/expired/i.test(detail)) {
    return new CliError('token-expired', `Docker Hub says the access token for ${username} has expired.`, newPatHint, ExitCode.Rejected);
  }
  if (kind === 'oat') {
    return new CliError(
      'credentials-rejected',
      `Docker Hub rejected the organization access token for ${username}: either ${username} is not the organization that owns the token, or the token is wrong or was revoked.`,
      `Check the organization name first (an organization access token logs in with its organization's name, not a Docker ID). If it is right, ${newOat(username)}`,
      ExitCode.Rejected,
    );
  }
  return new CliError(
    'credentials-rejected',
    `Docker Hub rejected the credentials for ${username}: either ${username} is not the Docker ID the token belongs to, or the token is wrong or was revoked.`,
    `Check the Docker ID first (it must be the account that created the token). If it is right, ${newPat}`,
    ExitCode.Rejected,
  );
}
