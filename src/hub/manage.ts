/**
 * Docker Hub's token-management API (REFERENCE 7): signing in with a password
 * (and a two-factor code), creating, listing, reading, deactivating,
 * re-activating and deleting personal (PAT) and organization (OAT) access
 * tokens. Modelled on docker/hub-tool's pkg/hub client (Login with a 2FA code
 * provider, CreateToken, GetTokens, GetToken, UpdateToken, RemoveToken).
 *
 * No prompts, no CLI: the two-factor code comes from a callback, the password
 * from the caller, so the CLI and the Secrets Manager rotation function share
 * this one client. Every call is bounded (request()'s timeout and 429 budget,
 * a page cap on lists). The password, the session JWT, the two-factor token
 * and every created token's value are registered for redaction the moment they
 * are known; the password is held only in this object's closure, for one run,
 * to sign in again when the 10-minute session ends.
 */
import { CliError, failure, cancelled } from '../errors.js';
import type { ErrorCode } from '../catalogue.js';
import { registerSecret, printable, bounded } from '../ui/redact.js';
import { readJson, request, type HttpOptions } from './http.js';
import { tokenKind } from '../domain/tokens.js';

/** The PAT scopes Docker Hub knows (REFERENCE 7, "Personal access tokens"). */
export const PAT_SCOPES = ['repo:admin', 'repo:write', 'repo:read', 'repo:public_read'] as const;
export type PatScope = (typeof PAT_SCOPES)[number];
/** An OAT resource's scopes (REFERENCE 7, "Organization access tokens"; `repo-pull` is the outdated form). */
export type OatScope = 'scope-image-pull' | 'scope-image-push';

export interface OatResource {
  type: 'TYPE_REPO';
  /** `org/repo`, `org/*` or `*\/*\/public`. */
  path: string;
  scopes: string[];
}

/** Which list a token lives in: the signed-in user's PATs, or an organization's OATs. */
export type TokenOwner = { kind: 'pat' } | { kind: 'oat'; org: string };

/** A token as Docker Hub lists it, the same shape for PATs and OATs. Times are Docker Hub's strings, as answered. */
export interface HubToken {
  kind: 'pat' | 'oat';
  /** The PAT's `uuid` or the OAT's `id`. */
  id: string;
  label: string;
  /** PAT scopes (`repo:write`); for an OAT, the union of its resources' scopes. */
  scopes: string[];
  /** OATs only, and only where Docker Hub answered them (GET …/{id}, POST). */
  resources?: OatResource[];
  isActive: boolean;
  createdAt?: string;
  /** null: never expires. undefined: not answered. */
  expiresAt?: string | null;
  /** null: never used. */
  lastUsed?: string | null;
  /** The organization, for an OAT. */
  org?: string;
}

/** A token just created: the one answer that carries its value. */
export interface CreatedToken extends HubToken {
  /** The value: registered for redaction before this object is returned. Never print it. */
  token: string;
}

export interface NewPat {
  label: string;
  scopes: PatScope[];
  /** RFC 3339; omitted: never expires. */
  expiresAt?: string;
}

export interface NewOat {
  label: string;
  description?: string;
  resources: OatResource[];
  expiresAt?: string;
}

/** The calls the rotation function and the CLI make, as an interface so either can be given a fake. */
export interface HubTokenApi {
  readonly username: string;
  createPat(t: NewPat): Promise<CreatedToken>;
  createOat(org: string, t: NewOat): Promise<CreatedToken>;
  getToken(owner: TokenOwner, id: string): Promise<HubToken>;
  listTokens(owner: TokenOwner): Promise<HubToken[]>;
  setActive(owner: TokenOwner, id: string, active: boolean): Promise<HubToken>;
  /** Deletes for good, then reads back that it is gone (404); false if it is still listed. */
  deleteToken(owner: TokenOwner, id: string): Promise<boolean>;
}

