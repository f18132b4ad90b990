import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The two shared AWS files, where the SDK looks for them. */
export function awsConfigFiles(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  const home = env.HOME || homedir();
  return {
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

const readOrEmpty = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** Every profile the shared files define: `[profile NAME]` and `[default]` in config, `[NAME]` in credentials. */
export function profileNames(env: NodeJS.ProcessEnv): string[] {
  const files = awsConfigFiles(env);
  const sections = (text: string) => [...text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)].map((m) => m[1]!.replace(/\s+/g, ' '));
  const fromConfig = sections(readOrEmpty(files.config)).flatMap((s) => (s === 'default' ? ['default'] : s.startsWith('profile ') ? [s.slice(8)] : []));
  return [...new Set([...fromConfig, ...sections(readOrEmpty(files.credentials))])];
}

/**
 * The region a profile names in the shared AWS config file, as the SDK would
 * read it (`[default]` or `[profile NAME]`, key `region`), or undefined.
 */
export function profileRegion(env: NodeJS.ProcessEnv, profile: string | undefined): string | undefined {
  const path = awsConfigFiles(env).config;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const name = profile ?? 'default';
  const wanted = name === 'default' ? ['default', 'profile default'] : [`profile ${name}`];
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[;#].*$/, '').trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) {
      inSection = wanted.includes(section[1]!.replace(/\s+/g, ' '));
      continue;
    }
    const kv = /^region\s*=\s*(\S+)$/.exec(line);
    if (inSection && kv) return kv[1];
  }
  return undefined;
}
