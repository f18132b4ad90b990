import { CliError, ExitCode } from '../errors.js';
import type { Context } from '../context.js';
import type { SecretInfo } from '../domain/secret.js';
import type { SecretStore } from '../aws/store.js';
import { renderWarning } from '../ui/render.js';
import { REPOSITORY_TAG, TAG_PREFIX, encodeMeta, expiresIn, parseExpiryDate, sameLabel, tagKey, validateLabel, type TokenMeta } from '../domain/lifecycle.js';

// The lifecycle's steps: asking what the flags did not say, confirming a drop in
// access, recording the metadata (src/domain/lifecycle.ts holds the rules and the encoding).

export interface LabelContext {
  /** The one suggestion of this run (suggestLabel), also shown in the guide. */
  suggestion: string;
  /** The label of the token being replaced: the new one must differ. */
  current?: string;
}

/** What the flags did not say, asked at a terminal once the token is validated. Unattended, both stay optional. */
export async function askLifecycle(ctx: Context, given: TokenMeta, labels: LabelContext): Promise<TokenMeta> {
  let { expires, label } = given;
  const { prompter } = ctx;
  if (!prompter.interactive) {
    if (expires === undefined) {
      ctx.out.warn("No expiry was given (--expires-in or --expires-at), so verify cannot tell when this token is due; pass the expiry Docker Hub showed.");
    }
    return { expires, label };
  }
  if (expires === undefined) {
    const choice = await prompter.select<string>({
      message: 'Expiration date chosen for this token in Docker Hub:',
      choices: [
        { name: 'None (never expires)', value: 'never' },
        { name: '30 days', value: '30d' },
        { name: '90 days', value: '90d' },
        { name: '1 year', value: '365d' },
        { name: 'A custom date', value: 'custom' },
        { name: "I don't know", value: 'unknown' },
      ],
      default: '90d',
      flag: '--expires-in or --expires-at',
    });
    if (choice === 'custom') {
      expires = parseExpiryDate(
        await prompter.input({
          message: 'Expiry date (YYYY-MM-DD):',
          validate: (v) => {
            try {
              parseExpiryDate(v, 'The date');
              return true;
            } catch (e) {
              return (e as Error).message;
            }
          },
          flag: '--expires-at',
        }),
        '--expires-at',
      );
    } else if (choice !== 'unknown') {
      expires = expiresIn(choice);
    }
  }
  label ??=
    (await prompter.input({
      message: "The token's description in Docker Hub (its label):",
      default: labels.suggestion,
      validate: (v) =>
        sameLabel(v, labels.current)
          ? `That is the current token's label; the new token needs its own description in Docker Hub (for example ${labels.suggestion}).`
          : validateLabel(v.trim()),
      optional: true,
      flag: '--label',
    })) || undefined;
  return { expires, label };
}

/**
 * Says what drops and asks, as for a change of account; unattended, only --yes goes on.
 * For setup (`setup` gives the command that replaces the token anyway), --yes does not
 * accept it: setup needs --yes to replace any value unattended, so it would accept every
 * drop unseen. At a terminal it is asked; unattended it is refused, and rotate --yes is the way.
 */
export async function confirmAccessDrops(ctx: Context, reasons: string[], setup?: { rotateLine: string }): Promise<void> {
  if (!reasons.length) return;
  for (const r of reasons) ctx.out.warn(r);
  if (ctx.settings.yes && !setup) return;
  const see = reasons.length === 1 ? 'see the warning above' : 'see the warnings above';
  if (!ctx.prompter.interactive) {
    throw new CliError(
      'access-drop',
      setup
        ? `Not stored: the new token may not do what CI does now (${see}), and setup does not accept that unattended, not even with --yes.`
        : `Not rotated: the new token may not do what CI does now (${see}), and there is no terminal to confirm it.`,
      setup
        ? `Check the token in Docker Hub (Read & Write for CI that pushes) and pass --repository; to replace the token anyway: ${setup.rotateLine}`
        : 'Check the token in Docker Hub (Read & Write for CI that pushes) and pass --repository; to rotate to it anyway, add --yes.',
      ExitCode.Usage,
    );
  }
  if (!(await ctx.prompter.confirm({ message: setup ? 'Replace the stored token with this one anyway?' : 'Rotate to this token anyway?', default: false, flag: '--yes' }))) {
    throw new CliError(setup ? 'not-replaced' : 'not-rotated', 'Kept the current token; nothing was changed.', 'Create a token with the access CI needs (Read & Write to push), and check it with --repository.', ExitCode.Usage);
  }
}

/**
 * Records the metadata of a version just written, and drops the metadata of
 * versions that no longer exist. Metadata is a convenience: a failure here is a
 * warning, never a reason to call the write failed.
 */
export async function recordMeta(ctx: Context, store: SecretStore, info: SecretInfo, versionId: string, meta: TokenMeta, repository?: string | null): Promise<void> {
  try {
    const tags: Record<string, string> = {};
    if (meta.expires !== undefined || meta.label !== undefined || meta.access !== undefined || meta.push || meta.username) tags[tagKey(versionId)] = encodeMeta(meta);
    if (repository && info.tags[REPOSITORY_TAG] !== repository) tags[REPOSITORY_TAG] = repository;
    if (Object.keys(tags).length) await store.tag(tags);
    // null: the remembered repository was cleared at a terminal and the run confirmed; it is forgotten.
    if (repository === null && info.tags[REPOSITORY_TAG] !== undefined) await store.untag([REPOSITORY_TAG]);
    const ours = Object.keys(info.tags).filter((k) => k.startsWith(TAG_PREFIX) && k !== tagKey(versionId));
    if (ours.length) {
      const existing = new Set((await store.listVersions(info.name)).map((v) => v.versionId));
      await store.untag(ours.filter((k) => !existing.has(k.slice(TAG_PREFIX.length))));
    }
  } catch (e) {
    renderWarning(ctx.out, "The token's expiry and label could not be recorded; verify will show them as unknown.", e);
  }
}
