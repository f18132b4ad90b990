import { usageError } from '../errors.js';
import { checkAnswer } from './inputs.js';
import type { Context } from '../context.js';
import { probeLocalLogin, type LocalLogin } from '../docker/config.js';
import { OAT_PLACE, PAT_PAGE } from '../domain/docker-hub.js';
import {
  isDockerId,
  looksLikeAccessToken,
  normalizeToken,
  tokenKind,
  validateRepository,
} from '../domain/tokens.js';
import type { Credentials } from '../domain/tokens.js';
import { registerSecret, unregisterSecret } from '../ui/redact.js';

/** The token from stdin or DOCKERHUB_TOKEN, read and checked before the command started (src/flows/inputs.ts). */
function tokenFromOutside(ctx: Context): string | undefined {
  const supplied = ctx.supplied;
  if (supplied) registerSecret(supplied.value);
  return supplied?.value;
}

/**
 * Step 3 of the runbook, made explicit: which kind of token, where to click,
 * what to choose, what to remember (REFERENCE 2, "Tokens and usernames", "OAT").
 */
export function guidePatCreation(ctx: Context, opts: { repository?: string; rotation: boolean; label: string }): void {
  const { out } = ctx;
  // The same label is suggested again when the tool records it, so Docker Hub's list and verify agree.
  const { label } = opts;
  const repos = opts.repository ?? 'each repository CI uses';
  out.info('');
  out.heading(opts.rotation ? 'Create the new access token' : 'Create a Docker Hub access token');
  // Prose, one call per paragraph: the Output wraps it to the terminal's width.
  const p = (line: string) => out.info(line, { wrap: true });
  p('  Which kind: for an organization on a Team or Business plan, an organization access token (OAT) is recommended for CI: it belongs to the organization, not a person, and lists the repositories it may use. Otherwise, a personal access token (PAT).');
  out.info('');
  p(`  ${out.err.bold('Personal access token')} (username: your Docker ID)`);
  p(`  1. Open ${out.err.cyan(PAT_PAGE)} (Account settings > Personal access tokens > Generate new token).`);
  p(`  2. Description: ${out.err.bold(label)}`);
  p('  3. Access: Read & Write if CI pushes images; Read-only for pull-only CI.');
  p("  4. Expiry: match your team's rotation policy (for example 90 days); you will be asked which you chose.");
  out.info('');
  p(`  ${out.err.bold('Organization access token')} (username: the organization's name, not your Docker ID)`);
  p(`  1. Open ${out.err.cyan(OAT_PLACE)} > Generate access token.`);
  p(`  2. Label: ${out.err.bold(label)}; repositories: ${repos}, with Pull, and Push if CI pushes.`);
  p("  3. Expiry: match your team's rotation policy.");
  out.info('');
  // Issue 18, item 6: the API path, when a password sign-in is possible (not for SSO-enforced accounts).
  p(`  Or let the tool create it: run the same command with ${out.err.bold('--create')}. It signs in with the account password (an organization owner's for an OAT), used once and never stored; accounts that must sign in with SSO cannot.`);
  // REFERENCE 8: GitHub Actions pushing to an organization needs no stored token.
  if (opts.repository) p(`  If CI is GitHub Actions pushing to an organization's repositories, Docker Hub's OIDC connections need no stored token (docker/login-action@v4, username: the organization, DOCKERHUB_OIDC_CONNECTIONID). They cover registry login only: ECS, Batch, CodeBuild, ECR pull-through cache and personal accounts still read a token from this secret.`);
  out.info('');
  p(`  ${out.err.yellow('!')} Docker Hub shows the token only once: copy it now.`);
  if (opts.rotation) p(`  ${out.err.yellow('!')} Do not revoke the old token yet: CI still uses it until the rotation is done.`);
  out.info('');
}

export interface Collected {
  creds: Credentials;
  repository: string | undefined;
  source: 'prompt' | 'stdin' | 'env' | 'local-login';
}

interface CollectOptions {
  tokenStdin: boolean;
  defaultUsername?: string;
  rotation: boolean;
  /** The run's one label suggestion (suggestLabel), shown in the guide and again at the label question. */
  labelSuggestion: string;
  /** The repository remembered for the secret: the default at the repository question. */
  defaultRepository?: string;
}

/**
 * Offers the local Docker Hub login for CI only when it holds an access token,
 * after saying what it is, and only on an explicit yes (REFERENCE 2,
 * "Auto-generated PATs"): never an account password, never a session's token.
 */
