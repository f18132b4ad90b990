import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The region a profile names in the shared AWS config file, as the SDK would
 * read it (`[default]` or `[profile NAME]`, key `region`), or undefined.
 */
export function profileRegion(env: NodeJS.ProcessEnv, profile: string | undefined): string | undefined {
  const path = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), '.aws', 'config');
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
