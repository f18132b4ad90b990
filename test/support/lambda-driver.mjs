// Runs the rotation function's zip (dist/rotation-function.zip, the file Terraform
// deploys) as Lambda would: unpacked into a task folder, loaded by a fresh Node
// process with the Lambda runtime's environment variables (AWS_LAMBDA_FUNCTION_NAME,
// LAMBDA_TASK_ROOT, _HANDLER, AWS_EXECUTION_ENV, TZ, ...) plus the function's own,
// and its handler called with one event. A stand-in for the Lambda runtime
// (common.md: the Lambda runtime is a stand-in); moto runs functions only in docker.
// What the runtime does with the outcome is modelled as it documents it: a rejected
// promise is logged with its errorType and errorMessage, and the invocation fails.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzip } from '../../scripts/zip.mjs';

// The runtime's bootstrap, reduced to what a handler can observe: it imports the
// handler module named by _HANDLER from LAMBDA_TASK_ROOT and awaits it with the event.
const BOOTSTRAP = `
const [file, name] = process.env._HANDLER.split('.');
const event = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
import(require('node:path').join(process.env.LAMBDA_TASK_ROOT, file + '.mjs')).then(async (m) => {
  try {
    const result = await m[name](event, { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 300000 });
    process.stdout.write('\\n@@RESULT ' + JSON.stringify({ ok: true, result: result ?? null }) + '\\n');
  } catch (e) {
    console.error(JSON.stringify({ errorType: e?.name ?? 'Error', errorMessage: String(e?.message ?? e) }));
    process.stdout.write('\\n@@RESULT ' + JSON.stringify({ ok: false, errorType: e?.name ?? 'Error', errorMessage: String(e?.message ?? e) }) + '\\n');
  }
});`;

/**
 * @param {{ zipPath: string, env: Record<string, string>, region?: string, functionName?: string }} o
 */
export function lambdaDriver(o) {
  const taskRoot = mkdtempSync(join(tmpdir(), 'dhc-lambda-task-'));
  for (const [name, data] of unzip(readFileSync(o.zipPath))) writeFileSync(join(taskRoot, name), data);
  const bootstrap = join(taskRoot, '..', `${taskRoot.split('/').pop()}-bootstrap.cjs`);
  writeFileSync(bootstrap, BOOTSTRAP);
  const functionName = o.functionName ?? 'dockerhub-credentials-rotation';
  const region = o.region ?? 'eu-west-2';
  /** Every invocation's output, in order: the function's logs (what CloudWatch would hold). */
  const logs = [];
  const invoke = (event) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bootstrap], {
        cwd: taskRoot,
        env: {
          PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
          LANG: 'en_US.UTF-8',
          TZ: ':UTC',
          _HANDLER: 'index.handler',
          LAMBDA_TASK_ROOT: taskRoot,
          LAMBDA_RUNTIME_DIR: '/var/runtime',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          AWS_LAMBDA_FUNCTION_NAME: functionName,
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
          AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
          AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/02/[$LATEST]0123456789abcdef',
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          AWS_REGION: region,
          AWS_DEFAULT_REGION: region,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          AWS_SESSION_TOKEN: 'testing-session',
          ...o.env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        const marker = out.lastIndexOf('\n@@RESULT ');
        const outcome = marker >= 0 ? JSON.parse(out.slice(marker + 10).trim()) : { ok: false, errorType: 'Runtime.ExitError', errorMessage: `exit ${code}` };
        const log = `${marker >= 0 ? out.slice(0, marker) : out}${err}`;
        logs.push(log);
        resolve({ ...outcome, log });
      });
      child.stdin.end(JSON.stringify(event));
    });
  return {
    invoke,
    logs,
    /** The events Secrets Manager sends for one rotation, in order (REFERENCE 10). */
    events: (secretId, token, rotationToken = randomUUID()) =>
      ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((Step) => ({ Step, SecretId: secretId, ClientRequestToken: token, RotationToken: rotationToken })),
    cleanup: () => {
      rmSync(taskRoot, { recursive: true, force: true });
      rmSync(bootstrap, { force: true });
    },
  };
}
