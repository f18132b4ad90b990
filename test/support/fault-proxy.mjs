// An HTTP proxy in front of moto that injects failures at a chosen API call,
// so tests can stop "AWS" between two steps without hooks in the product.
import { createServer, request } from 'node:http';

/**
 * rule: { target: 'UpdateSecretVersionStage', match?: (body) => boolean, mode: 'down' | 'once' | 'throttle', count?: number }
 *   down: from the matching call on, every connection is cut (the emulator stopped)
 *   once: only the matching call is cut
 *   throttle: the next `count` matching calls answer ThrottlingException, as AWS does
 *   answer: every matching call (or the next `count`) gets `answer` ({ status, headers, body }),
 *           for example one of AWS_ANSWERS below; `target: '*'` matches every call
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
      const hit = rule && (target === rule.target || rule.target === '*') && (!rule.match || rule.match(JSON.parse(body.toString() || '{}')));
      if (hit && rule.mode === 'answer') {
        if (rule.count !== undefined && --rule.count <= 0) state.rule = undefined;
        res.writeHead(rule.answer.status, rule.answer.headers);
        return res.end(rule.answer.body);
      }
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

const awsJson = (status, type, message, messageKey = 'message') => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '6d0f2b7c-0000-4000-8000-000000000000' },
  body: JSON.stringify({ __type: type, [messageKey]: message }),
});

/**
 * What AWS answers in the failures of REFERENCE section 3 ("Session failures
 * that do not say SSO", "LimitExceededException on a write"), as the awsJson1.1
 * protocol carries them: HTTP 400, the error name in `__type`. Common errors
 * (signing, tokens) use `message`; Secrets Manager's own modeled errors `Message`.
 */
export const AWS_ANSWERS = {
  // The access key id is unknown to AWS (deleted, mistyped, from another partition).
  unrecognizedClient: awsJson(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.'),
  // The secret access key does not belong to the access key id.
  invalidSignature: awsJson(
    400,
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ),
  // Session credentials (AWS_SESSION_TOKEN) past their expiry.
  expiredToken: awsJson(400, 'ExpiredTokenException', 'The security token included in the request is expired'),
  // The version quota on a write; the API reference's description of the error.
  limitExceeded: awsJson(400, 'LimitExceededException', 'The request failed because it would exceed one of the Secrets Manager quotas.', 'Message'),
  // Not Secrets Manager at all: a web server's or portal's 404 page, and a 200 HTML page.
  notFoundHtml: { status: 404, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>' },
  notFoundJson: { status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Not Found' }) },
  htmlPage: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Please sign in to continue.</body></html>' },
};