async function offerLocalLogin(ctx: Context): Promise<LocalLogin | undefined> {
  const { out } = ctx;
  const step = await out.step('Looking for a local Docker Hub login');
  const probe = await probeLocalLogin(ctx.env, ctx.signal);
  const login = probe.found;
  if (!login) {
    step.succeed(`Local Docker credentials: ${probe.notes.join('; ') || 'no Docker Hub login'}`);
    return undefined;
  }
  step.succeed(`Local Docker Hub login found: ${login.username} (${login.kind}, from ${login.source})`);
  for (const note of probe.notes) out.warn(note);
  if (login.kind === 'password') {
    out.info('  It is an account password, which is never offered for CI: it opens the whole account, cannot be limited or revoked on its own, and stops working once two-factor authentication is on. Create a token instead.', { wrap: true });
    return undefined;
  }
  if (!login.reusable) {
    out.info(`  A ${login.kind} is tied to a desktop session and cannot serve as a CI credential; create a dedicated token.`, { wrap: true });
    return undefined;
  }
  if (login.kind === 'personal access token') {
    out.warn(
      login.webLoginEntries
        ? 'This token looks auto-generated: the store also holds the entries of docker login\'s web flow or Docker Desktop.'
        : 'This token may be auto-generated: docker login\'s web flow and Docker Desktop store such tokens.',
      { wrap: true },
    );
    out.info('  An auto-generated token has full Read, Write, Delete rights and is deleted when that session ends or newer ones are made, which would break CI without warning. Reuse it only if you created it yourself for CI.', { wrap: true });
  }
  if (!ctx.prompter.interactive) return undefined;
  const reuse = await ctx.prompter.confirm({
    message: `Reuse the ${login.kind} of ${login.username} for CI (only if you created it for CI)?`,
    default: false,
    flag: '--token-stdin',
  });
  return reuse ? login : undefined;
}

/** Docker ID, token and repository, from flags, environment, stdin or prompts. */
export async function collectCredentials(ctx: Context, o: CollectOptions): Promise<Collected> {
  const { prompter, settings, out } = ctx;
  let token = tokenFromOutside(ctx);
  let source: Collected['source'] = ctx.supplied?.source ?? 'env';
  let username = settings.username ?? o.defaultUsername;

  if (token === undefined) {
    const local = prompter.interactive ? await offerLocalLogin(ctx) : undefined;
    if (local) {
      token = local.secret;
      username ??= local.username;
      source = 'local-login';
    } else if (prompter.interactive) {
      guidePatCreation(ctx, { repository: settings.repository ?? o.defaultRepository, rotation: o.rotation, label: o.labelSuggestion });
    }
  }

  // Flags and variables were checked before the command started; a prompt answer is checked by the same rules.
  username =
    settings.username ??
    (await prompter.input({
      message: 'Docker ID (or organization name for an organization token):',
      default: username && checkAnswer('username', username) === true ? username : undefined,
      validate: (v) => checkAnswer('username', v),
      flag: '--username (or DOCKERHUB_USERNAME)',
    }));
  const usernameOk = checkAnswer('username', username);
  if (usernameOk !== true) {
    // A default taken from the stored value or the local login: say so without quoting it.
    throw usageError('The Docker ID to use is not valid, so it was not used or shown.', 'Pass your Docker ID with --username (or DOCKERHUB_USERNAME).');
  }

  if (token === undefined) {
    if (!prompter.interactive) {
      throw usageError('No token was given.', 'Pipe it with --token-stdin or set DOCKERHUB_TOKEN; it is never accepted as an argument.');
    }
    token = await askToken(ctx, o.rotation ? 'New access token (input hidden):' : 'Access token (input hidden):', username);
    source = 'prompt';
  }

  if (!looksLikeAccessToken(token)) {
    out.warn('The token does not look like a Docker Hub access token (dckr_pat_ or dckr_oat_ and 27 characters); continuing.');
  }
  if (!isDockerId(username) && tokenKind(token) !== 'oat') {
    throw usageError(
      `"${username}" is not a Docker ID (4 to 30 lowercase letters and digits).`,
      'Organization names work only with an organization access token (dckr_oat_...).',
    );
  }

  // A repository given by flag, variable or config file is the answer; a remembered one is the default to confirm
  // at a terminal, and the answer without one (so push is still checked where CI pushes).
  let repository = settings.repository ?? o.defaultRepository;
  if (prompter.interactive && settings.repository === undefined) repository = await askRepository(ctx, o.defaultRepository);
  return { creds: { username, token }, repository, source };
}

/** The repository whose push rights are checked; empty skips the check (also asked again by recovery). */
export async function askRepository(ctx: Context, current: string | undefined): Promise<string | undefined> {
  return (
    (await ctx.prompter.input({
      message: 'Repository CI pushes to (namespace/name; empty to skip the push check):',
      default: current ?? '',
      validate: (v) => (v.trim() === '' ? true : checkAnswer('repository', v)),
      optional: true,
      flag: '--repository',
    })) || undefined
  );
}

/**
 * The token, asked in a masked prompt. Only an answer that is used as the token
 * is protected from then on; the Docker ID typed here by mistake is refused
 * before it is taken for a token (and so never redacted from every later line).
 */
export async function askToken(ctx: Context, message: string, username: string | undefined): Promise<string> {
  const token = normalizeToken(
    await ctx.prompter.password({
      message,
      validate: (v) => {
        const t = normalizeToken(v);
        if (!t) return 'Paste the token Docker Hub showed you.';
        if (username && t.toLowerCase() === username.toLowerCase()) return 'That is the Docker ID; paste the access token Docker Hub showed you (dckr_pat_...).';
        return true;
      },
      flag: '--token-stdin',
    }),
  );
  registerSecret(token);
  return token;
}

/**
 * A token answer that was replaced ("Paste another token") is no longer the
 * token: it stops being redacted when it is a name typed at the wrong prompt (a
 * Docker ID, or a repository). Anything else typed there may be a password or
 * another token, and stays hidden for the rest of the run.
 */
export function releaseReplacedToken(previous: string): void {
  if (!/^dckr_/i.test(previous) && (isDockerId(previous) || validateRepository(previous) === true)) unregisterSecret(previous);
}
