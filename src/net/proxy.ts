// Corporate proxies for every request the tool makes: HTTP_PROXY, HTTPS_PROXY
// and NO_PROXY (lowercase forms first), applied exactly as written. As in curl,
// loopback addresses get no implicit exception: only NO_PROXY exempts a host.
//
// One reading of the environment serves both HTTP stacks: Node's fetch (Docker
// Hub) and the AWS SDK's NodeHttpHandler (Secrets Manager, SSO). Nothing here is
// loaded unless a proxy variable is set, so a run without a proxy starts as fast
// as before.
import type { Agent as HttpAgent } from 'node:http';
import type { Duplex } from 'node:stream';
import { CliError, ExitCode } from '../errors.js';
import { registerSecret } from '../ui/redact.js';

type Env = Record<string, string | undefined>;

export interface ProxyChoice {
  /** The proxy URL as written, credentials included: never print it. */
  url: string;
  /** The proxy without credentials, for messages and --debug. */
  shown: string;
  /** The variable it came from, e.g. HTTPS_PROXY. */
  variable: string;
}

export interface ProxySettings {
  http?: ProxyChoice;
  https?: ProxyChoice;
  noProxy: string;
  noProxyVariable?: string;
}

/** The first of `names` that is set (an empty value counts, and means "none"), as undici reads them. */
function firstSet(env: Env, names: string[]): { value: string; variable: string } | undefined {
  for (const variable of names) {
    const value = env[variable];
    if (value !== undefined) return { value, variable };
  }
  return undefined;
}

/** A proxy URL without its user and password. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(a proxy URL that is not a valid URL)';
  }
}

function choice(found: { value: string; variable: string } | undefined): ProxyChoice | undefined {
  if (!found?.value) return undefined;
  try {
    const u = new URL(found.value);
    // The proxy's password is a secret like any other: never printed, whatever prints it.
    registerSecret(decodeURIComponent(u.password));
    registerSecret(u.password);
  } catch {
    throw new CliError(
      'proxy-url',
      `${found.variable} is not a valid URL.`,
      `Set ${found.variable} to the proxy's URL, for example http://proxy.example.com:3128.`,
      ExitCode.Usage,
    );
  }
  return { url: found.value, shown: withoutCredentials(found.value), variable: found.variable };
}

/**
 * The proxy variables, with the precedence of undici's EnvHttpProxyAgent (which
 * serves fetch), so that both HTTP stacks always agree: lowercase first; an
 * https URL without HTTPS_PROXY uses HTTP_PROXY.
 */
