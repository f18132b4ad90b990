import { CliError, ExitCode, cancelled, isCliError, usageError } from '../errors.js';
import { profileRegion } from '../aws/region.js';
import { askSecretId, commandLine, openAskedSecret } from '../flows/secret-id.js';
import type { Context } from '../context.js';
import { CURRENT, strayPending, versionWithStage, type SecretInfo } from '../domain/secret.js';
import type { SecretStore } from '../aws/store.js';
import { checkCredentialValue, age, formatDate } from '../domain/value.js';
import { collectCredentials } from '../flows/collect.js';
import { agentHelperCommand, agentLoginCommand, buildValue } from '../domain/write-value.js';
import { CONSUMERS, ECR_PREFIX, aliasDrift, aliasFor, assertConsumerRules, consumerRuleProblems, declaredConsumers, handOverSnippets, recordedConsumers, type Consumer } from '../domain/consumers.js';
import { LIVE_PENDING_MS, StagedWrite, describePending, recordConsumers, readBackAfterWrite, rotationInProgress } from '../flows/write.js';
import { accessDrops, assertNewLabel, expiryFacts, lifecycleFromFlags, metaOf, recordedLabels, rememberedRepository, suggestLabel, type LifecycleFlags } from '../domain/lifecycle.js';
import { askLifecycle, confirmAccessDrops, recordMeta } from '../flows/lifecycle.js';
import { validateWithRecovery } from '../flows/recover.js';
import { confirmOrYes } from '../flows/describe.js';
import { checkAnswer } from '../flows/inputs.js';
import { sameSecret } from '../ui/redact.js';
import { askRepository, type Collected } from '../flows/collect.js';
import type { HubReport } from '../flows/validate.js';
import { createToken, undoCreated, type Created } from '../flows/create.js';
import { hubFactsJson, recordHubFacts } from '../flows/hub-facts.js';
import type { SignInFlags } from '../flows/signin.js';
import { isDockerId } from '../domain/tokens.js';
import type { Credentials } from '../domain/tokens.js';

interface SetupOptions extends LifecycleFlags, SignInFlags {
  tokenStdin?: boolean;
  /** Every --repository, when repeated (src/program.ts): the list of an OAT made with --create. */
  repositories?: string[];
}

/** Step 1: which secret, and may we write it? */
async function preflight(ctx: Context): Promise<{ store: SecretStore; info: SecretInfo; existing?: Record<string, unknown>; currentId?: string; currentToken?: string; currentUsername?: string }> {
  const { prompter, out, settings } = ctx;
  // Answered at the prompt (no flag, variable or config value): a mistyped name is asked again.
  const asked = !settings.origin.secretId;
  const answered = await askSecretId(ctx);
  // settings.region already holds the flag, the environment and the config file; next comes the
  // profile's own region, as the SDK reads it. Only without any is it asked, with no default invented.
  if (!settings.region && prompter.interactive && !profileRegion(ctx.env, settings.profile)) {
    settings.region = await prompter.input({ message: 'AWS region (for example eu-west-2):', validate: (v) => checkAnswer('region', v), flag: '--region' });
  }
  // A name mistyped at the prompt is asked again (openAskedSecret), naming close matches.
  const { store, info } = await openAskedSecret(ctx, answered, asked, (store) =>
    out.track(`Checking ${store.secretId} in Secrets Manager`, () => store.describeLive(), {
      done: (i) => `Secret ${i.name} exists (${i.arn})`,
      failed: `Cannot use ${store.secretId}`,
    }),
  );
  const secretId = store.secretId;
  const currentId = versionWithStage(info, CURRENT);
  if (!currentId) return { store, info };

  const current = await store.get({ stage: CURRENT });
  const check = checkCredentialValue(current.secretString);
  const pending = strayPending(info);
  if (pending) {
    const staged = await describePending(store, pending, check, ctx.clock());
    if (staged.ageMs < LIVE_PENDING_MS) {
      throw rotationInProgress(ctx, secretId, pending, staged.ageMs);
    }
    out.warn(`AWSPENDING (version ${pending}) holds ${staged.summary} from a rotation that did not finish; setup replaces it.`);
  }
  if (check.problems.length === 0) {
    out.warn(
      `${info.name} already holds a token for ${check.username} (${check.tokenLength} characters, changed ${
        // When AWSCURRENT's version was written: LastChangedDate also moves when only a stage is written.
        current.created ? `${formatDate(current.created)}, ${age(current.created)}` : 'at an unknown time'
      }).`,
    );
    out.info(`  To replace a working token safely, use rotate: ${commandLine(ctx, 'rotate', secretId)}`);
  } else {
    out.warn(`${info.name} already holds a value that is not a valid credential: ${check.problems.join(' ')}`);
  }
  const replace =
    settings.yes ||
    (await prompter.confirm({ message: 'Replace the stored value with a new one?', default: false, flag: '--yes' }));
  if (!replace) throw new CliError('not-replaced', 'Left the stored value as it was.', `Use ${commandLine(ctx, 'rotate', secretId)} to replace it safely.`, ExitCode.Usage);
  return { store, info, existing: check.parsed, currentId, currentToken: check.token ?? undefined, currentUsername: check.problems.length === 0 ? (check.username ?? undefined) : undefined };
}

