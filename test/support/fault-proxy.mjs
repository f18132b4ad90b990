// An HTTP proxy in front of moto that injects failures at a chosen API call,
// so tests can stop "AWS" between two steps without hooks in the product.
import { createServer, request } from 'node:http';

/**
 * rule: { target: 'UpdateSecretVersionStage', match?: (body) => boolean, mode: 'down' | 'once' | 'throttle', count?: number }
 *   down: from the matching call on, every connection is cut (the emulator stopped)
 *   once: only the matching call is cut
 *   throttle: the next `count` matching calls answer ThrottlingException, as AWS does
 */
export async function startFaultProxy(upstream) {
  const state = { rule: undefined, down: false, seen: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '').split('.').pop();
      state.seen.push(target);
      const rule = state.rule;
      const hit = rule && target === rule.target && (!rule.match || rule.match(JSON.parse(body.toString() || '{}')));
      if (hit && rule.mode === 'throttle') {
        if (--rule.count <= 0) state.rule = undefined;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
        return res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      }
      if (hit) {
        if (rule.mode === 'down') state.down = true;
        state.rule = rule.mode === 'once' ? undefined : rule;
        return req.socket.destroy();
      }
      if (state.down) return req.socket.destroy();
      const url = new URL(upstream);
      const fwd = request(
        { host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      fwd.on('error', () => req.socket.destroy());
      fwd.end(body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    state,
    fail(rule) {
      state.rule = rule;
    },
    restore() {
      state.rule = undefined;
      state.down = false;
    },
    stop: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
