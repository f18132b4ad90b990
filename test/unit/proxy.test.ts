// The proxy rules both HTTP stacks share (src/net/proxy.ts): undici's
// EnvHttpProxyAgent precedence and NO_PROXY matching, with no loopback exception.
import { describe, expect, it } from 'vitest';
import { exemptByNoProxy, proxyFor, proxySettings, withoutCredentials } from '../../src/net/proxy.js';

describe('proxy settings from the environment', () => {
  it('reads the lowercase form first; an empty value means none', () => {
    expect(proxySettings({ http_proxy: 'http://a:1', HTTP_PROXY: 'http://b:2' }).http).toMatchObject({ url: 'http://a:1', variable: 'http_proxy' });
    expect(proxySettings({ HTTP_PROXY: 'http://b:2' }).http).toMatchObject({ url: 'http://b:2', variable: 'HTTP_PROXY' });
    expect(proxySettings({ http_proxy: '', HTTP_PROXY: 'http://b:2' }).http).toBeUndefined();
    expect(proxySettings({}).https).toBeUndefined();
  });

  it('sends https:// through HTTPS_PROXY, or HTTP_PROXY when only that is set', () => {
    const both = proxySettings({ HTTP_PROXY: 'http://plain:1', HTTPS_PROXY: 'http://secure:2' });
    expect(proxyFor('https://hub.docker.com/v2/', both)?.url).toBe('http://secure:2');
    expect(proxyFor('http://127.0.0.1:5000/', both)?.url).toBe('http://plain:1');
    expect(proxyFor('https://hub.docker.com/', proxySettings({ HTTP_PROXY: 'http://plain:1' }))?.variable).toBe('HTTP_PROXY');
    expect(proxyFor('http://hub.docker.com/', proxySettings({ HTTPS_PROXY: 'http://secure:2' }))).toBeUndefined();
  });

  it('shows a proxy without its credentials', () => {
    expect(withoutCredentials('http://user:p%40ss@proxy.corp:3128/')).toBe('http://proxy.corp:3128');
    expect(proxySettings({ HTTPS_PROXY: 'http://u:pw@proxy.corp:3128' }).https?.shown).toBe('http://proxy.corp:3128');
  });

  it('refuses a proxy variable that is not a URL, naming it', () => {
    expect(() => proxySettings({ https_proxy: 'proxy.corp 3128' })).toThrow('https_proxy is not a valid URL.');
  });
});

describe('NO_PROXY', () => {
  const cases: [host: string, port: number, noProxy: string, exempt: boolean][] = [
    ['hub.docker.com', 443, '', false],
    ['hub.docker.com', 443, '*', true],
    ['hub.docker.com', 443, 'docker.com', true],
    ['hub.docker.com', 443, '.docker.com', true],
    ['hub.docker.com', 443, '*.docker.com', true],
    ['docker.com', 443, '.docker.com', true],
    ['notdocker.com', 443, 'docker.com', false],
    ['HUB.Docker.COM', 443, 'hub.docker.com', true],
    ['127.0.0.1', 5000, '127.0.0.1:5000', true],
    ['127.0.0.1', 5001, '127.0.0.1:5000', false],
    ['secretsmanager.eu-west-2.amazonaws.com', 443, 'example.com,amazonaws.com', true],
    ['secretsmanager.eu-west-2.amazonaws.com', 443, 'example.com amazonaws.com', true],
    // curl's rule: loopback is proxied unless NO_PROXY names it
    ['127.0.0.1', 5000, 'localhost', false],
    ['localhost', 5000, '', false],
    ['127.0.0.1', 5000, '*,localhost', false], // "*" exempts everything only on its own
  ];
  it.each(cases)('%s:%i with NO_PROXY=%j exempt: %s', (host, port, noProxy, exempt) => {
    expect(exemptByNoProxy(host, port, noProxy)).toBe(exempt);
  });

  it('applies to the default port of the scheme', () => {
    const s = proxySettings({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'hub.docker.com:443' });
    expect(proxyFor('https://hub.docker.com/v2/', s)).toBeUndefined();
    expect(proxyFor('https://registry-1.docker.io/v2/', s)?.shown).toBe('http://proxy:3128');
  });
});