/** `setup`: probe, guide, collect, validate, store, verify, hand over. */
export async function setup(ctx: Context, opts: SetupOptions): Promise<number> {
  const { out, settings } = ctx;
  out.heading('dockerhub-credentials setup');
  const given = lifecycleFromFlags(opts);
  // A consumer's rules are checked before anything else (exit 2, nothing written).
  assertConsumerRules(settings.consumers, await askSecretId(ctx));
  const { store, info, existing, currentId, currentToken, currentUsername } = await preflight(ctx);
  settings.consumers = declaredConsumers(settings.consumers, info.tags);
  // --token-stdin is a scripted run (collect refuses it at a terminal): no question then.
  const consumers = opts.tokenStdin ? settings.consumers : await chooseConsumers(ctx, existing, info);
  assertConsumerRules(consumers, store.secretId);
  const replacing = currentId !== undefined;
  const secretId = store.secretId;
  // One label suggestion for the guide and the label question; a replaced token's label is not reused.
  // The remembered repository is only a default to confirm here: unattended, setup checks what it is given.
  const remembered = rememberedRepository(info);
  const labels = { suggestion: suggestLabel(settings.repository ?? remembered, recordedLabels(info).values(), ctx.clock()), current: currentId ? metaOf(info, currentId).label : undefined };

  let created: Created | undefined;
  let collected: Collected;
  if (opts.create) {
    // --create: the tool makes the token (REFERENCE 7); it then goes through the same validation and storing as a pasted one.
    assertNewLabel(given, labels.current, labels.suggestion);
    const account =
      settings.username ??
      (await ctx.prompter.input({ message: 'Docker ID the token is for (or the organization, for an organization access token):', validate: (v) => checkAnswer('username', v), flag: '--username (or DOCKERHUB_USERNAME)' }));
    const oat = Boolean(opts.owner ?? ctx.env.DOCKERHUB_OWNER) || !isDockerId(account);
    if (!oat && opts.repositories) throw usageError('--repository is given several times, but a personal access token cannot be limited to repositories (REFERENCE 2).', 'Give --repository once (where CI pushes), or make an organization access token: --owner ID with the organization as --username.');
    const repo = settings.repository ?? (ctx.prompter.interactive ? await askRepository(ctx, remembered) : remembered);
    // The label suggestion names the repository, now that it is known.
    const suggestion = repo && !settings.repository ? suggestLabel(repo, recordedLabels(info).values()) : labels.suggestion;
    const request = { account, repository: repo, push: repo !== undefined, repositories: opts.repositories, labels: { ...labels, suggestion }, given };
    try {
      created = await createToken(ctx, opts, { kind: oat ? 'oat' : 'pat', ...request });
    } catch (e) {
      // An organization's name looks like a Docker ID offline; Docker Hub says which it is. At a terminal the run
      // goes on as an organization token, asking for an owner (the second stranger was asked for the org's password).
      if (oat || !ctx.prompter.interactive || !isCliError(e) || e.code !== 'organization-sign-in') throw e;
      ctx.out.warn(`${account} is an organization: its token is an organization access token, created by an owner.`);
      created = await createToken(ctx, { ...opts, owner: undefined }, { kind: 'oat', ...request });
    }
    collected = { creds: created.creds, repository: repo, source: 'env' };
  } else {
    collected = await collectCredentials(ctx, { tokenStdin: Boolean(opts.tokenStdin), rotation: false, labelSuggestion: labels.suggestion, defaultRepository: ctx.prompter.interactive ? remembered : undefined });
  }
  let creds!: Credentials;
  let validation!: HubReport;
  let repository: string | undefined;
  let meta!: Awaited<ReturnType<typeof askLifecycle>> & { access?: string; push?: boolean };
  let value!: ReturnType<typeof buildValue>;
  let versionId!: string;
  try {
  // Replacing a token with another: the rules of rotate (a label of its own, no silent drop in access).
  // The same token stored again is not a second token, and does no less than itself.
  const another = (token: string) => replacing && (currentToken === undefined || !sameSecret(token, currentToken));
  if (another(collected.creds.token)) assertNewLabel(given, labels.current, labels.suggestion);
  // CI would pull and push as someone else from now on: said and asked, as rotate does (before Docker Hub is asked,
  // and again if recovery changed the account).
  let confirmedFor = currentUsername;
  const confirmAccount = async (username: string) => {
    if (!replacing || confirmedFor === undefined || username === confirmedFor) return;
    out.warn(`This replaces the account CI uses: from ${currentUsername} to ${username}.`);
    if (!(await confirmOrYes(ctx, `Store the token of ${username}?`))) {
      throw new CliError('not-replaced', `Kept the token of ${currentUsername}.`, `To stay with ${currentUsername}, use a token created by ${currentUsername}.`, ExitCode.Usage);
    }
    confirmedFor = username;
  };
  await confirmAccount(collected.creds.username);

  out.info('');
  out.heading('Validating against Docker Hub');
  // A created token's refused push offers the *What now?* choices too (a repository to change, or skip); if the run ends, the token is deleted.
  ({ creds, validation, repository } = await validateWithRecovery(ctx, collected.creds, collected.repository, { created: Boolean(created) }));
  await confirmAccount(creds.username);
  if (another(creds.token)) {
    await confirmAccessDrops(ctx, accessDrops(metaOf(info, currentId!), remembered, validation), { rotateLine: `${commandLine(ctx, 'rotate', secretId)} --token-stdin --yes` });
  }
  meta = { ...(created ? created.meta : await askLifecycle(ctx, given, labels)), access: validation.accessLevel ?? undefined, push: validation.push === 'granted' };

  if (ctx.signal.aborted) throw cancelled();
  value = buildValue(existing, creds, consumers);
  // A first value is a plain put; a replacement is staged and promoted by compare-and-swap,
  // so that of two runs writing at once exactly one wins and the other says so.
  const write = new StagedWrite(ctx, store, currentId);
  versionId = await out.track(
    `Storing the token in ${secretId}`,
    async () => {
      if (!replacing) return write.putFirst(value.json);
      try {
        await write.stage(value.json);
        if (ctx.isCancelled()) throw cancelled();
        await write.confirmStaged(creds, value.json);
        await write.promote();
      } catch (e) {
        const failure = await write.failure(e);
        if (failure) throw failure;
      }
      await write.unstageOrWarn();
      return write.versionId!;
    },
    {
      done: (id) => `Stored as a new AWSCURRENT version (${id})${replacing ? '; the old value is now AWSPREVIOUS' : ''}`,
      failed: `Could not store the token in ${secretId}`,
    },
  );
  } catch (e) {
    // Nothing stored: a token this run created is deleted again, and the failure says so.
    throw await undoCreated(ctx, created, e);
  }
  if (value.keptKeys.length) out.info(`  Kept the other keys of the existing value: ${value.keptKeys.join(', ')}`);
  const stored = `the new value is AWSCURRENT (version ${versionId}), confirmed by Secrets Manager${replacing ? `; to restore the previous one: ${commandLine(ctx, 'rollback', secretId)}` : ''}`;
  if (ctx.isCancelled()) throw cancelled(stored);
  await recordMeta(ctx, store, info, versionId, { ...meta, username: creds.username }, repository);
  if (created) await recordHubFacts(ctx, store, info, versionId, created.facts);
  await recordConsumers(ctx, store, consumers);

  const readBack = await out.step('Reading the value back');
  const inspection = await readBackAfterWrite(ctx, store, 'Stored', stored, versionId).catch((e: unknown) => {
    // An expected failure (another run's version read back, or the read failing) is reported once, in its own words.
    if (isCliError(e)) out.stopSpinner();
    else readBack.fail('Could not read the value back');
    throw e;
  });
  const { check } = inspection;
  const problems = [...check.problems, ...aliasDrift(check)];
  if (check.token === undefined || !sameSecret(check.token, creds.token) || check.username !== creds.username) {
    problems.push('The stored value differs from the token just validated.');
  }
  if (problems.length) {
    readBack.fail('The stored value did not check out');
    throw new CliError('verify-failed', problems.join(' '), `Run ${commandLine(ctx, 'verify', secretId)} to see the current state.`, ExitCode.Aws);
  }
  readBack.succeed(`Verified: username ${check.username}, token ${check.tokenLength} characters`);

  const arn = inspection.info.arn;
  if (settings.json) {
    out.json({
      ok: true,
      secretId,
      arn,
      versionId,
      replaced: replacing,
      username: check.username,
      tokenLength: check.tokenLength,
      keptKeys: value.keptKeys,
      consumers,
      aliasKeys: value.aliasKeys,
      label: meta.label ?? null,
      expiresAt: expiryFacts(meta, 0).expiresAt,
      validation,
      hubToken: created ? { ...hubFactsJson(created.facts), label: created.token.label } : null,
    });
    return ExitCode.Ok;
  }
  const c = out.out;
  out.data('');
  out.data(`${c.green('✓')} ${c.bold('Done.')} CI can now read the Docker Hub token from Secrets Manager.`);
  out.data(`  secret:       ${arn}`);
  out.data(`  username:     ${check.username}`);
  out.data(`  token length: ${check.tokenLength} characters`);
  if (value.aliasKeys.length) out.data(`  also as:      ${value.aliasKeys.join(', ')} (the same token, for ${consumers.length ? consumers.join(', ') : 'the keys already there'})`);
  out.data('');
  out.data('Next:');
  out.data('  1. Give CI agents the read policy from terraform/ (GetSecretValue and DescribeSecret on this secret only).');
  out.data('  2. In the CI job, log in with (the token goes only to docker\'s stdin):');
  out.data(`     ${agentLoginCommand(arn, settings.region)}`);
  out.data('     or, once per agent, let docker read the secret on every pull and push (nothing stored on disk):');
  out.data(`     ${agentHelperCommand(arn, settings.region)}`);
  out.data(`  3. Check it any time with: ${commandLine(ctx, 'verify', secretId)}`);
  for (const line of handOverSnippets(consumers, { arn, name: inspection.info.name, region: settings.region, secretId })) out.data(`  ${line}`);
  return ExitCode.Ok;
}

