import { CliError, ExitCode, cancelled } from '../errors.js';
import { isNetworkError } from '../net/errors.js';
import { netFetch, type Fetch } from '../net/proxy.js';
import { isLoginLockout, loginLockout } from '../domain/hub-refusals.js';

export interface HttpOptions {
  signal: AbortSignal;
  /** What we were trying to reach, for the error sentence. */
  what: string;
  timeoutMs?: number;
  /** Longest total wait for 429 Retry-After before giving up. */
  maxRateLimitWaitSeconds?: number;
  log?: (line: string) => void;
  /** A warning the user should see (not only under --debug). */
  warn?: (line: string) => void;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The username being logged in, to name it when Docker Hub locks logins. */
  account?: string;
  /** The run's fetch (Context.fetch); netFetch when not given. */
  fetch?: Fetch;
}

/** Docker Hub's answer after too many failed logins (REFERENCE 2, "Login lockout"). */
const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(cancelled())), { once: true });
  });

/** Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) {
    // An older Hub revision sent a Unix time (REFERENCE 2): never read a timestamp as seconds.
    const n = Number(header.trim());
    return n > 1_000_000_000 ? Math.max(0, Math.ceil(n - now / 1000)) : n;
  }
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * fetch with a timeout, Ctrl-C, and a bounded, Retry-After-honouring backoff on 429.
 * Network failures become exit 5 with what could not be reached.
 */
export async function request(url: string, init: RequestInit, o: HttpOptions): Promise<Response> {
  const sleep = o.sleep ?? defaultSleep;
  const budget = o.maxRateLimitWaitSeconds ?? 60;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    if (o.signal.aborted) throw cancelled();
    let res: Response;
    try {
      // Held here until the answer: AbortSignal.any() holds its sources weakly, and undici's fetch the
      // combined signal too, so a garbage-collected timeout signal would never fire (seen through a proxy).
      const timeout = AbortSignal.timeout(o.timeoutMs ?? 15_000);
      res = await (o.fetch ?? netFetch)(url, { ...init, signal: AbortSignal.any([o.signal, timeout]) }, o.log).finally(() => timeout.aborted);
    } catch (e) {
      if (o.signal.aborted) throw cancelled();
      o.log?.(`${init.method ?? 'GET'} ${stripQuery(url)}: ${(e as Error).name}`);
      const timedOut = (e as Error).name === 'TimeoutError';
      if (timedOut || isNetworkError(e) || (e as Error).name === 'TypeError') {
        throw new CliError(
          'network',
          `Could not reach ${o.what} at ${new URL(url).origin}: ${timedOut ? 'timed out' : 'connection failed'}.`,
          'Check your network connection and proxy, then try again.',
          ExitCode.Transient,
        );
      }
      throw e;
    }
    o.log?.(`${init.method ?? 'GET'} ${stripQuery(url)}: HTTP ${res.status}`);
    if (res.status !== 429) return res;
    // A login lockout lasts about 15 minutes: no Retry-After loop can outwait it.
    const said = await res.clone().text().catch(() => '');
    if (isLoginLockout(said)) {
      await res.body?.cancel();
      throw loginLockout(o.account);
    }
    const wait = retryAfterSeconds(res.headers.get('retry-after')) ?? Math.min(2 ** attempt, 30);
    if (attempt >= 4 || waited + wait > budget) {
      throw new CliError(
        'rate-limited',
        `${o.what} is rate-limiting requests (HTTP 429); it asked to wait ${wait} seconds.`,
        `Wait ${wait} seconds and run the command again.`,
        ExitCode.Transient,
      );
    }
    await res.body?.cancel();
    o.log?.(`rate limited; retrying in ${wait} s (Retry-After)`);
    waited += wait;
    await sleep(wait * 1000, o.signal);
  }
}

const stripQuery = (url: string) => url.replace(/\?.*$/, '');

export async function readJson(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    const v = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Reads a JWT's payload. Clients do not verify the signature; the server that issued it does. */
export function jwtPayload(jwt: unknown): Record<string, unknown> | undefined {
  if (typeof jwt !== 'string') return undefined;
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
