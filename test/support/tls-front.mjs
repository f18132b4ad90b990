// HTTPS in front of a plain-HTTP stand-in, with a throwaway certificate for
// 127.0.0.1 made by openssl, so that tests can send real https:// requests (and
// so CONNECT tunnels through a proxy, as requests to the real Docker Hub and AWS
// go). Clients trust it through NODE_EXTRA_CA_CERTS=<caFile>.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';

export async function startTlsFront(upstream) {
  const dir = mkdtempSync(join(tmpdir(), 'dhc-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const target = new URL(upstream);
  const sockets = new Set();
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (tlsSocket) => {
    const up = connect({ host: target.hostname, port: Number(target.port) });
    for (const s of [tlsSocket, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    tlsSocket.pipe(up).pipe(tlsSocket);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `https://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    caFile: cert,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          r();
        });
      }),
  };
}
