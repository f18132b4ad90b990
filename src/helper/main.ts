import { DEFAULT_REGISTRY, resolveSettings, type Settings } from '../config.js';
import { isCliError } from '../errors.js';
import { CURRENT, SecretStore } from '../aws/store.js';
import { checkCredentialValue } from '../flows/check.js';
import { HUB_AUTH_KEY, dockerServerFor } from '../hub/tokens.js';
import { bounded, printable, redact } from '../ui/redact.js';

// docker-credential-dockerhub-credentials: docker's credential-helper protocol
// (REFERENCE sections 2 and 6), backed by Secrets Manager. docker runs it on every
// pull and push, so it loads only the config reader and the Secrets Manager client:
// no commander, inquirer, chalk or execa. Modelled on amazon-ecr-credential-helper:
// `get` reads the secret fresh every time, nothing is written to disk, and servers
// it does not serve get "credentials not found in native keychain".

/** docker's own words for "no entry": docker then goes on without credentials. */
export const NOT_FOUND = 'credentials not found in native keychain';

/** Docker Hub's server names as docker and other clients ask for them. */
const HUB_HOSTS = ['index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** The host docker asked about: `https://index.docker.io/v1/` -> `index.docker.io`. */
const hostOf = (server: string): string =>
  server
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();

/** Whether this helper answers for `server`: Docker Hub's names, or the configured registry. */
export function serves(server: string, registry: string): boolean {
  const host = hostOf(server);
  if (HUB_HOSTS.includes(host)) return true;
  const configured = dockerServerFor(registry);
  return configured !== undefined && host === configured.toLowerCase();
}

interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/**
 * The settings where docker runs. A registry other than Docker Hub counts only
 * from the environment: a .dockerhub-credentials.json in whatever checkout docker
 * runs in (a pull request's, say) must not decide where the token goes.
 */
function helperSettings(io: Io): Settings & { servedRegistry: string } {
  const settings = resolveSettings({}, { env: io.env, cwd: io.cwd, stdinIsTTY: false, stderrIsTTY: false });
  return { ...settings, servedRegistry: settings.origin.registry?.from === 'env' ? settings.registry : DEFAULT_REGISTRY };
}

async function readCredential(settings: Settings): Promise<{ username: string; token: string }> {
  if (!settings.secretId) {
    throw new Error('no secret id: set DOCKERHUB_CREDENTIALS_SECRET_ID where docker runs, or add "secretId" to .dockerhub-credentials.json');
  }
  const store = await SecretStore.open({ secretId: settings.secretId, profile: settings.profile, region: settings.region });
  const version = await store.get({ stage: CURRENT });
  const check = checkCredentialValue(version.secretString);
  if (check.problems.length) {
    throw new Error(`${settings.secretId} is not a valid credential: ${check.problems.join(' ')} Store one with: npx dockerhub-credentials setup --secret-id ${settings.secretId}`);
  }
  return { username: check.username!, token: check.token! };
}

/** One helper call; returns the exit code. Errors go to stdout with exit 1, as the protocol says. */
export async function helperMain(argv: string[], io: Io): Promise<number> {
  // docker shows these lines to the user: escaped, like every line of the CLI's Output.
  const say = (line: string) => io.stdout.write(printable(bounded(redact(line), 2000)) + '\n');
  const action = argv[0];
  try {
    switch (action) {
      case 'get': {
        const server = (await readAll(io.stdin)).trim();
        const settings = helperSettings(io);
        if (!server || !serves(server, settings.servedRegistry)) {
          say(NOT_FOUND);
          return 1;
        }
        const { username, token } = await readCredential(settings);
        // The one place the token leaves: to docker, on this pipe.
        io.stdout.write(JSON.stringify({ ServerURL: server, Username: username, Secret: token }) + '\n');
        return 0;
      }
      case 'list': {
        const settings = helperSettings(io);
        const { username } = await readCredential(settings);
        const listed: Record<string, string> = { [HUB_AUTH_KEY]: username };
        const configured = dockerServerFor(settings.servedRegistry);
        if (configured) listed[configured] = username;
        say(JSON.stringify(listed));
        return 0;
      }
      case 'store':
      case 'erase':
        await readAll(io.stdin);
        say('dockerhub-credentials: this credential helper is read-only: the token lives in AWS Secrets Manager (change it with npx dockerhub-credentials rotate)');
        return 1;
      case 'version':
        say('docker-credential-dockerhub-credentials');
        return 0;
      default:
        say(`dockerhub-credentials: unknown action ${action ?? '(none)'}; docker calls this helper with get, list, store or erase`);
        return 1;
    }
  } catch (e) {
    const text = isCliError(e) ? `${e.message}${e.hint ? ` ${e.hint}` : ''}` : e instanceof Error ? e.message : String(e);
    say(`dockerhub-credentials: ${text}`);
    return 1;
  }
}
