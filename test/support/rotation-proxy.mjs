// A proxy in front of moto that models the start of a rotation, as AWS does it
// (REFERENCE 10, "The event and its guard" and "What the secret shows"): moto's
// RotateSecret cannot run a Lambda function here (it needs docker), and without
// one it copies the current value into a new AWSCURRENT version. AWS instead labels
// the request token's version AWSPENDING, with no value yet, sets RotationEnabled,
// the function's ARN and the schedule, and invokes the function's four steps.
// This proxy answers RotateSecret itself and shows that pending version and the
// rotation fields in DescribeSecret and ListSecrets until moto holds the version
// (the function's PutSecretValue). A move of AWSCURRENT onto it sets
// LastRotatedDate and the next date. It also counts every call by its operation
// (the `status` test counts GetSecretValue at moto's door).
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const DAY = 86_400;

/** `rate(N days)` or AutomaticallyAfterDays as seconds; cron(...) as one day (only the next date depends on it). */
function periodSeconds(rules) {
  if (rules?.AutomaticallyAfterDays) return rules.AutomaticallyAfterDays * DAY;
  const m = /^rate\((\d+) days?\)$/.exec(rules?.ScheduleExpression ?? '');
  if (m) return Number(m[1]) * DAY;
  const h = /^rate\((\d+) hours?\)$/.exec(rules?.ScheduleExpression ?? '');
  return h ? Number(h[1]) * 3600 : DAY;
}

export async function startRotationProxy(upstream) {
  /** name and ARN -> { arn, name, lambdaArn, rules, pending, lastRotated, next } */
  const rotations = new Map();
  /** @type {Record<string, number>} */
  const counts = {};
  const invocations = [];
  const now = () => Math.floor(Date.now() / 1000);

  const call = async (target, input, headers) => {
    const res = await fetch(upstream, {
      method: 'POST',
      headers: { ...headers, 'x-amz-target': `secretsmanager.${target}` },
      body: JSON.stringify(input),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, text, json };
  };
  const stateOf = (secretId) => rotations.get(secretId);

  const decorate = (entry, stagesKey) => {
    const r = rotations.get(entry.ARN) ?? rotations.get(entry.Name);
    if (!r) return entry;
    const out = { ...entry, RotationEnabled: true, RotationLambdaARN: r.lambdaArn, RotationRules: r.rules };
    if (r.next) out.NextRotationDate = r.next;
    if (r.lastRotated) out.LastRotatedDate = r.lastRotated;
    if (r.pending && !(r.pending in (entry[stagesKey] ?? {}))) out[stagesKey] = { ...(entry[stagesKey] ?? {}), [r.pending]: ['AWSPENDING'] };
    else if (r.pending) r.pending = undefined; // moto holds the version now: its stages are the truth.
    return out;
  };

  const awsError = (res, type, message, status = 400) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ __type: type, Message: message }));
  };
  const answer = (res, up, body) => {
    const text = body === undefined ? up.text : JSON.stringify(body);
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const body = Buffer.concat(chunks).toString();
        const target = String(req.headers['x-amz-target'] ?? '').split('.').pop();
        counts[target] = (counts[target] ?? 0) + 1;
        const input = body ? JSON.parse(body) : {};
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)));

        if (target === 'RotateSecret') {
          const described = await call('DescribeSecret', { SecretId: input.SecretId }, headers);
          if (described.status !== 200) return answer(res, described);
          const d = described.json;
          const known = stateOf(d.ARN);
          const lambdaArn = input.RotationLambdaARN ?? known?.lambdaArn;
          // AWS needs a rotation function for a secret it does not manage itself.
          if (!lambdaArn) return awsError(res, 'InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.');
          const stages = decorate(d, 'VersionIdsToStages').VersionIdsToStages ?? {};
          const stray = Object.entries(stages).find(([, s]) => s.includes('AWSPENDING') && !s.includes('AWSCURRENT'));
          // REFERENCE 10: a stray AWSPENDING makes the next RotateSecret fail until it is removed.
          if (stray) return awsError(res, 'InvalidRequestException', 'A previous rotation isn\'t complete. That rotation will be reattempted.');
          const r = known ?? { arn: d.ARN, name: d.Name };
          r.lambdaArn = lambdaArn;
          r.rules = input.RotationRules ?? known?.rules ?? { AutomaticallyAfterDays: 30 };
          r.next = now() + periodSeconds(r.rules);
          const token = input.ClientRequestToken ?? randomUUID();
          if (input.RotateImmediately !== false) {
            r.pending = token;
            invocations.push({ secretId: d.ARN, name: d.Name, token, lambdaArn });
          }
          rotations.set(d.ARN, r);
          rotations.set(d.Name, r);
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          return res.end(JSON.stringify({ ARN: d.ARN, Name: d.Name, VersionId: token }));
        }

        if (target === 'UpdateSecretVersionStage') {
          const r = stateOf(input.SecretId);
          // Removing AWSPENDING from the version that never got a value (a failed createSecret): AWS allows it.
          if (r?.pending && input.VersionStage === 'AWSPENDING' && input.RemoveFromVersionId === r.pending && !input.MoveToVersionId) {
            const described = await call('DescribeSecret', { SecretId: input.SecretId }, headers);
            if (!(r.pending in (described.json?.VersionIdsToStages ?? {}))) {
              r.pending = undefined;
              res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
              return res.end(JSON.stringify({ ARN: r.arn, Name: r.name }));
            }
          }
          const up = await call(target, input, headers);
          if (up.status === 200 && r && input.VersionStage === 'AWSCURRENT') {
            r.lastRotated = now();
            r.next = now() + periodSeconds(r.rules);
          }
          return answer(res, up);
        }

        const up = await call(target, input, headers);
        if (up.status !== 200 || !up.json) return answer(res, up);
        if (target === 'DescribeSecret') return answer(res, up, decorate(up.json, 'VersionIdsToStages'));
        if (target === 'ListSecrets') return answer(res, up, { ...up.json, SecretList: (up.json.SecretList ?? []).map((s) => decorate(s, 'SecretVersionsToStages')) });
        return answer(res, up);
      } catch (e) {
        awsError(res, 'InternalServiceError', `rotation proxy: ${e.message}`, 500);
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    /** Every RotateSecret that started a rotation: what Secrets Manager would invoke the function with. */
    invocations,
    rotations,
    resetCounts: () => {
      for (const k of Object.keys(counts)) delete counts[k];
    },
    stop: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