export interface SignInOptions {
  hubUrl: string;
  signal: AbortSignal;
  username: string;
  password: string;
  /** Asked only when Docker Hub asks for the second factor; throw to stop. */
  twoFactorCode?: () => Promise<string>;
  log?: (line: string) => void;
  warn?: (line: string) => void;
  /** Per request; default 15 s (request()'s). */
  timeoutMs?: number;
  /** For tests: request()'s sleep between 429 retries. */
  sleep?: HttpOptions['sleep'];
}

// REFERENCE 7, "Signing in with a password".
const TWO_FACTOR = /secondary authentication|two[- ]factor|2fa|mfa/i;
const ORG_ACCOUNT = /cannot log into an organization account/i;
/** The spec's words, and the plausible others: the exact refusal is unconfirmed (REFERENCE 7). */
const SSO = /password authentication type is not available|single sign-on|\bsso\b/i;
/** Both wordings Docker Hub has used for a session obtained with a PAT or an OAT (REFERENCE 7). */
const PAT_SESSION = /issued from personal access token|forbidden with personal access token|(personal|organization|org) access token is not allowed/i;
/** The OAT cap's refusal is unconfirmed (REFERENCE 7, "Limits"): these words, or the count decides. */
const CAP = /limit|maximum|too many|quota|cap\b/i;
const MAX_PAGES = 20;
const PAGE_SIZE = 100;

const said = (body: Record<string, unknown>): string | undefined => {
  const v = body.detail ?? body.details ?? body.message ?? body.errinfo ?? body.error;
  return typeof v === 'string' ? v : v === undefined ? undefined : JSON.stringify(v);
};
/** Docker Hub's own words, safe to quote: redacted by the output layer, control characters escaped, bounded. */
const quote = (text: string | undefined) => (text ? `: "${bounded(printable(text), 200)}"` : '');

const hubHost = (hubUrl: string) => new URL(hubUrl).host;

function refusal(code: ErrorCode, message: string, hint: string): CliError {
  return failure(code, message, hint);
}

/** The refusals of a sign-in, each with its true sentence (REFERENCE 7 and 2). */
export const signInRefusals = {
  wrongPassword: (user: string) =>
    refusal(
      'password-rejected',
      `Docker Hub refused the password for ${printable(user)} (incorrect username or password).`,
      'Check the Docker ID (a PAT is created by its own account; an OAT by an owner of the organization) and the password, then run the command again; each failed sign-in counts toward Docker Hub\'s lockout.',
    ),
  wrongCode: (user: string) =>
    refusal(
      'two-factor-rejected',
      `Docker Hub refused the two-factor code for ${printable(user)}.`,
      'Run the command again and type the current six-digit code from the authenticator app (or a recovery code).',
    ),
  organization: (user: string) =>
    refusal(
      'organization-sign-in',
      `${printable(user)} is an organization: Docker Hub cannot sign in as an organization account.`,
      'Sign in as an owner of the organization: pass --owner YOUR_DOCKER_ID (or DOCKERHUB_OWNER).',
    ),
  sso: (user: string) =>
    refusal(
      'sso-enforced',
      `Docker Hub does not allow password sign-in for ${printable(user)} (single sign-on is enforced), so the tool cannot create or retire tokens for it.`,
      'Create the token in Docker Hub, then run without --create.',
    ),
  patAsPassword: (user: string) =>
    refusal(
      'pat-session',
      `The password given for ${printable(user)} is an access token: Docker Hub refuses token management with a session opened by a personal or organization access token.`,
      'Give the account\'s password instead (DOCKERHUB_PASSWORD, --password-stdin or the prompt), or create the token in Docker Hub and run without --create.',
    ),
  noCode: (user: string) =>
    refusal(
      'two-factor-required',
      `${printable(user)} has two-factor authentication, and no code can be asked for without a terminal.`,
      'Run the command at a terminal to type the code, or add the account\'s two-factor seed as "totpSeed" to the admin secret named by --admin-secret-id (codes are then computed, as the rotation function does).',
    ),
};