export function proxySettings(env: Env = process.env): ProxySettings {
  const http = choice(firstSet(env, ['http_proxy', 'HTTP_PROXY']));
  const https = choice(firstSet(env, ['https_proxy', 'HTTPS_PROXY'])) ?? http;
  const no = firstSet(env, ['no_proxy', 'NO_PROXY']);
  return { http, https, noProxy: no?.value ?? '', noProxyVariable: no?.variable };
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * Whether NO_PROXY exempts this host, with undici's rules: entries separated by
 * commas or spaces; `host` matches the host and its subdomains (a leading `.` or
 * `*.` is ignored); `host:port` only that port; `*` alone exempts everything.
 */
export function exemptByNoProxy(hostname: string, port: number, noProxy: string): boolean {
  if (noProxy === '*') return true;
  const host = hostname.toLowerCase();
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const name = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (parsed && Number(parsed[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy a request to `target` goes through, or undefined to connect directly. */
export function proxyFor(target: string | URL, settings: ProxySettings = proxySettings()): ProxyChoice | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const proxy = url.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy) return undefined;
  // url.host keeps the brackets of an IPv6 address, as undici compares it.
  const host = url.host.replace(/:\d*$/, '');
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
  return exemptByNoProxy(host, port, settings.noProxy) ? undefined : proxy;
}

/** A connection error that happened on the way through a proxy, with the proxy named. */
export interface ProxyFailure {
  proxy: string;
  variable: string;
  reason: string;
}

const PROXY_FAILURE = Symbol.for('dockerhub-credentials.proxy-failure');

function markProxyFailure(e: unknown, proxy: ProxyChoice): void {
  if (e && typeof e === 'object') {
    Object.defineProperty(e, PROXY_FAILURE, { value: { proxy: proxy.shown, variable: proxy.variable }, enumerable: false });
  }
}

function reasonOf(e: unknown): string {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const { code, message } = cur as { code?: string; message?: string };
    // hpagent: "Bad response: 407"; undici: "Proxy response (407) !== 200 …", "Proxy Authentication Required (407)".
    const status = /(?:bad response|proxy response|proxy authentication required)\D*(\d{3})/i.exec(message ?? '')?.[1];
    if (status === '407') return 'the proxy asks for credentials (HTTP 407)';
    if (status) return `the proxy answered HTTP ${status}`;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'connection reset';
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || (cur as Error).name === 'TimeoutError' || /proxy timeout/i.test(message ?? '')) return 'timed out';
    cur = (cur as { cause?: unknown }).cause;
  }
  return 'connection failed';
}

/**
 * The proxy a failed request went through: the one its connection error was
 * marked with or, for an error raised outside the agent (the SDK's own
 * connection timeout), the one the environment names for `target`.
 */
export function proxyFailure(e: unknown, target?: string): ProxyFailure | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const mark = (cur as Record<symbol, { proxy: string; variable: string } | undefined>)[PROXY_FAILURE];
    if (mark) return { ...mark, reason: reasonOf(e) };
    cur = (cur as { cause?: unknown }).cause;
  }
  const proxy = target ? proxyFor(target) : undefined;
  return proxy && { proxy: proxy.shown, variable: proxy.variable, reason: reasonOf(e) };
}

export const proxyHint = (f: { variable: string }, host: string): string =>
  `Check that the proxy is running and that ${f.variable} names it, or add ${host} to NO_PROXY if it must be reached directly.`;

// ---------------------------------------------------------------------------
// fetch (Docker Hub): undici's EnvHttpProxyAgent

