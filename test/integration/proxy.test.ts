// Corporate proxies: every request the tool itself makes (Secrets Manager through
// the AWS SDK, the registry and the Hub API through fetch) goes through the proxy
// that HTTP_PROXY / HTTPS_PROXY name, except what NO_PROXY exempts, with no
// implicit exception for loopback. docker's own client never proxies loopback
// (REFERENCE section 2), so its login goes direct to the stand-in: expected.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '../support/harness.js';
import { useWorld } from '../support/world.js';
import { uniqueName } from '../support/aws.js';
import { freePort } from '../support/moto.mjs';
import { startForwardProxy } from '../support/forward-proxy.mjs';
import { startTlsFront } from '../support/tls-front.mjs';
import { createServer, type AddressInfo, type Socket } from 'node:net';

describeWith(['moto_server', 'docker'], 'through a real forwarding proxy', () => {
  const w = useWorld();
  let proxy: Awaited<ReturnType<typeof startForwardProxy>>;
  const PROXY_PASSWORD = 'pr0xy-s3cret-pw';
  let authProxy: Awaited<ReturnType<typeof startForwardProxy>>;

  beforeAll(async () => {
    proxy = await startForwardProxy();
    authProxy = await startForwardProxy({ auth: { username: 'corp-user', password: PROXY_PASSWORD } });
  });
  afterAll(async () => {
    await proxy?.stop();
    await authProxy?.stop();
  });
  beforeEach(() => {
    proxy.clear();
    authProxy.clear();
  });

  const hubHost = () => new URL(w.hub.url).host;
  const motoHost = () => new URL(w.moto.url).host;
  /** The stand-in's requests since `from` that did not come from the docker CLI. */
  const nodeHubRequests = (from: number) => w.hub.requests.slice(from).filter((q) => !/^Docker-Client\//.test(q.userAgent));
  const seen = (p: typeof proxy, host: string) => p.log.filter((e) => e.target === host);

  /** Runs `args` and checks that every Node-side request to the stand-in and to moto went through `p`. */
  const runThrough = async (p: typeof proxy, args: string[], env: Record<string, string | undefined>, input?: string) => {
    const hubBefore = w.hub.requests.length;
    const r = await w.run(args, { env, input });
    const hubCalls = nodeHubRequests(hubBefore);
    const proxiedHub = seen(p, hubHost());
    expect(proxiedHub.map((e) => new URL(e.url).pathname).sort()).toEqual(hubCalls.map((q) => q.path).sort());
    return { r, hubCalls, proxiedHub, proxiedAws: seen(p, motoHost()).map((e) => e.amzTarget?.split('.').pop()) };
  };

  it('setup, verify --live and rotate succeed with every Node-side request in the proxy log (HTTP_PROXY)', async () => {
    const name = uniqueName();
    await w.secrets.create(name);
    const env = { HTTP_PROXY: proxy.url };

    const setup = await runThrough(proxy, ['setup', '--non-interactive', '--token-stdin', '--username', 'alice1', '--secret-id', name, '--repository', 'alice1/app'], env, w.rw.token);
    expect(setup.r.exitCode, setup.r.stderr).toBe(0);
    // docker logged in directly (its Go client never proxies loopback); the tool's own checks went through the proxy
    expect(setup.r.stderr).toContain('docker login as alice1 succeeded');
    expect(setup.hubCalls.map((q) => q.path)).toEqual(expect.arrayContaining(['/v2/', '/token', '/v2/auth/token']));
    expect(setup.proxiedAws).toEqual(expect.arrayContaining(['DescribeSecret', 'PutSecretValue', 'GetSecretValue']));
    // absolute-URI forwarding for plain-HTTP fetch requests, CONNECT for the SDK (hpagent tunnels everything)
    expect(new Set(setup.proxiedHub.map((e) => e.mode))).toEqual(new Set(['forward']));
    expect(new Set(seen(proxy, motoHost()).map((e) => e.mode))).toEqual(new Set(['connect']));

    proxy.clear();
    const live = await runThrough(proxy, ['verify', '--live', '--secret-id', name, '--repository', 'alice1/app'], env);
    expect(live.r.exitCode, live.r.stderr).toBe(0);
    expect(live.hubCalls.length).toBeGreaterThan(0);
    expect(live.proxiedAws).toEqual(expect.arrayContaining(['DescribeSecret', 'GetSecretValue']));

    proxy.clear();
    const rotate = await runThrough(proxy, ['rotate', '--non-interactive', '--token-stdin', '--secret-id', name], env, w.rw2.token);
    expect(rotate.r.exitCode, rotate.r.stderr).toBe(0);
    expect(rotate.hubCalls.length).toBeGreaterThan(0);
    expect(rotate.proxiedAws).toEqual(expect.arrayContaining(['PutSecretValue', 'UpdateSecretVersionStage']));
    expect(JSON.parse((await w.secrets.value(name))!).token).toBe(w.rw2.token);
    // every Secrets Manager call of the three runs was a proxied one: moto saw nothing the proxy did not carry
  });

  it('https:// goes through a CONNECT tunnel (HTTPS_PROXY), as requests to the real Docker Hub and AWS do', async () => {
    const tlsHub = await startTlsFront(w.hub.url);
    const tlsAws = await startTlsFront(w.moto.url);
    try {
      const name = uniqueName();
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
      const ca = join(w.sandbox.root, 'ca.pem');
      writeFileSync(ca, readFileSync(tlsHub.caFile, 'utf8') + readFileSync(tlsAws.caFile, 'utf8'));
      const before = w.hub.requests.length;
      const r = await w.run(['verify', '--live', '--secret-id', name], {
        env: { HTTPS_PROXY: proxy.url, DOCKERHUB_CREDENTIALS_HUB_URL: tlsHub.url, AWS_ENDPOINT_URL_SECRETS_MANAGER: tlsAws.url, NODE_EXTRA_CA_CERTS: ca },
      });
      expect(r.exitCode, r.stderr + r.stdout).toBe(0);
      // the Hub API (fetch) and Secrets Manager (the SDK) answered through their TLS fronts, reached
      // through tunnels the proxy did not look into
      expect(nodeHubRequests(before).some((q) => q.path === '/v2/auth/token')).toBe(true);
      expect(proxy.log.filter((e) => e.target === tlsHub.host).map((e) => e.mode)).toContain('tunnel');
      expect(proxy.log.filter((e) => e.target === tlsAws.host).map((e) => e.mode)).toContain('tunnel');
      // HTTPS_PROXY is for https:// only: the registry (http://) was reached directly
      expect(seen(proxy, hubHost())).toEqual([]);
    } finally {
      await tlsHub.stop();
      await tlsAws.stop();
    }
  });

  it('without a proxy variable, nothing goes through the proxy (the control)', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const r = await w.run(['verify', '--live', '--secret-id', name]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(proxy.log).toEqual([]);
  });

  it('reads the lowercase forms, and they win over the uppercase ones', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const dead = `http://127.0.0.1:${await freePort()}`;
    const { r, hubCalls } = await runThrough(proxy, ['verify', '--live', '--secret-id', name], { http_proxy: proxy.url, HTTP_PROXY: dead });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(hubCalls.length).toBeGreaterThan(0);
    expect(seen(proxy, motoHost()).length).toBeGreaterThan(0);
  });

  it('NO_PROXY exempts exactly the hosts it names (host:port here): the Hub direct, Secrets Manager through the proxy', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const r = await w.run(['verify', '--live', '--secret-id', name, '--debug'], { env: { HTTP_PROXY: proxy.url, NO_PROXY: `example.com, ${hubHost()}` } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(seen(proxy, hubHost())).toEqual([]);
    expect(seen(proxy, motoHost()).length).toBeGreaterThan(0);
    expect(r.stderr).toContain(`through the proxy ${proxy.url} (HTTP_PROXY)`);

    // loopback is not exempt by itself: "localhost" in NO_PROXY does not cover 127.0.0.1
    proxy.clear();
    const again = await w.run(['verify', '--secret-id', name], { env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost' } });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(seen(proxy, motoHost()).length).toBeGreaterThan(0);
  });

  it('sends the credentials in the proxy URL, and --debug names the proxy without them', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const withCreds = authProxy.url.replace('http://', `http://corp-user:${PROXY_PASSWORD}@`);
    const r = await w.run(['verify', '--live', '--secret-id', name, '--debug'], { env: { HTTP_PROXY: withCreds } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(authProxy.refused).toEqual([]);
    expect(seen(authProxy, hubHost()).length).toBeGreaterThan(0);
    expect(seen(authProxy, motoHost()).length).toBeGreaterThan(0);
    expect(r.stderr).toContain(`through the proxy ${authProxy.url} (HTTP_PROXY)`);
    expect(r.stderr + r.stdout).not.toContain(PROXY_PASSWORD);
    expect(r.stderr + r.stdout).not.toContain('corp-user');

    // wrong credentials: the proxy answers 407, and the run says so, naming the proxy (again without credentials)
    const wrong = await w.run(['verify', '--secret-id', name], { env: { HTTP_PROXY: authProxy.url.replace('http://', 'http://corp-user:wrong-password@') } });
    expect(wrong.exitCode).toBe(5);
    expect(wrong.stderr).toContain(`through the proxy ${authProxy.url} (HTTP_PROXY): the proxy asks for credentials (HTTP 407)`);
    expect(wrong.stderr).not.toContain('wrong-password');
  });

  it('with the proxy down, the run exits 5 and names the proxy: Secrets Manager and Docker Hub alike', async () => {
    const name = uniqueName();
    await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
    const dead = `http://127.0.0.1:${await freePort()}`;
    const aws = await w.run(['verify', '--secret-id', name], { env: { HTTP_PROXY: dead } });
    expect(aws.exitCode).toBe(5);
    expect(aws.stderr).toContain(`Could not reach AWS Secrets Manager at ${w.moto.url} through the proxy ${dead} (HTTP_PROXY): connection refused.`);
    expect(aws.stderr).toContain('HTTP_PROXY');
    expect(aws.stderr).not.toMatch(/\bat .+\.js:\d+/);

    // Secrets Manager exempted, so the first request to fail is the Hub's
    const hub = await w.run(['verify', '--live', '--secret-id', name], { env: { HTTP_PROXY: dead, NO_PROXY: motoHost() } });
    expect(hub.exitCode).toBe(5);
    // verify reports a failed live check in its report on stdout, with the fix on stderr
    expect(hub.stdout).toContain(`Could not reach ${w.hub.url} through the proxy ${dead} (HTTP_PROXY): connection refused.`);
    expect(hub.stderr).toContain(`add ${hubHost()} to NO_PROXY`);
  });

  it('a proxy that accepts connections but never answers: the SDK gives up after its connection timeout, naming the proxy', async () => {
    const held = new Set<Socket>();
    const silent = createServer((socket) => {
      held.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const r = await w.run(['verify', '--secret-id', 'x'], { env: { HTTP_PROXY: silentUrl, AWS_MAX_ATTEMPTS: '1' } });
      expect(r.exitCode).toBe(5);
      expect(r.stderr).toContain(`through the proxy ${silentUrl} (HTTP_PROXY): timed out.`);
      // fetch gives up after its own timeout (15 s), and the process ends: no pending tunnel keeps it alive
      const name = uniqueName();
      await w.secrets.create(name, JSON.stringify({ username: 'alice1', token: w.rw.token }));
      const hub = await w.run(['verify', '--live', '--secret-id', name], { env: { HTTP_PROXY: silentUrl, NO_PROXY: motoHost() } });
      expect(hub.exitCode).toBe(5);
      expect(hub.stdout).toContain(`Could not reach ${w.hub.url} through the proxy ${silentUrl} (HTTP_PROXY): timed out.`);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });

  it('a proxy variable that is not a URL is a usage error naming the variable', async () => {
    const r = await w.run(['verify', '--secret-id', 'x'], { env: { HTTPS_PROXY: 'not a url' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('HTTPS_PROXY is not a valid URL.');
  });
});
