// The Docker Hub stand-in's token-management API (REFERENCE 7): password and
// two-factor sign-in, the PAT and OAT routes, last-used dates, deactivation,
// the OAT cap, the PAT-session refusal, SSO enforcement and the lockout.
// Every behaviour cites its REFERENCE 7 entry; where REFERENCE 7 says
// "unconfirmed", a switch (see `tokenSwitches`) answers each plausible way.
//
// Tokens created here join the stand-in's `accounts`, so the real docker CLI
// logs in with them at the registry; a deactivated one is refused there.
import { createHmac } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { makePat } from './hub-standin.mjs';

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
const jwt = (payload) => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(payload)}.c3RhbmQtaW4tc2lnbmF0dXJl`;

/**
 * The switches for what REFERENCE 7 leaves unconfirmed:
 *   wrongCode: 'generic' (401 Incorrect authentication credentials) | 'specific' (401 naming the code),
 *   patSession: 'issued' (#2438, #2478) | 'forbidden' (#2006, #2127): the 403's two wordings,
 *   sso: 'spec' (401, the spec's "password authentication type is not available") | 'sso' (403 naming single sign-on),
 *   capRefusal: 'words' (400 naming the limit) | 'bare' (400 without a reason),
 *   deleteStatus: 204 (the spec) | 202 (hub-tool's comment),
 *   sourceClaim: 'id' (`docker_pat|<uuid>`) | 'other' (`docker_pat|<another id>`) | 'object' ({type, id}) | 'none',
 *   deactivated: 'revoked' (refused like a revoked token) | 'distinct' (its own words).
 */
export const tokenSwitches = () => ({
  wrongCode: 'generic',
  patSession: 'issued',
  sso: 'spec',
  capRefusal: 'words',
  deleteStatus: 204,
  sourceClaim: 'id',
  deactivated: 'revoked',
});

const LEVEL_SCOPE = { admin: 'repo:admin', write: 'repo:write', read: 'repo:read', public_read: 'repo:public_read' };
const SCOPE_LEVEL = Object.fromEntries(Object.entries(LEVEL_SCOPE).map(([k, v]) => [v, k]));
const iso = (ms) => new Date(ms).toISOString();

/** The management fields of a PAT or OAT account, given lazily to the accounts a test seeded. */
export function tokenMeta(account) {
  account.hub ??= {
    id: randomUUID(),
    label: account.label ?? `seeded-${account.kind}`,
    created_at: iso(account.createdAt ?? Date.now() - 86_400_000),
    expires_at: account.expiresAt ?? null,
    last_used: null,
  };
  return account.hub;
}

const patView = (a) => {
  const m = tokenMeta(a);
  return {
    uuid: m.id,
    client_id: 'HUB',
    creator_ip: '127.0.0.1',
    creator_ua: 'stand-in',
    created_at: m.created_at,
    last_used: m.last_used,
    generated_by: 'manual',
    is_active: a.state !== 'deactivated',
    token: '',
    token_label: m.label,
    scopes: [LEVEL_SCOPE[a.level] ?? 'repo:read'],
    expires_at: m.expires_at,
  };
};

const resourcesOf = (a) =>
  Object.entries(a.grants ?? {}).map(([path, actions]) => ({ type: 'TYPE_REPO', path, scopes: actions.map((x) => (x === 'push' ? 'scope-image-push' : 'scope-image-pull')) }));

const oatView = (a, withResources) => {
  const m = tokenMeta(a);
  return {
    id: m.id,
    label: m.label,
    created_by: m.created_by ?? 'seeded',
    is_active: a.state !== 'deactivated',
    created_at: m.created_at,
    expires_at: m.expires_at,
    last_used_at: m.last_used,
    ...(withResources ? { resources: resourcesOf(a) } : {}),
  };
};

/**
 * Routes for `startHubStandin`: returns a handler `(req, res, url, input) => boolean` (true when it answered)
 * and hooks for the registry side (`onLogin`, `refusal`, `sourceOf`).
 * `users`: the password accounts are the stand-in's accounts of kind 'password'; each may carry
 *          `code` (its two-factor code; `twoFactor: true` turns it on) and `sso: true`.
 * `orgs`: [{ name, owners: [username], cap: 10 }].
 */
export function tokenRoutes({ accounts, switches, send, failed, locked, lockout, orgs = [] }) {
  /** session JWT -> { username, via: 'password' | 'pat' } */
  const sessions = new Map();
  /** login_2fa_token -> username */
  const pending = new Map();
  /** Every token value created here, for the tests' canary scan. */
  const created = [];

  const openSession = (username, via) => {
    const now = Math.floor(Date.now() / 1000);
    // REFERENCE 7: the JWT lives 10 minutes.
    const token = jwt({ sub: username, iat: now, exp: now + 600, 'https://hub.docker.com': { username, session_id: randomUUID() } });
    sessions.set(token, { username, via });
    return token;
  };

  const session = (req) => sessions.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]);
  const org = (name) => orgs.find((o) => o.name === name);

  /** REFERENCE 7 "Signing in with a password", "A JWT obtained with a PAT or an OAT is refused". */
  const refusePatSession = (res) =>
    switches.patSession === 'issued'
      ? send(res, 403, { detail: 'token issued from personal access token is not allowed', message: 'token issued from personal access token is not allowed' })
      : send(res, 403, { detail: 'access to the resource is forbidden with personal access token' });

  const login = (res, input) => {
    const username = String(input.username ?? '');
    // REFERENCE 7: failed sign-ins count toward the same lockout as failed docker logins (REFERENCE 2).
    if (locked(username)) return send(res, 429, { detail: lockout });
    if (org(username) || accounts.some((a) => a.kind === 'oat' && a.username === username)) {
      failed(username);
      // REFERENCE 7 (#2445).
      return send(res, 401, { detail: 'Cannot log into an organization account' });
    }
    const user = accounts.find((a) => a.kind === 'password' && a.username === username);
    // REFERENCE 7: the SSO refusal's text is unconfirmed; the spec's words, or one naming single sign-on.
    if (user?.sso) {
      return switches.sso === 'spec'
        ? send(res, 401, { detail: 'The password authentication type is not available for this account' })
        : send(res, 403, { detail: 'Single Sign-On is enforced for this account; sign in with SSO' });
    }
    if (user && user.secret === input.password) {
      if (user.twoFactor) {
        // REFERENCE 7: 401 {detail, login_2fa_token}.
        const t = `2fa-${randomUUID()}`;
        pending.set(t, username);
        return send(res, 401, { detail: 'Require secondary authentication on MFA enabled account', login_2fa_token: t });
      }
      return send(res, 200, { token: openSession(username, 'password') });
    }
    // Sessions opened with a PAT are accepted here and refused on the token routes (REFERENCE 7).
    const pat = accounts.find((a) => a.kind === 'pat' && a.username === username && a.secret === input.password && a.state === 'ok');
    if (pat) return send(res, 200, { token: openSession(username, 'pat') });
    failed(username);
    // REFERENCE 7: wrong password or unknown user.
    return send(res, 401, { detail: 'Incorrect authentication credentials' });
  };

  /**
   * REFERENCE 7: the six-digit code of the account's authenticator app. An account given a
   * `totpSeed` (base32) takes its RFC 6238 code of this 30-second step or the one either side
   * (authenticator apps drift; the exact window Docker Hub allows is not documented); one given
   * a fixed `code` takes that.
   */
  const codeAccepted = (user, code) => {
    if (user.totpSeed) return [-1, 0, 1].some((k) => rfc6238(user.totpSeed, Date.now() + k * 30_000) === code);
    return code === user.code;
  };

  const secondFactor = (res, input) => {
    const username = pending.get(String(input.login_2fa_token ?? ''));
    const user = accounts.find((a) => a.kind === 'password' && a.username === username);
    if (!user || !codeAccepted(user, String(input.code ?? ''))) {
      if (username) failed(username);
      // REFERENCE 7: a wrong code is a 401; its text is unconfirmed.
      return send(res, 401, { detail: switches.wrongCode === 'generic' ? 'Incorrect authentication credentials' : 'Invalid 2FA code' });
    }
    pending.delete(String(input.login_2fa_token));
    return send(res, 200, { token: openSession(username, 'password') });
  };

  const page = (url, items) => {
    const size = Math.max(1, Number(url.searchParams.get('page_size') ?? 10));
    const n = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const slice = items.slice((n - 1) * size, n * size);
    const next = n * size < items.length ? `${url.origin}${url.pathname}?page=${n + 1}&page_size=${size}` : null;
    const previous = n > 1 ? `${url.origin}${url.pathname}?page=${n - 1}&page_size=${size}` : null;
    return { slice, next, previous };
  };

  const pats = (username) => accounts.filter((a) => a.kind === 'pat' && a.username === username && a.state !== 'revoked');
  const oats = (name) => accounts.filter((a) => a.kind === 'oat' && a.username === name && a.state !== 'revoked');

  const handle = (req, res, url, input) => {
    if (url.pathname === '/v2/users/login' && req.method === 'POST') return login(res, input), true;
    if (url.pathname === '/v2/users/2fa-login' && req.method === 'POST') return secondFactor(res, input), true;

    const patRoute = /^\/v2\/access-tokens(?:\/([^/]+))?\/?$/.exec(url.pathname);
    const oatRoute = /^\/v2\/orgs\/([^/]+)\/access-tokens(?:\/([^/]+))?\/?$/.exec(url.pathname);
    if (!patRoute && !oatRoute) return false;
    const who = session(req);
    if (!who) return send(res, 401, { detail: 'Authentication credentials were not provided.' }), true;
    if (who.via !== 'password') return refusePatSession(res), true;

    if (patRoute) {
      const id = patRoute[1];
      const mine = pats(who.username);
      if (!id && req.method === 'GET') {
        const { slice, next, previous } = page(url, mine);
        // REFERENCE 7: {count, next, previous, active_count, results}.
        return send(res, 200, { count: mine.length, next, previous, active_count: mine.filter((a) => a.state !== 'deactivated').length, results: slice.map(patView) }), true;
      }
      if (!id && req.method === 'POST') {
        const scopes = Array.isArray(input.scopes) ? input.scopes : [];
        const label = String(input.token_label ?? '');
        if (!label || label.length > 100 || scopes.length !== 1 || !SCOPE_LEVEL[scopes[0]]) return send(res, 400, { detail: 'invalid token_label or scopes' }), true;
        const token = makePat('dckr_pat_');
        created.push(token);
        const account = { username: who.username, secret: token, kind: 'pat', level: SCOPE_LEVEL[scopes[0]], state: 'ok' };
        account.hub = { id: randomUUID(), label, created_at: iso(Date.now()), expires_at: input.expires_at ?? null, last_used: null };
        accounts.push(account);
        // REFERENCE 7: 201 with the value in `token`, only here.
        return send(res, 201, { ...patView(account), token }), true;
      }
      const account = mine.find((a) => tokenMeta(a).id === id);
      if (!account) return send(res, 404, { detail: 'Not found.' }), true;
      return tokenById(req, res, input, account, () => patView(account)), true;
    }

    const [, name, id] = oatRoute;
    const o = org(name);
    // REFERENCE 7: an organization owner (or a role that may manage OATs), signed in with a password.
    if (!o || !o.owners.includes(who.username)) return send(res, 403, { detail: 'You do not have permission to perform this action.' }), true;
    const theirs = oats(name);
    if (!id && req.method === 'GET') {
      const { slice, next, previous } = page(url, theirs);
      // REFERENCE 7: {total, next, previous, results} without resources.
      return send(res, 200, { total: theirs.length, next, previous, results: slice.map((a) => oatView(a, false)) }), true;
    }
    if (!id && req.method === 'POST') {
      // REFERENCE 7 "Limits": expired and deactivated tokens count until deleted; the cap's text is unconfirmed.
      if (theirs.length >= (o.cap ?? 10)) {
        return send(res, 400, switches.capRefusal === 'words' ? { detail: `maximum number of access tokens (${o.cap ?? 10}) reached for this organization` } : { detail: 'Bad request' }), true;
      }
      const resources = Array.isArray(input.resources) ? input.resources : [];
      if (!input.label || !resources.length || resources.length > 50) return send(res, 400, { detail: 'invalid label or resources' }), true;
      const grants = {};
      for (const r of resources) {
        grants[r.path] = (r.scopes ?? []).map((s) => (s === 'scope-image-push' ? 'push' : 'pull'));
      }
      const token = makePat('dckr_oat_');
      created.push(token);
      const account = { username: name, secret: token, kind: 'oat', state: 'ok', grants };
      account.hub = { id: randomUUID(), label: String(input.label), created_by: who.username, created_at: iso(Date.now()), expires_at: input.expires_at ?? null, last_used: null };
      accounts.push(account);
      // REFERENCE 7: 201 with id, label, is_active, expires_at, created_at, resources and `token`.
      return send(res, 201, { ...oatView(account, true), token }), true;
    }
    const account = theirs.find((a) => tokenMeta(a).id === id);
    if (!account) return send(res, 404, { detail: 'Not found.' }), true;
    return tokenById(req, res, input, account, () => oatView(account, true)), true;
  };

  /** GET, PATCH (label or is_active only; REFERENCE 7) and DELETE (permanent) on one token. */
  const tokenById = (req, res, input, account, view) => {
    if (req.method === 'GET') return send(res, 200, view());
    if (req.method === 'PATCH') {
      if (typeof input.token_label === 'string') tokenMeta(account).label = input.token_label;
      if (typeof input.label === 'string') tokenMeta(account).label = input.label;
      if (input.is_active === false && account.state === 'ok') account.state = 'deactivated';
      if (input.is_active === true && account.state === 'deactivated') account.state = 'ok';
      return send(res, 200, view());
    }
    if (req.method === 'DELETE') {
      accounts.splice(accounts.indexOf(account), 1);
      // REFERENCE 7: the spec answers 204; hub-tool's comment records 202.
      return send(res, switches.deleteStatus, switches.deleteStatus === 204 ? undefined : {});
    }
    return send(res, 405, { detail: 'Method not allowed' });
  };

  return {
    handle,
    created,
    sessions,
    /** REFERENCE 7: last-used dates move when a token logs in (the registry's token endpoint or /v2/auth/token). */
    onLogin: (account) => {
      if (account.kind === 'pat' || account.kind === 'oat') tokenMeta(account).last_used = iso(Date.now());
    },
    /** REFERENCE 7: "A deactivated PAT fails docker login like a revoked one. Whether it answers differently is unconfirmed." */
    deactivatedDetail: () => (switches.deactivated === 'revoked' ? 'incorrect username or password' : 'access token is deactivated'),
    /** REFERENCE 7 "Knowing which Hub token a secret holds": the `source` claim; whether its id is the API's id is unconfirmed. */
    sourceOf: (account) => {
      if (account.kind !== 'pat' && account.kind !== 'oat') return account.kind;
      const type = account.kind === 'pat' ? 'docker_pat' : 'docker_oat';
      const id = tokenMeta(account).id;
      switch (switches.sourceClaim) {
        case 'other':
          return `${type}|${id.split('').reverse().join('')}`;
        case 'object':
          return { type, id };
        case 'none':
          return undefined;
        default:
          return `${type}|${id}`;
      }
    },
  };
}

/** RFC 6238 (SHA-1, 30 s, 6 digits) from a base32 seed: the stand-in's own copy, apart from the product's. */
export function rfc6238(seed, at) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of seed.replace(/[\s=-]/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
