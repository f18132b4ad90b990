// A real forwarding HTTP proxy on 127.0.0.1, as corporate networks run them:
// absolute-URI requests (`GET http://host/path`, how clients send plain-HTTP
// requests through a proxy) and CONNECT tunnels (how they send HTTPS, and how
// some send everything). It logs every request it carries. Inside a tunnel to a
// plain-HTTP server (moto, the Docker Hub stand-in) it reads the requests
// themselves, so the log has every call, not just the tunnel; TLS inside a
// tunnel is passed through untouched and logged as one `tunnel` entry.
import { createServer, request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';

/**
 * @param {{ auth?: { username: string, password: string } }} [options]
 *   auth: require `Proxy-Authorization: Basic` with these credentials (else 407).
 */
export async function startForwardProxy(options = {}) {
  /** @type {{ mode: 'forward'|'connect'|'tunnel', method: string, url: string, target?: string, userAgent?: string, amzTarget?: string }[]} */
  const log = [];
  const refused = [];
  const sockets = new Set();
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` : undefined;
  const authorized = (headers) => !expected || headers['proxy-authorization'] === expected;

  /** Forwards one request to `origin` (http://host:port) and pipes the answer back. */
  const forward = (req, res, origin, path, mode) => {
    const target = new URL(origin);
    log.push({ mode, method: req.method, url: `${origin}${path}`, target: target.host, userAgent: req.headers['user-agent'], amzTarget: req.headers['x-amz-target'] });
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = httpRequest({ host: target.hostname, port: target.port || 80, method: req.method, path, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    req.pipe(up);
  };

  // Requests read from inside CONNECT tunnels to plain-HTTP servers.
  const inner = createServer((req, res) => forward(req, res, `http://${req.socket.tunnelTarget}`, req.url, 'connect'));

  const server = createServer((req, res) => {
    if (!authorized(req.headers)) {
      refused.push({ method: req.method, url: req.url });
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' });
      return res.end();
    }
    if (!/^http:\/\//.test(req.url ?? '')) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return res.end('a proxy expects an absolute URI');
    }
    const url = new URL(req.url);
    forward(req, res, url.origin, `${url.pathname}${url.search}`, 'forward');
  });

  server.on('connect', (req, client, head) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (!authorized(req.headers)) {
      refused.push({ method: 'CONNECT', url: req.url });
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = String(req.url).split(/:(?=\d+$)/);
    // Check the target answers before saying so, as real proxies do (502 otherwise).
    const probe = netConnect({ host, port: Number(port) }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head?.length) client.unshift(head);
      client.once('readable', () => {
        const first = client.read(1);
        if (!first) return client.destroy();
        client.unshift(first);
        if (first[0] === 0x16) {
          // TLS: pass the bytes through, as a proxy that does not inspect HTTPS does.
          log.push({ mode: 'tunnel', method: 'CONNECT', url: String(req.url), target: String(req.url) });
          client.pipe(probe).pipe(client);
          return;
        }
        probe.destroy();
        client.tunnelTarget = String(req.url);
        inner.emit('connection', client);
      });
    });
    probe.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    /** Requests answered 407 for missing or wrong credentials. */
    refused,
    clear() {
      log.length = 0;
      refused.length = 0;
    },
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