function unexpectedAnswer(hubUrl: string, what: string, status: number, text?: string): CliError {
  return failure(
    'hub-error',
    `Docker Hub (${hubHost(hubUrl)}) answered HTTP ${status} to ${what}${quote(text)}.`,
    'Try again in a moment.',
  );
}

/**
 * Signs in with the password (and the second factor when Docker Hub asks for
 * it) and returns a client for the token routes. The account must not be an
 * organization, and the password must not be a PAT or an OAT (refused before
 * anything is sent, so it costs no failed sign-in).
 */
export async function signIn(o: SignInOptions): Promise<HubClient> {
  registerSecret(o.password);
  if (tokenKind(o.password) !== 'other') throw signInRefusals.patAsPassword(o.username);
  const jwt = await openSession(o);
  return new HubClient(o, jwt);
}

async function openSession(o: SignInOptions): Promise<string> {
  const http = httpOptions(o, 'Docker Hub sign-in');
  const post = (path: string, body: unknown) =>
    request(new URL(path, o.hubUrl).toString(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, http);

  // REFERENCE 7: POST /v2/users/login {username, password} → {token}.
  const res = await post('/v2/users/login', { username: o.username, password: o.password });
  const body = await readJson(res);
  if (res.status === 200) return sessionToken(o, body, 'sign-in');
  const text = said(body);
  if (typeof body.login_2fa_token === 'string') registerSecret(body.login_2fa_token);
  if (res.status === 401 && typeof body.login_2fa_token === 'string' && TWO_FACTOR.test(text ?? '')) {
    if (!o.twoFactorCode) throw signInRefusals.noCode(o.username);
    const code = (await o.twoFactorCode()).trim();
    if (o.signal.aborted) throw cancelled();
    // REFERENCE 7: POST /v2/users/2fa-login {login_2fa_token, code} → {token}; a wrong code is a 401 (text unconfirmed).
    const second = await post('/v2/users/2fa-login', { login_2fa_token: body.login_2fa_token, code });
    const answer = await readJson(second);
    if (second.status === 200) return sessionToken(o, answer, 'two-factor sign-in');
    const text2 = said(answer);
    if (second.status === 401 || second.status === 400) throw signInRefusals.wrongCode(o.username);
    throw classify(o, second.status, text2, 'the two-factor sign-in');
  }
  throw classify(o, res.status, text, 'the sign-in');
}

/** A sign-in refusal's row. The lockout (429) is request()'s (REFERENCE 2, "Login lockout"). */
function classify(o: SignInOptions, status: number, text: string | undefined, what: string): CliError {
  if (text && SSO.test(text)) return signInRefusals.sso(o.username);
  if (text && ORG_ACCOUNT.test(text)) return signInRefusals.organization(o.username);
  if (text && PAT_SESSION.test(text)) return signInRefusals.patAsPassword(o.username);
  if ((status === 401 || status === 403) && text === undefined) {
    // A 401/403 without Docker Hub's JSON (a proxy's or firewall's page) says nothing about the password.
    return failure('hub-refused', `Something between here and ${hubHost(o.hubUrl)} refused ${what} (HTTP ${status}, not Docker Hub's own answer).`, 'Check your proxy or firewall (HTTPS_PROXY, NO_PROXY), then try again.');
  }
  if (status === 401) return signInRefusals.wrongPassword(o.username);
  return unexpectedAnswer(o.hubUrl, what, status, text);
}

function sessionToken(o: SignInOptions, body: Record<string, unknown>, what: string): string {
  const token = body.token;
  if (typeof token !== 'string' || !token) throw unexpectedAnswer(o.hubUrl, `the ${what} (no session token in the answer)`, 200);
  registerSecret(token);
  if (typeof body.refresh_token === 'string') registerSecret(body.refresh_token);
  o.log?.(`signed in to Docker Hub as ${printable(o.username)}`);
  return token;
}

function httpOptions(o: SignInOptions, what: string): HttpOptions {
  return { signal: o.signal, what, log: o.log, warn: o.warn, timeoutMs: o.timeoutMs, account: o.username, sleep: o.sleep };
}

type Json = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const nullableStr = (v: unknown) => (v === null ? null : str(v));

function patFrom(r: Json): HubToken {
  return {
    kind: 'pat',
    id: String(r.uuid ?? ''),
    label: String(r.token_label ?? ''),
    scopes: Array.isArray(r.scopes) ? r.scopes.map(String) : [],
    isActive: r.is_active !== false,
    createdAt: str(r.created_at),
    expiresAt: nullableStr(r.expires_at),
    lastUsed: nullableStr(r.last_used),
  };
}

function resourcesFrom(v: unknown): OatResource[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((x: Json) => ({ type: 'TYPE_REPO', path: String(x.path ?? ''), scopes: Array.isArray(x.scopes) ? x.scopes.map(String) : [] }));
}

function oatFrom(org: string, r: Json): HubToken {
  const resources = resourcesFrom(r.resources);
  return {
    kind: 'oat',
    id: String(r.id ?? ''),
    label: String(r.label ?? ''),
    scopes: resources ? [...new Set(resources.flatMap((x) => x.scopes))] : [],
    resources,
    isActive: r.is_active !== false,
    createdAt: str(r.created_at),
    expiresAt: nullableStr(r.expires_at),
    lastUsed: nullableStr(r.last_used_at),
    org,
  };
}

const ID = /^[A-Za-z0-9-]{1,64}$/;
const ORG = /^[a-z0-9][a-z0-9_-]{1,254}$/;

/** A signed-in session. Built by signIn(); holds the password only to sign in again after 10 minutes. */
export class HubClient implements HubTokenApi {
  readonly username: string;
  #jwt: string;
  readonly #o: SignInOptions;

  constructor(o: SignInOptions, jwt: string) {
    this.#o = o;
    this.#jwt = jwt;
    this.username = o.username;
  }

  /** The same session on another signal: the clean-up after a Ctrl-C must not be aborted by it. */
  withSignal(signal: AbortSignal): HubClient {
    return new HubClient({ ...this.#o, signal }, this.#jwt);
  }

  /** One call to a token route, signed in; a 401 (the session ended) signs in once more. */
  async #call(method: string, path: string, what: string, body?: unknown, retried = false): Promise<{ status: number; body: Json; text?: string }> {
    const url = new URL(path, this.#o.hubUrl).toString();
    const res = await request(
      url,
      {
        method,
        headers: { authorization: `Bearer ${this.#jwt}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      httpOptions(this.#o, 'the Docker Hub API'),
    );
    const answer = res.status === 204 ? {} : await readJson(res);
    const text = said(answer);
    if (res.status === 401 && !retried) {
      this.#o.log?.('the Docker Hub session ended; signing in again');
      this.#jwt = await openSession(this.#o);
      return this.#call(method, path, what, body, true);
    }
    if (res.status === 403 && text && PAT_SESSION.test(text)) throw signInRefusals.patAsPassword(this.username);
    if (res.status === 403 && text && SSO.test(text)) throw signInRefusals.sso(this.username);
    if (res.status === 401 || res.status === 403) {
      if (text === undefined) {
        throw failure('hub-refused', `Something between here and ${hubHost(this.#o.hubUrl)} refused ${what} (HTTP ${res.status}, not Docker Hub's own answer).`, 'Check your proxy or firewall (HTTPS_PROXY, NO_PROXY), then try again.');
      }
      throw failure(
        'token-management-refused',
        `Docker Hub refused ${what} for ${printable(this.username)} (HTTP ${res.status})${quote(text)}.`,
        path.startsWith('/v2/orgs/')
          ? 'Sign in as an owner of the organization (or a member whose role may manage organization access tokens): pass --owner.'
          : 'Sign in as the account that owns the token.',
      );
    }
    return { status: res.status, body: answer, text };
  }

  #path(owner: TokenOwner, id?: string): string {
    if (id !== undefined && !ID.test(id)) throw failure('hub-token-missing', `"${bounded(printable(id), 80)}" is not a Docker Hub token id.`, 'Run `npx dockerhub-credentials tokens` to list the ids.');
    if (owner.kind === 'oat' && !ORG.test(owner.org)) throw failure('invalid-username', `"${bounded(printable(owner.org), 80)}" is not an organization name.`, 'Pass --org with the organization\'s name.');
    const base = owner.kind === 'pat' ? '/v2/access-tokens' : `/v2/orgs/${owner.org}/access-tokens`;
    return id === undefined ? base : `${base}/${id}`;
  }

  #from(owner: TokenOwner, r: Json): HubToken {
    return owner.kind === 'pat' ? patFrom(r) : oatFrom(owner.org, r);
  }

  #created(owner: TokenOwner, r: Json): CreatedToken {
    const token = str(r.token);
    if (!token) throw unexpectedAnswer(this.#o.hubUrl, 'the token creation (no token value in the answer)', 201);
    registerSecret(token);
    return { ...this.#from(owner, r), token };
  }

  async createPat(t: NewPat): Promise<CreatedToken> {
    const label = checkLabel(t.label);
    for (const s of t.scopes) if (!(PAT_SCOPES as readonly string[]).includes(s)) throw failure('invalid-option', `"${printable(s)}" is not a Docker Hub PAT scope.`, `Use one of ${PAT_SCOPES.join(', ')}.`);
    // REFERENCE 7: POST /v2/access-tokens {token_label, scopes, expires_at?} → 201 with `token`.
    const r = await this.#call('POST', this.#path({ kind: 'pat' }), 'creating a personal access token', {
      token_label: label,
      scopes: t.scopes,
      ...(t.expiresAt ? { expires_at: t.expiresAt } : {}),
    });
    if (r.status !== 201 && r.status !== 200) throw unexpectedAnswer(this.#o.hubUrl, 'creating a personal access token', r.status, r.text);
    return this.#created({ kind: 'pat' }, r.body);
  }

  async createOat(org: string, t: NewOat): Promise<CreatedToken> {
    const owner: TokenOwner = { kind: 'oat', org };
    const label = checkLabel(t.label);
    if (!t.resources.length || t.resources.length > 50) {
      throw failure('invalid-option', `An organization access token lists 1 to 50 repositories; ${t.resources.length} were given.`, 'Pass --repository ORG/NAME once per repository (at most 50).');
    }
    // REFERENCE 7: POST /v2/orgs/{org}/access-tokens {label, description?, resources, expires_at?} → 201 with `token`.
    const r = await this.#call('POST', this.#path(owner), `creating an access token for ${org}`, {
      label,
      ...(t.description ? { description: t.description } : {}),
      resources: t.resources,
      ...(t.expiresAt ? { expires_at: t.expiresAt } : {}),
    });
    if (r.status === 201 || r.status === 200) return this.#created(owner, r.body);
    if (r.status >= 400 && r.status < 500) {
      // The cap's refusal text is unconfirmed (REFERENCE 7): its words, or a full list, say it is the cap.
      const listed = await this.listTokens(owner).catch(() => undefined);
      // Team allows 10, Business 100: a refusal without words, with 10 or more listed, is the cap.
      const inactive = listed?.filter((x) => !x.isActive).length ?? 0;
      if ((r.text && CAP.test(r.text)) || (listed && listed.length >= 10)) {
        throw failure(
          'oat-cap',
          `Docker Hub refused a new access token for ${org}: the organization is at its cap${listed ? ` (${listed.length} tokens, ${inactive} of them deactivated; deactivated and expired tokens count until deleted)` : ''}${quote(r.text)}.`,
          `Delete a token the organization no longer uses: npx dockerhub-credentials tokens --org ${org}, then retire --delete (or delete it in Docker Hub's Admin Console).`,
        );
      }
    }
    throw unexpectedAnswer(this.#o.hubUrl, `creating an access token for ${org}`, r.status, r.text);
  }

  async getToken(owner: TokenOwner, id: string): Promise<HubToken> {
    const r = await this.#call('GET', this.#path(owner, id), 'reading a token');
    if (r.status === 404) throw missing(owner, id);
    if (r.status !== 200) throw unexpectedAnswer(this.#o.hubUrl, 'reading a token', r.status, r.text);
    return this.#from(owner, r.body);
  }

  async listTokens(owner: TokenOwner): Promise<HubToken[]> {
    const out: HubToken[] = [];
    // Pages by number, never by the answer's `next` URL: the session JWT goes only to the Hub URL we were given.
    for (let page = 1; page <= MAX_PAGES; page++) {
      const r = await this.#call('GET', `${this.#path(owner)}?page=${page}&page_size=${PAGE_SIZE}`, 'listing tokens');
      if (r.status === 404 && page > 1) break;
      if (r.status !== 200) throw unexpectedAnswer(this.#o.hubUrl, 'listing tokens', r.status, r.text);
      const results = Array.isArray(r.body.results) ? (r.body.results as Json[]) : [];
      out.push(...results.map((x) => this.#from(owner, x)));
      if (!r.body.next || results.length === 0) return out;
    }
    this.#o.warn?.(`Docker Hub listed more than ${MAX_PAGES * PAGE_SIZE} tokens; only the first ${out.length} were read.`);
    return out;
  }

  async setActive(owner: TokenOwner, id: string, active: boolean): Promise<HubToken> {
    // REFERENCE 7: PATCH …/{id} {is_active}; then read back what Docker Hub holds.
    const r = await this.#call('PATCH', this.#path(owner, id), active ? 're-activating a token' : 'deactivating a token', { is_active: active });
    if (r.status === 404) throw missing(owner, id);
    if (r.status !== 200 && r.status !== 204) throw unexpectedAnswer(this.#o.hubUrl, active ? 're-activating a token' : 'deactivating a token', r.status, r.text);
    return this.getToken(owner, id);
  }

  async deleteToken(owner: TokenOwner, id: string): Promise<boolean> {
    // REFERENCE 7: DELETE is permanent; the spec answers 204, hub-tool's comment records 202.
    const r = await this.#call('DELETE', this.#path(owner, id), 'deleting a token');
    if (r.status !== 204 && r.status !== 202 && r.status !== 200 && r.status !== 404) throw unexpectedAnswer(this.#o.hubUrl, 'deleting a token', r.status, r.text);
    const after = await this.#call('GET', this.#path(owner, id), 'reading a deleted token');
    return after.status === 404;
  }
}

function missing(owner: TokenOwner, id: string): CliError {
  return failure(
    'hub-token-missing',
    `Docker Hub has no ${owner.kind === 'pat' ? 'personal access token' : `access token of ${owner.org}`} with id ${id}.`,
    `List the tokens with npx dockerhub-credentials tokens${owner.kind === 'oat' ? ` --org ${owner.org}` : ''}.`,
  );
}

/** REFERENCE 7: a label is 1 to 100 characters. */
export function checkLabel(label: string): string {
  const l = label.trim();
  if (l.length < 1 || l.length > 100) throw failure('invalid-option', `A token label is 1 to 100 characters; this one has ${l.length}.`, 'Pass a shorter --label.');
  return l;
}

/** The scopes an OAT needs for one repository: pull, and push when CI pushes. */
export const oatScopes = (push: boolean): OatScope[] => (push ? ['scope-image-pull', 'scope-image-push'] : ['scope-image-pull']);
