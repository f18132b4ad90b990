// Docker Hub's names, in one place: its hosts, its URLs, and where its tokens are made
// (REFERENCE section 2).

/** The registry and the Hub API when no --registry or --hub-url is given. */
export const DEFAULT_REGISTRY = 'https://registry-1.docker.io';
export const DEFAULT_HUB_URL = 'https://hub.docker.com';
/** The claim of a Docker Hub JWT that names the account. */
export const HUB_CLAIM = DEFAULT_HUB_URL;

/** The key docker keeps Docker Hub's login under in config.json. */
export const HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** Docker Hub's server names as docker and other clients ask for them. */
export const HUB_HOSTS = ['index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** The host docker asked about: `https://index.docker.io/v1/` -> `index.docker.io`. */
export const hostOf = (server: string): string =>
  server
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();

/** Docker Hub's hosts a committed config file may name without a confirmation: the registry's and the Hub API's. */
export const HUB_HOSTS_WITH_API = [...HUB_HOSTS, new URL(DEFAULT_HUB_URL).host];

/** Docker Hub's registry sends logins to auth.docker.io (REFERENCE 2, "Registry token authentication"): no warning for that pair. */
export const HUB_REALM = { registries: HUB_HOSTS, realm: 'auth.docker.io' };

export const PAT_PAGE = 'https://app.docker.com/settings/personal-access-tokens';
/** Where organization access tokens are made (REFERENCE 2, "Organization access tokens"). */
export const OAT_PLACE = 'https://app.docker.com, select the organization, then Admin Console > Access tokens';

/** The docker CLI's server argument for a registry URL; Docker Hub needs none. */
export function dockerServerFor(registry: string): string | undefined {
  const url = new URL(registry);
  if (HUB_HOSTS.includes(url.hostname)) return undefined;
  return url.host;
}
