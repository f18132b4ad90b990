// An HTTP proxy in front of moto that injects failures at a chosen API call,
// so tests can stop "AWS" between two steps without hooks in the product.
import { createServer, request } from 'node:http';

/**
 * rule: { target: 'UpdateSecretVersionStage', match?: (body) => boolean, skip?: number, count?: number, mode }
 *   Matching requests are the ones of `target` (the X-Amz-Target operation, or '*' for every call) for which `match` holds;
 *   the first `skip` of them pass, the next `count` (default 1) get the fault, the rest pass again.
 * modes:
 *   down:       from the matching call on, every connection is cut (the emulator stopped)
 *   once / cut: the connection is cut before the request reaches the emulator
 *   drop-after: the request reaches the emulator (a write goes through), then the connection is cut
 *               before the answer: the answer is lost
 *   hang:       the connection stays open and nothing is ever answered
 *   throttle:   ThrottlingException, as AWS answers it (HTTP 400, x-amzn-errortype)
 *   5xx:        HTTP 500 InternalServiceError, as AWS answers it
 *   hold:       the request waits until release(); `held` resolves when it arrives
 *   rewrite:    the emulator's JSON answer passes through `rule.rewrite(answer)` (for example to make a
 *               version look days old: moto stamps versions with its own clock)
 *   answer:     the call gets `rule.answer` ({ status, headers, body }), for example one of AWS_ANSWERS
 *               below; its `count` defaults to every matching call
 */
export async function startFaultProxy(upstream) {
  const state = { rule: undefined, down: false, seen: [], hits: 0, matched: 0 };
  const hung = new Set();
  let onHeld;
  let release;
  const forward = (req, res, body, after) => {
    const url = new URL(upstream);
    const fwd = request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (after === 'drop') {
        up.resume();
        up.on('end', () => req.socket.destroy());
        return;
      }
      if (typeof after === 'function') {
        const parts = [];
        up.on('data', (c) => parts.push(c));
        up.on('end', () => {
          let text = Buffer.concat(parts).toString();
          if (up.statusCode === 200) text = JSON.stringify(after(JSON.parse(text)));
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(text)) };
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(text);
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => req.socket.destroy());
    fwd.end(body);
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '').split('.').pop();
      state.seen.push(target);
      if (state.down) return req.socket.destroy();
      const rule = state.rule;
      let hit = false;
      if (rule && (target === rule.target || rule.target === '*') && (!rule.match || rule.match(JSON.parse(body.toString() || '{}')))) {
        state.matched++;
        hit = state.matched > (rule.skip ?? 0) && state.hits < (rule.count ?? (rule.mode === 'answer' ? Infinity : 1));
      }
      if (!hit) return forward(req, res, body);
      state.hits++;
      const mode = rule.mode;
      if (mode === 'answer') {
        res.writeHead(rule.answer.status, rule.answer.headers);
        return res.end(rule.answer.body);
      }
      if (mode === 'throttle') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
        return res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      }
      if (mode === '5xx') {
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'InternalServiceError' });
        return res.end(JSON.stringify({ __type: 'InternalServiceError', message: 'An error occurred on the server side.' }));
      }
      if (mode === 'drop-after') return forward(req, res, body, 'drop');
      if (mode === 'rewrite') return forward(req, res, body, rule.rewrite);
      if (mode === 'hang') {
        hung.add(req.socket);
        return;
      }
      if (mode === 'hold') {
        release = () => forward(req, res, body);
        onHeld?.();
        return;
      }
      if (mode === 'down') state.down = true;
      return req.socket.destroy();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    state,
    /** Sets the rule; for `hold`, returns a promise that resolves when the request is being held. */
    fail(rule) {
      state.rule = rule;
      state.hits = 0;
      state.matched = 0;
      return new Promise((r) => (onHeld = r));
    },
    /** Lets a held request through to the emulator. */
    release() {
      release?.();
      release = undefined;
    },
    restore() {
      state.rule = undefined;
      state.down = false;
    },
    stop: () =>
      new Promise((r) => {
        for (const s of hung) s.destroy();
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
