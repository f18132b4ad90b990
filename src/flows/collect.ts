import { usageError } from '../errors.js';
import type { Context } from '../context.js';
import { suggestedLabel } from './lifecycle.js';
import { probeLocalLogin, type LocalLogin } from '../docker/config.js';
import {
  OAT_PLACE,
  PAT_PAGE,
  isDockerId,
  looksLikeAccessToken,
  normalizeToken,
  tokenKind,
  validateRepository,
  validateUsername,
} from '../hub/tokens.js';
import type { Credentials } from '../hub/registry.js';
import { registerSecret } from '../ui/redact.js';

const MAX_STDIN = 64 * 1024;

/** Where the token may come from without a prompt: stdin or DOCKERHUB_TOKEN, never an argument. */
async function tokenFromOutside(ctx: Context, tokenStdin: boolean): Promise<string | undefined> {
  if (tokenStdin) {
    if (ctx.stdin.isTTY) {
      throw usageError('--token-stdin needs the token piped in, not typed at a terminal where it would be echoed.', 'Leave out --token-stdin to get a masked prompt, or pipe the token: printf %s "$TOKEN" | dockerhub-credentials ...');
    }
    let raw = '';
    for await (const chunk of ctx.stdin) {
      raw += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
      if (raw.length > MAX_STDIN) throw usageError('The input on stdin is far too long to be a token.', 'Pipe only the token.');
    }
    registerSecret(raw.trim());
    const token = normalizeToken(raw);
    if (!token) throw usageError('--token-stdin was given, but stdin was empty.', 'Pipe the token: printf %s "$TOKEN" | dockerhub-credentials ...');
    return token;
  }
  const fromEnv = ctx.env.DOCKERHUB_TOKEN;
  if (fromEnv !== undefined) {
    // Read once, then gone from the environment: no child process inherits it.
    delete ctx.env.DOCKERHUB_TOKEN;
    registerSecret(fromEnv.trim());
    const token = normalizeToken(fromEnv);
    if (!token) throw usageError('DOCKERHUB_TOKEN is set but empty.', 'Set it to the token, or unset it to be prompted.');
    return token;
  }
  return undefined;
}

/**
 * Step 3 of the runbook, made explicit: which kind of token, where to click,
 * what to choose, what to remember (REFERENCE 2, "Tokens and usernames", "OAT").
 */
export function guidePatCreation(ctx: Context, opts: { repository?: string; rotation: boolean }): void {
  const { out } = ctx;
  // The same label is suggested again when the tool records it, so Docker Hub's list and verify agree.
  const label = suggestedLabel(opts.repository);
  const repos = opts.repository ?? 'each repository CI uses';
  out.info('');
  out.heading(opts.rotation ? 'Create the new access token' : 'Create a Docker Hub access token');
  out.info('  Which kind: for an organization on a Team or Business plan, an organization access token (OAT) is');
  out.info('  recommended for CI: it belongs to the organization, not a person, and lists the repositories it may use.');
  out.info('  Otherwise, a personal access token (PAT).');
  out.info('');
  out.info(`  ${out.err.bold('Personal access token')} (username: your Docker ID)`);
  out.info(`  1. Open ${out.err.cyan(PAT_PAGE)}`);
  out.info('     (Account settings > Personal access tokens > Generate new token).');
  out.info(`  2. Description: ${out.err.bold(label)}`);
  out.info('  3. Access: Read & Write if CI pushes images; Read-only for pull-only CI.');
  out.info("  4. Expiry: match your team's rotation policy (for example 90 days); you will be asked which you chose.");
  out.info('');
  out.info(`  ${out.err.bold('Organization access token')} (username: the organization's name, not your Docker ID)`);
  out.info(`  1. Open ${out.err.cyan(OAT_PLACE)} > Generate access token.`);
  out.info(`  2. Label: ${out.err.bold(label)}; repositories: ${repos}, with Pull, and Push if CI pushes.`);
  out.info("  3. Expiry: match your team's rotation policy.");
  out.info('');
  out.info(`  ${out.err.yellow('!')} Docker Hub shows the token only once: copy it now.`);
  if (opts.rotation) out.info(`  ${out.err.yellow('!')} Do not revoke the old token yet: CI still uses it until the rotation is done.`);
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
    out.info('  It is an account password, which is never offered for CI: it opens the whole account, cannot be limited');
    out.info('  or revoked on its own, and stops working once two-factor authentication is on. Create a token instead.');
    return undefined;
  }
  if (!login.reusable) {
    out.info(`  A ${login.kind} is tied to a desktop session and cannot serve as a CI credential; create a dedicated token.`);
    return undefined;
  }
  if (login.kind === 'personal access token') {
    out.warn(
      login.webLoginEntries
        ? 'This token looks auto-generated: the store also holds the entries of docker login\'s web flow or Docker Desktop.'
        : 'This token may be auto-generated: docker login\'s web flow and Docker Desktop store such tokens.',
    );
    out.info('  An auto-generated token has full Read, Write, Delete rights and is deleted when that session ends or newer');
    out.info('  ones are made, which would break CI without warning. Reuse it only if you created it yourself for CI.');
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
  let token = await tokenFromOutside(ctx, o.tokenStdin);
  let source: Collected['source'] = o.tokenStdin ? 'stdin' : 'env';
  let username = settings.username ?? o.defaultUsername;

  if (token === undefined) {
    const local = prompter.interactive ? await offerLocalLogin(ctx) : undefined;
    if (local) {
      token = local.secret;
      username ??= local.username;
      source = 'local-login';
    } else if (prompter.interactive) {
      guidePatCreation(ctx, { repository: settings.repository, rotation: o.rotation });
    }
  }

  username =
    settings.username ??
    (await prompter.input({
      message: 'Docker ID (or organization name for an organization token):',
      default: username,
      validate: validateUsername,
      flag: '--username (or DOCKERHUB_USERNAME)',
    }));
  if (/^dckr_(pat|oat)_/.test(username) || username.length > 64) {
    // Never echo it: this is what a token pasted into the wrong place looks like.
    registerSecret(username);
    throw usageError('The username looks like an access token, so it was not used or shown.', 'Pass your Docker ID with --username, and the token on stdin (--token-stdin) or in DOCKERHUB_TOKEN. If the token was on a command line, treat it as exposed and rotate it.');
  }
  const usernameOk = validateUsername(username);
  if (usernameOk !== true) throw usageError(`"${username}" is not a valid Docker ID.`, usernameOk);

  if (token === undefined) {
    if (!prompter.interactive) {
      throw usageError('No token was given.', 'Pipe it with --token-stdin or set DOCKERHUB_TOKEN; it is never accepted as an argument.');
    }
    token = normalizeToken(
      await prompter.password({
        message: o.rotation ? 'New access token (input hidden):' : 'Access token (input hidden):',
        validate: (v) => (normalizeToken(v) ? true : 'Paste the token Docker Hub showed you.'),
        flag: '--token-stdin',
      }),
    );
    registerSecret(token);
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

  let repository = settings.repository;
  if (prompter.interactive) {
    repository =
      (await prompter.input({
        message: 'Repository CI pushes to (namespace/name; empty to skip the push check):',
        default: repository ?? '',
        validate: (v) => (v.trim() === '' ? true : validateRepository(v.trim())),
        optional: true,
        flag: '--repository',
      })) || undefined;
  }
  if (repository) {
    const ok = validateRepository(repository);
    if (ok !== true) throw usageError(`"${repository}" is not a repository name.`, ok);
  }
  return { creds: { username, token }, repository, source };
}
