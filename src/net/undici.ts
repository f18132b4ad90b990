// The two parts of undici the proxy path needs, without the rest of the package
// (cache, WebSocket, EventSource, mocks): 350 KB of bundle instead of 530 KB.
// Loaded only when a proxy variable is set.
// @ts-expect-error undici ships no types for its internal modules; the shapes are declared below.
import { fetch as undiciFetch } from 'undici/lib/web/fetch/index.js';
// @ts-expect-error as above
import UndiciEnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import type { EnvHttpProxyAgent as EnvHttpProxyAgentType } from 'undici';

export const fetch = undiciFetch as (input: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;
export const EnvHttpProxyAgent = UndiciEnvHttpProxyAgent as typeof EnvHttpProxyAgentType;