type UndiciFetch = (input: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;
let dispatcher: Promise<{ fetch: UndiciFetch; dispatcher: unknown }> | undefined;

/** HTTP as the commands use it (the seam in Context): netFetch, or a stand-in in tests. */
export type Fetch = (url: string, init: RequestInit, log?: (line: string) => void) => Promise<Response>;

/**
 * `fetch`, through the proxy the environment names for `url`. Without one it is
 * Node's own fetch. With one it is undici's fetch with undici's
 * EnvHttpProxyAgent, from the same package: a dispatcher from one copy of undici
 * handed to Node's built-in fetch (another copy: undici 8 on Node 26) is
 * rejected with UND_ERR_INVALID_ARG.
 */
export async function netFetch(url: string, init: RequestInit, log?: (line: string) => void): Promise<Response> {
  const settings = proxySettings();
  const proxy = proxyFor(url, settings);
  if (!proxy) return fetch(url, init);
  // The whole package: its index installs the dispatcher methods CONNECT tunnels need
  // (importing only lib/web/fetch and the agent breaks every https:// request).
  dispatcher ??= import('undici').then((m) => (m as unknown as { default?: typeof m }).default ?? m).then((undici) => ({
    fetch: undici.fetch as unknown as UndiciFetch,
    dispatcher: new undici.EnvHttpProxyAgent({
      httpProxy: settings.http?.url ?? '',
      httpsProxy: settings.https?.url ?? '',
      noProxy: settings.noProxy,
      // Plain http:// requests as absolute-URI requests, as curl sends them; https:// through CONNECT.
      proxyTunnel: false,
    }),
  }));
  const via = await dispatcher;
  log?.(`${init.method ?? 'GET'} ${new URL(url).origin} through the proxy ${proxy.shown} (${proxy.variable})`);
  try {
    return await via.fetch(url, { ...init, dispatcher: via.dispatcher });
  } catch (e) {
    // Ctrl-C stays a cancellation; a timeout is the proxy's (or what is behind it) and says so.
    if ((e as Error)?.name === 'AbortError') throw e;
    markProxyFailure(e, proxy);
    const host = new URL(url).host;
    throw new CliError(
      'proxy',
      `Could not reach ${new URL(url).origin} through the proxy ${proxy.shown} (${proxy.variable}): ${reasonOf(e)}.`,
      proxyHint(proxy, host),
      ExitCode.Transient,
    );
  }
}

// ---------------------------------------------------------------------------
// The AWS SDK: a proxy-aware agent in its NodeHttpHandler

export interface AwsHandlerOptions {
  connectionTimeout: number;
  requestTimeout: number;
  log?: (line: string) => void;
}

/** NodeHttpHandler options; `httpAgent`/`httpsAgent` only when a proxy is set. */
export interface AwsHandlerConfig {
  connectionTimeout: number;
  requestTimeout: number;
  throwOnRequestTimeout: boolean;
  httpAgent?: HttpAgent;
  httpsAgent?: HttpAgent;
}

type Connect = (options: ConnectOptions, callback?: (err: Error | null, socket?: Duplex) => void) => Duplex | undefined;
interface ConnectOptions {
  host?: string;
  hostname?: string;
  port?: number | string;
  timeout?: number;
}

/**
 * Options for the SDK's request handler (the SDK builds its NodeHttpHandler
 * from them). With a proxy variable set, its agents connect through hpagent's
 * CONNECT tunnel (the agent AWS's developer guide uses), except for hosts
 * NO_PROXY exempts, which they reach directly.
 */
export async function awsRequestHandler(o: AwsHandlerOptions): Promise<AwsHandlerConfig> {
  const settings = proxySettings();
  // Without throwOnRequestTimeout the SDK only prints a warning when requestTimeout passes, and waits on.
  const base = { connectionTimeout: o.connectionTimeout, requestTimeout: o.requestTimeout, throwOnRequestTimeout: true };
  if (!settings.http && !settings.https) return base;
  const [hpagent, http, https] = await Promise.all([import('hpagent'), import('node:http'), import('node:https')]);

  const routed = <T extends new (...args: any[]) => HttpAgent>(Proxied: T, Direct: typeof http.Agent, scheme: 'http:' | 'https:', proxy: ProxyChoice | undefined) => {
    const agentOptions = { keepAlive: true, maxSockets: 50 };
    if (!proxy) return new Direct(agentOptions);
    const direct = (Direct.prototype as unknown as { createConnection: Connect }).createConnection;
    const proxied = (Proxied.prototype as unknown as { createConnection: Connect }).createConnection;
    const agent = new Proxied({ ...agentOptions, proxy: proxy.url });
    (agent as unknown as { createConnection: Connect }).createConnection = function (this: HttpAgent, options, callback) {
      const host = options.host ?? options.hostname ?? 'localhost';
      const target = `${scheme}//${host.includes(':') ? `[${host}]` : host}:${options.port ?? DEFAULT_PORTS[scheme]}`;
      if (!proxyFor(target, settings)) {
        o.log?.(`connect ${host}:${options.port} directly (NO_PROXY)`);
        return direct.call(this, options);
      }
      o.log?.(`connect ${host}:${options.port} through the proxy ${proxy.shown} (${proxy.variable})`);
      // A proxy that accepts the connection and never answers CONNECT: give up with the SDK's
      // connection timeout, or the pending tunnel would keep the process alive after the command ended.
      return proxied.call(this, { ...options, timeout: o.connectionTimeout }, (err, socket) => {
        if (err) markProxyFailure(err, proxy);
        callback?.(err, socket);
      });
    };
    return agent;
  };
  return {
    ...base,
    httpAgent: routed(hpagent.HttpProxyAgent, http.Agent, 'http:', settings.http),
    httpsAgent: routed(hpagent.HttpsProxyAgent, https.Agent, 'https:', settings.https),
  };
}
