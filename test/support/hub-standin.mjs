// A Docker Hub stand-in on 127.0.0.1 that speaks the protocol in REFERENCE
// section 2 (as section 4 asks): the registry's challenge and token endpoint,
// manifests with pull rate-limit headers, and the Hub API's POST /v2/auth/token,
// with the answers the real Hub gives that the token spec does not predict
// (lockout, 2FA passwords, foreign namespaces, organization access tokens).
// Every behaviour cites its REFERENCE entry. The real docker CLI logs in against
// it over plain HTTP.
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { tokenRoutes, tokenSwitches } from './hub-standin-tokens.mjs';

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
const jwt = (payload) => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(payload)}.c3RhbmQtaW4tc2lnbmF0dXJl`;

/**
 * An account: { username, secret, kind: 'pat'|'password'|'oat', level: 'read'|'write'|'admin'|'public_read',
 *               state: 'ok'|'revoked'|'expired', twoFactor?: boolean (passwords),
 *               namespaces?: string[] (other namespaces the user may push to, e.g. an organization it is a member of),
 *               grants?: { 'org/repo': ['pull', 'push'] } (OATs: the repositories the token lists) }
 * For an OAT, `username` is the organization (REFERENCE 2, "Organization access tokens (OAT)").
 * Token management (REFERENCE 7, test/support/hub-standin-tokens.mjs): a 'password' account may carry
 *   `code` (its two-factor code, with `twoFactor: true`) and `sso: true`; a PAT or OAT account may carry
 *   `label`, `createdAt` and `expiresAt`. `options.orgs`: [{ name, owners: [username], cap }].
 * Switches: insufficientScopes: '401' (Docker Hub today) | '200' (the spec's intersection),
 *           identifier: 'strict' (a PAT is accepted only under its own username, as the API reference says)
 *                     | 'any' (a PAT is accepted under any identifier and the claim names the owner),
 *           lockoutAfter: failed logins per username before every login for it answers 429 (0: never),
 *           challenge: 'bearer' (Docker Hub) | 'basic+bearer' (one header) | 'split' (two headers) | 'basic',
 *           tokenFields: 'both' | 'token' | 'access_token' | 'distinct' (token and access_token differ),
 *           refreshToken: false (default) | true, a refresh_token when offline_token=true,
 *           rateLimit: { count, retryAfter, path? } answers the next `count` requests (to `path`) with 429,
 *           delayMs: every answer waits this long first,
 *           hubApiExpired: 'specific' (the registry's words) | 'generic' (Incorrect authentication credentials):
 *                  what POST /v2/auth/token answers for an expired PAT or OAT,
 *           realm: undefined (the stand-in's own /token) | a URL the Bearer challenge names as its realm instead
 *                  (REFERENCE 2: the client calls whatever realm the registry announces),
 *           tlsHello: 'close' (drop a TLS ClientHello at once; docker login then falls back to HTTP quickly)
 *                   | 'http400' (answer it in plain HTTP, as Go's net/http server does on a plain-HTTP port;
 *                     `docker manifest inspect --insecure` falls back to HTTP only on that answer).
 */
export const defaultSwitches = () => ({
  insufficientScopes: '401',
  identifier: 'strict',
  lockoutAfter: 0,
  challenge: 'bearer',
  tokenFields: 'both',
  refreshToken: false,
  rateLimit: { count: 0, retryAfter: 1 },
  delayMs: 0,
  hubApiExpired: 'specific',
  tlsHello: 'close',
  realm: undefined,
  // The token-management API's unconfirmed answers (REFERENCE 7): see hub-standin-tokens.mjs.
  ...tokenSwitches(),
});

/** The one image the registry holds: its config blob (OCI image config) and digest. */
const IMAGE_CONFIG = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} });
const IMAGE_CONFIG_DIGEST = `sha256:${createHash('sha256').update(IMAGE_CONFIG).digest('hex')}`;

// REFERENCE 2, "Answers the real Hub gives": the lockout text, as docker prints it after "toomanyrequests: ".
const LOCKOUT = 'too many failed login attempts for username or IP address';

export async function startHubStandin(options = {}) {
  const accounts = [...(options.accounts ?? [])];
  const switches = { ...defaultSwitches(), ...options.switches };
  /** What clients asked, without credentials. */
  const requests = [];
  const issued = new Map(); // bearer token -> account
  /** Failed logins per username, for the lockout (REFERENCE 2, "Login lockout"). */
  const failures = new Map();

  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const locked = (username) => switches.lockoutAfter > 0 && (failures.get(username) ?? 0) >= switches.lockoutAfter;
  const failed = (username) => failures.set(username, (failures.get(username) ?? 0) + 1);
  // REFERENCE 7: the token-management API (sign-in, PAT and OAT routes), on the same accounts and lockout.
  /** Organizations for the token-management API: [{ name, owners: [username], cap }] (REFERENCE 7). */
  const orgs = [...(options.orgs ?? [])];
  const tokens = tokenRoutes({ accounts, switches, send, failed, locked, lockout: LOCKOUT, orgs });

  /**
   * A login with username and secret, as both endpoints check it. Returns the account, or the refusal:
   * 429 lockout, then the 2FA password answer, then expired and wrong/revoked (REFERENCE 2).
   */
  const authenticate = (username, secret, { anyIdentifier }) => {
    if (locked(username)) return { status: 429, detail: LOCKOUT };
    const bySecret = accounts.find((a) => a.secret === secret);
    const matches = bySecret && (bySecret.username === username || (anyIdentifier && bySecret.kind === 'pat'));
    if (!matches || bySecret.state === 'revoked') {
      failed(username);
      return { status: 401, detail: 'incorrect username or password' };
    }
    // REFERENCE 7: a deactivated token fails docker login like a revoked one (whether it answers differently is unconfirmed).
    if (bySecret.state === 'deactivated') {
      failed(username);
      return { status: 401, detail: tokens.deactivatedDetail() };
    }
    // REFERENCE 2, "Account password with two-factor authentication".
    if (bySecret.kind === 'password' && bySecret.twoFactor) {
      failed(username);
      return { status: 401, detail: 'please use personal access token to login' };
    }
    // REFERENCE 2: "An expired PAT has been seen as `personal access token is expired`"; OAT: "org access token is expired".
    if (bySecret.state === 'expired') {
      return { status: 401, detail: bySecret.kind === 'oat' ? 'org access token is expired' : 'personal access token is expired' };
    }
    tokens.onLogin(bySecret);
    return { account: bySecret };
  };

  /** Actions the account holds on a repository (REFERENCE 2 "Tokens and usernames", "OAT", "No permission on a namespace"). */
  const held = (account, name) => {
    if (account.kind === 'oat') return account.grants?.[name] ?? [];
    const namespace = name.split('/')[0];
    const writesNamespace = namespace === account.username || (account.namespaces ?? []).includes(namespace);
    const levelPushes = account.kind === 'password' || account.level === 'write' || account.level === 'admin';
    return ['pull', ...(levelPushes && writesNamespace ? ['push'] : [])];
  };
  /** Whether the token's own access level (PAT) or list (OAT) lacks push, as opposed to the namespace. */
  const levelLacksPush = (account, name) =>
    account.kind === 'oat' ? !(account.grants?.[name] ?? []).includes('push') : account.kind === 'pat' && (account.level === 'read' || account.level === 'public_read');

  const challenges = (base) => {
    // REFERENCE 2 "Registry token authentication" (Docker Hub: one Bearer challenge) and "Challenges"
    // (several challenges, Basic and Bearer, in one or several headers).
    const bearer = `Bearer realm="${switches.realm ?? `${base}/token`}",service="registry.standin.test"`;
    const basic = 'Basic realm="registry.standin.test"';
    switch (switches.challenge) {
      case 'basic+bearer':
        return `${basic}, ${bearer}`;
      case 'split':
        return [basic, bearer];
      case 'basic':
        return basic;
      default:
        return bearer;
    }
  };
  const basicCredentials = (header) => {
    const basic = /^Basic (.+)$/.exec(header ?? '')?.[1];
    if (!basic) return undefined;
    const decoded = Buffer.from(basic, 'base64').toString();
    const i = decoded.indexOf(':');
    return { username: decoded.slice(0, i), secret: decoded.slice(i + 1) };
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    let body = '';
    for await (const chunk of req) body += chunk;
    let input = {};
    try {
      input = JSON.parse(body || '{}') ?? {};
    } catch {}
    requests.push({
      /** The Hub API's identifier (never the secret). */
      identifier: typeof input.identifier === 'string' ? input.identifier : undefined,
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k).join(' ')])),
      userAgent: req.headers['user-agent'] ?? '',
      /** The username of a Basic Authorization header (never the secret): who the client authenticated as. */
      basicUser: basicCredentials(req.headers.authorization)?.username,
      at: Date.now(),
    });
    if (switches.delayMs) await new Promise((r) => setTimeout(r, switches.delayMs));
    if (switches.rateLimit.count > 0 && (!switches.rateLimit.path || switches.rateLimit.path === url.pathname)) {
      // REFERENCE 2 "Hub API": over the limit, 429 with Retry-After in seconds.
      switches.rateLimit.count--;
      return send(res, 429, { detail: 'too many requests' }, { 'retry-after': String(switches.rateLimit.retryAfter) });
    }
    const base = `http://${req.headers.host}`;

    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (bearer && issued.has(bearer)) return send(res, 200, {});
      // A registry that challenges with Basic (REFERENCE 2, "Challenges") accepts it at /v2/; docker sends it then.
      const basic = switches.challenge !== 'bearer' ? basicCredentials(req.headers.authorization) : undefined;
      if (basic) {
        const login = authenticate(basic.username, basic.secret, { anyIdentifier: false });
        if (login.account) return send(res, 200, {});
        return send(res, login.status, { errors: [{ code: login.status === 429 ? 'TOOMANYREQUESTS' : 'UNAUTHORIZED', message: login.detail }] });
      }
      return send(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] },
        { 'www-authenticate': challenges(base), 'docker-distribution-api-version': 'registry/2.0' },
      );
    }

    if (url.pathname === '/token') {
      const creds = basicCredentials(req.headers.authorization);
      if (!creds) return send(res, 401, { details: 'incorrect username or password' });
      // REFERENCE 2: the registry's token endpoint checks user and token together.
      const login = authenticate(creds.username, creds.secret, { anyIdentifier: false });
      if (!login.account) return send(res, login.status, { details: login.detail });
      const account = login.account;
      const access = [];
      for (const scope of url.searchParams.getAll('scope')) {
        const [type, name, actions] = scope.split(':');
        const wanted = (actions ?? '').split(',').filter(Boolean);
        const has = held(account, name);
        // REFERENCE 2: a token whose access level lacks push gets 401 "insufficient scopes" from Hub today
        // (or the spec's intersection); a Read & Write token on a foreign namespace gets a 200 without push.
        if (wanted.includes('push') && !has.includes('push') && levelLacksPush(account, name) && switches.insufficientScopes === '401') {
          return send(res, 401, { details: 'access token has insufficient scopes' });
        }
        access.push({ type, name, actions: wanted.filter((a) => has.includes(a)) });
      }
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: 'auth.standin.test', aud: 'registry.standin.test', sub: account.username, iat: now, nbf: now, exp: now + 300 };
      const token = jwt({ ...claims, jti: randomUUID(), access });
      issued.set(token, account);
      // REFERENCE 2: `{"token": J, "access_token": J, "expires_in": 300, "issued_at"}`; docker prefers access_token.
      const answer = { expires_in: 300, issued_at: new Date().toISOString() };
      if (switches.tokenFields === 'both') Object.assign(answer, { token, access_token: token });
      else if (switches.tokenFields === 'token') answer.token = token;
      else if (switches.tokenFields === 'access_token') answer.access_token = token;
      else Object.assign(answer, { token: jwt({ ...claims, jti: randomUUID(), access: [] }), access_token: token });
      // REFERENCE 2 "refresh_token": unconfirmed that Hub issues one, so only behind a switch.
      if (switches.refreshToken && url.searchParams.get('offline_token') === 'true') answer.refresh_token = randomUUID();
      return send(res, 200, answer);
    }

    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (manifest && (req.method === 'HEAD' || req.method === 'GET')) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !issued.has(bearer)) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
      // REFERENCE 2 "Pull rate limit".
      const limits = {
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '99;w=21600',
        'docker-ratelimit-source': '127.0.0.1',
      };
      if (req.method === 'HEAD') return send(res, 200, undefined, limits);
      // A GET answers an OCI image manifest (as registry-1.docker.io serves), with its
      // digest, so `docker manifest inspect` can read it after the token exchange of REFERENCE 2
      // ("Registry token authentication": the client retries with Authorization: Bearer J).
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: Buffer.byteLength(IMAGE_CONFIG), digest: IMAGE_CONFIG_DIGEST },
        layers: [],
      });
      res.writeHead(200, {
        ...limits,
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'docker-content-digest': `sha256:${createHash('sha256').update(body).digest('hex')}`,
        'content-length': Buffer.byteLength(body),
      });
      return res.end(body);
    }

    // The image's config blob, which `docker manifest inspect` reads for the platform.
    const blob = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(url.pathname);
    if (blob && (req.method === 'GET' || req.method === 'HEAD')) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !issued.has(bearer)) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
      if (blob[2] !== IMAGE_CONFIG_DIGEST) return send(res, 404, { errors: [{ code: 'BLOB_UNKNOWN' }] });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'docker-content-digest': IMAGE_CONFIG_DIGEST, 'content-length': Buffer.byteLength(IMAGE_CONFIG) });
      return res.end(req.method === 'HEAD' ? undefined : IMAGE_CONFIG);
    }

    if (url.pathname === '/v2/auth/token' && req.method === 'POST') {
      // REFERENCE 2 "Hub API": X-RateLimit-* headers.
      const reset = String(Math.floor(Date.now() / 1000) + 60);
      const limits = { 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '179', 'x-ratelimit-reset': reset };
      // REFERENCE 2 "The /v2/auth/token identifier": the username (PAT, password) or the organization (OAT);
      // whether a PAT is accepted under another identifier is unconfirmed, so both behaviours are switchable.
      const login = authenticate(String(input.identifier ?? ''), input.secret, { anyIdentifier: switches.identifier === 'any' });
      if (!login.account) {
        // The Hub API's wording for bad credentials (REFERENCE 2, "Hub API", as for /v2/users/login).
        // An expired token (REFERENCE 2): the registry's token endpoint says `personal access token is expired`
        // (`org access token is expired` for an OAT); what the Hub API says is unconfirmed, so both: the same
        // words ('specific'), or its generic 401 for bad credentials ('generic').
        const expired = / access token is expired$/.test(login.detail ?? '');
        const generic = login.detail === 'incorrect username or password' || (expired && switches.hubApiExpired === 'generic');
        const detail = login.status === 401 && generic ? 'Incorrect authentication credentials' : login.detail;
        return send(res, login.status, { detail }, limits);
      }
      const account = login.account;
      const now = Math.floor(Date.now() / 1000);
      // REFERENCE 2 "Hub API": `scope` and the "https://hub.docker.com" claim; every field optional. An OAT's
      // claim names its organization; its scopes are per repository, so it carries no access level here.
      const scope = account.kind === 'password' ? 'repo:admin' : account.kind === 'oat' ? undefined : `repo:${account.level}`;
      return send(
        res,
        200,
        {
          access_token: jwt({
            ...(scope ? { scope } : {}),
            iat: now,
            exp: now + 600,
            'https://hub.docker.com': { username: account.username, email: `${account.username}@example.test`, uuid: randomUUID(), roles: [], session_id: randomUUID(), source: tokens.sourceOf(account) },
          }),
        },
        limits,
      );
    }
    if (tokens.handle(req, res, url, input)) return;
    return send(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
  });
  // docker tries HTTPS first: answer a TLS ClientHello (first byte 0x16) by
  // closing the connection at once, so docker falls back to plain HTTP quickly.
  const sockets = new Set();
  const front = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('readable', () => {
      const first = socket.read(1);
      if (!first) return socket.destroy();
      if (first[0] === 0x16) {
        if (switches.tlsHello !== 'http400') return socket.destroy();
        return socket.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
      }
      socket.unshift(first);
      server.emit('connection', socket);
    });
  });
  await new Promise((r) => front.listen(0, '127.0.0.1', r));
  const { port } = front.address();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    requests,
    accounts,
    switches,
    failures,
    /** The token-management API's state: `created` lists every token value it made (for canary scans). */
    tokens,
    orgs,
    /** Back to Docker Hub's defaults, no lockouts: for a beforeEach. */
    reset: () => {
      Object.assign(switches, defaultSwitches());
      failures.clear();
    },
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        front.close(() => r());
      }),
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A PAT-shaped token: dckr_pat_ and 27 random characters (36 in all). */
export function makePat(prefix = 'dckr_pat_') {
  let s = '';
  for (let i = 0; i < 27; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return prefix + s;
}
