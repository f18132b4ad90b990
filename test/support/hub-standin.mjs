// A Docker Hub stand-in on 127.0.0.1 that speaks the protocol in REFERENCE
// section 4: the registry's Bearer challenge and token endpoint, manifests with
// pull rate-limit headers, and the Hub API's POST /v2/auth/token. The real
// docker CLI logs in against it over plain HTTP.
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { randomUUID } from 'node:crypto';

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
const jwt = (payload) => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(payload)}.c3RhbmQtaW4tc2lnbmF0dXJl`;

/**
 * An account: { username, secret, kind: 'pat'|'password', level: 'read'|'write'|'admin'|'public_read',
 *               state: 'ok'|'revoked'|'expired' }
 * Switches: insufficientScopes: '401' (Docker Hub today) | '200' (the spec's intersection),
 *           rateLimit: { count, retryAfter } answers the next `count` requests with 429,
 *           delayMs: every answer waits this long first.
 */
export async function startHubStandin(options = {}) {
  const accounts = [...(options.accounts ?? [])];
  const switches = { insufficientScopes: '401', rateLimit: { count: 0, retryAfter: 1 }, delayMs: 0, ...options.switches };
  /** What clients asked, without credentials. */
  const requests = [];
  const issued = new Map(); // bearer token -> account

  const find = (username, secret) => accounts.find((a) => a.secret === secret && (username === undefined || a.username === username));
  const canPush = (a) => a.kind === 'password' || a.level === 'write' || a.level === 'admin';
  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    let body = '';
    for await (const chunk of req) body += chunk;
    requests.push({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k).join(' ')])),
      userAgent: req.headers['user-agent'] ?? '',
      at: Date.now(),
    });
    if (switches.delayMs) await new Promise((r) => setTimeout(r, switches.delayMs));
    if (switches.rateLimit.count > 0) {
      switches.rateLimit.count--;
      return send(res, 429, { detail: 'too many requests' }, { 'retry-after': String(switches.rateLimit.retryAfter) });
    }
    const base = `http://${req.headers.host}`;

    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (bearer && issued.has(bearer)) return send(res, 200, {});
      return send(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] },
        { 'www-authenticate': `Bearer realm="${base}/token",service="registry.standin.test"`, 'docker-distribution-api-version': 'registry/2.0' },
      );
    }

    if (url.pathname === '/token') {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!basic) return send(res, 401, { details: 'incorrect username or password' });
      const decoded = Buffer.from(basic, 'base64').toString();
      const i = decoded.indexOf(':');
      const account = find(decoded.slice(0, i), decoded.slice(i + 1));
      if (!account || account.state === 'revoked') return send(res, 401, { details: 'incorrect username or password' });
      if (account.state === 'expired') return send(res, 401, { details: 'personal access token is expired' });
      const access = [];
      for (const scope of url.searchParams.getAll('scope')) {
        const [type, name, actions] = scope.split(':');
        const wanted = (actions ?? '').split(',').filter(Boolean);
        const held = ['pull', ...(canPush(account) && name.startsWith(`${account.username}/`) ? ['push'] : [])];
        if (wanted.includes('push') && !held.includes('push') && switches.insufficientScopes === '401') {
          return send(res, 401, { details: 'access token has insufficient scopes' });
        }
        access.push({ type, name, actions: wanted.filter((a) => held.includes(a)) });
      }
      const now = Math.floor(Date.now() / 1000);
      const token = jwt({ iss: 'auth.standin.test', aud: 'registry.standin.test', sub: account.username, iat: now, nbf: now, exp: now + 300, jti: randomUUID(), access });
      issued.set(token, account);
      const answer = { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() };
      if (url.searchParams.get('offline_token') === 'true') answer.refresh_token = randomUUID();
      return send(res, 200, answer);
    }

    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (manifest && (req.method === 'HEAD' || req.method === 'GET')) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !issued.has(bearer)) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
      return send(res, 200, undefined, {
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '99;w=21600',
        'docker-ratelimit-source': '127.0.0.1',
      });
    }

    if (url.pathname === '/v2/auth/token' && req.method === 'POST') {
      let input = {};
      try {
        input = JSON.parse(body);
      } catch {}
      const reset = String(Math.floor(Date.now() / 1000) + 60);
      const limits = { 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '179', 'x-ratelimit-reset': reset };
      // Reported behaviour: a valid PAT is accepted with any identifier.
      const account = accounts.find((a) => a.secret === input.secret && (a.kind === 'pat' || a.username === input.identifier));
      if (!account || account.state === 'revoked') return send(res, 401, { detail: 'Incorrect authentication credentials' }, limits);
      if (account.state === 'expired') return send(res, 401, { detail: 'personal access token is expired' }, limits);
      const now = Math.floor(Date.now() / 1000);
      const scope = account.kind === 'password' ? 'repo:admin' : `repo:${account.level}`;
      return send(
        res,
        200,
        {
          access_token: jwt({
            scope,
            iat: now,
            exp: now + 600,
            'https://hub.docker.com': { username: account.username, email: `${account.username}@example.test`, uuid: randomUUID(), roles: [], session_id: randomUUID(), source: account.kind },
          }),
        },
        limits,
      );
    }
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
      if (first[0] === 0x16) return socket.destroy();
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
