import { lstatSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { printable } from '../ui/redact.js';

// What the credential helper (src/helper/main.ts) shares with the commands that
// install and check it: docker's words for "no entry", and the helper's log file.

/** docker's own words for "no entry": docker then goes on without credentials. */
export const NOT_FOUND = 'credentials not found in native keychain';

/** Names a file that gets one line per call: never a secret. */
export const HELPER_LOG_VARIABLE = 'DOCKERHUB_CREDENTIALS_HELPER_LOG';

/**
 * Why the log file named by DOCKERHUB_CREDENTIALS_HELPER_LOG cannot be used, or
 * undefined when it can (or none is named). The folder must be a real folder (lstat:
 * never a link) owned by this user that others cannot write to; an existing file must
 * be this user's own regular file that others cannot read.
 */
export function helperLogProblem(env: NodeJS.ProcessEnv, uid = process.getuid?.()): string | undefined {
  const file = env[HELPER_LOG_VARIABLE];
  if (!file) return undefined;
  const name = printable(file);
  if (!isAbsolute(file)) return `${HELPER_LOG_VARIABLE} must be an absolute path, not ${name}`;
  const folder = dirname(file);
  const f = lstatSync(folder, { throwIfNoEntry: false });
  if (!f) return `the folder of ${HELPER_LOG_VARIABLE} (${printable(folder)}) does not exist`;
  if (f.isSymbolicLink()) return `the folder of ${HELPER_LOG_VARIABLE} (${printable(folder)}) is a symbolic link; the log is written only in a real folder`;
  if (!f.isDirectory()) return `${printable(folder)} (in ${HELPER_LOG_VARIABLE}) is not a folder`;
  if (uid !== undefined && f.uid !== uid) return `the folder of ${HELPER_LOG_VARIABLE} (${printable(folder)}) belongs to another user (uid ${f.uid})`;
  if (f.mode & 0o022) return `others can write to the folder of ${HELPER_LOG_VARIABLE} (${printable(folder)}, mode ${(f.mode & 0o777).toString(8)})`;
  const existing = lstatSync(file, { throwIfNoEntry: false });
  if (existing) {
    if (existing.isSymbolicLink()) return `${HELPER_LOG_VARIABLE} (${name}) is a symbolic link`;
    if (!existing.isFile()) return `${HELPER_LOG_VARIABLE} (${name}) is not a regular file`;
    if (uid !== undefined && existing.uid !== uid) return `${HELPER_LOG_VARIABLE} (${name}) belongs to another user (uid ${existing.uid})`;
    if (existing.mode & 0o077) return `others can read or write ${HELPER_LOG_VARIABLE} (${name}, mode ${(existing.mode & 0o777).toString(8)}); chmod 600 it`;
  }
  return undefined;
}
