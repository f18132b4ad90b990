// Only Docker Hub's own answers about the credentials blame the token (REFERENCE 2):
// docker's local trouble, certificates and a proxy's pages are something else.
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { dockerLoginFailure } from '../../src/docker/login.js';
import { hubIdentity } from '../../src/hub/api.js';

describe('docker login output', () => {
  const cases: [string, string, number][] = [
    ['Error response from daemon: Get "https://registry-1.docker.io/v2/": unauthorized: incorrect username or password', 'credentials-rejected', 3],
    ['unauthorized: personal access token is expired', 'token-expired', 3],
    ['Get "https://registry-1.docker.io/v2/": x509: certificate has expired or is not yet valid', 'tls', 5],
    ['x509: certificate signed by unknown authority', 'tls', 5],
    ['Error saving credentials: error storing credentials - err: exec: "docker-credential-desktop": executable file not found in $PATH', 'docker-login-failed', 5],
    ['Get "https://registry-1.docker.io/v2/": context deadline exceeded', 'network', 5],
    ['received unexpected HTTP status: 503 Service Unavailable', 'network', 5],
  ];
  for (const [output, code, exit] of cases) {
    it(`${code} (${exit}) for: ${output.slice(0, 60)}`, () => {
      const e = dockerLoginFailure('alice1', output, undefined);
      expect(e.code).toBe(code);
      expect(e.exitCode).toBe(exit);
      if (exit !== 3) expect(`${e.message} ${e.hint}`).not.toMatch(/create a new|new personal access token|rotate/i);
    });
  }
});

describe('the Hub API behind a proxy or firewall', () => {
  it("a 403 page that is not Docker Hub's JSON is not about the token", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'text/html' });
      res.end('<html><body>Blocked by corporate policy</body></html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    try {
      const e = await hubIdentity(url, { username: 'alice1', token: 'dckr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx' }, { signal: new AbortController().signal, what: 'the Docker Hub API' }).catch((x) => x);
      expect(e.code).toBe('hub-refused');
      expect(e.exitCode).toBe(5);
    } finally {
      server.close();
    }
  });
});