/**
 * Who will read the secret: declared (--consumers, environment, config file), or
 * at a terminal a checkbox list with the current value's keys preselected.
 */
async function chooseConsumers(ctx: Context, existing: Record<string, unknown> | undefined, info: SecretInfo): Promise<Consumer[]> {
  const declared = ctx.settings.consumers;
  if (declared.length || !ctx.prompter.interactive) return declared;
  const labels: Record<Consumer, string> = {
    ecs: 'ECS task definitions (repositoryCredentials): adds "password"',
    batch: 'AWS Batch jobs (repositoryCredentials): adds "password"',
    codebuild: 'CodeBuild (registryCredential): adds "password"',
    'ecr-pull-through-cache': 'ECR pull-through cache: adds "accessToken"',
  };
  // What the last setup recorded; without a record, the keys the value holds (password serves three of them).
  const recorded = recordedConsumers(info.tags);
  const had = (c: Consumer) => (recorded ? recorded.includes(c) : existing !== undefined && aliasFor(c) in existing);
  return ctx.prompter.checkbox<Consumer>({
    message: 'Which AWS services will read this secret besides CI jobs? (space to select, enter to confirm)',
    choices: CONSUMERS.map((c) => {
      // A consumer whose rules this secret breaks is shown, but cannot be chosen.
      const broken = consumerRuleProblems([c], ctx.settings.secretId ?? '').length > 0;
      return { name: labels[c], value: c, checked: !broken && had(c), disabled: broken ? `(needs a name starting ${ECR_PREFIX})` : undefined };
    }),
    flag: '--consumers',
  });
}

