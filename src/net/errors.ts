// What a failed connection looks like, from Node, undici and the AWS SDK alike.

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function codeOf(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isNetworkError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  const code = codeOf(e);
  return (
    (code !== undefined && NETWORK_CODES.has(code)) ||
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    (name === 'AbortError' && !/abort/i.test(String((e as Error).message ?? '')))
  );
}

export function networkReason(e: unknown): string {
  const code = codeOf(e);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  return 'timed out';
}
