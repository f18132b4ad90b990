// What `npm run demo` and `npm run sandbox` share: moto (Secrets Manager) and the
// Docker Hub stand-in from test/support, the demo accounts, and the empty secret
// that Terraform would leave behind.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startMoto } from '../test/support/moto.mjs';
import { makePat, startHubStandin } from '../test/support/hub-standin.mjs';

export const REGION = 'eu-west-2';
export const SECRET_ID = 'demo/dockerhub';
export const USERNAME = 'demouser';
export const ORGANIZATION = 'demoorg';

/** Exits 2 with the install hint when moto_server is missing. */
export function requireMoto(what) {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error) {
    console.error(`✗ ${what} needs moto_server (the AWS emulator). Install it with: pip install "moto[server]"`);
    process.exit(2);
  }
}

/**
 * Demo tokens, fresh for each run and known only to the stand-in. `label` is
 * what the sandbox prints (short enough for an 80-column row); `account` is the
 * stand-in's account (its shape is in test/support/hub-standin.mjs).
 */
export function demoTokens() {
  const pat = (label, account, username = USERNAME) => ({ label, username, token: account.secret, account: { username, kind: 'pat', ...account } });
  const rows = [
    pat('read & write', { secret: makePat(), level: 'write', state: 'ok' }),
    pat('read & write, to rotate to', { secret: makePat(), level: 'write', state: 'ok' }),
    pat('read-only (lacks push)', { secret: makePat(), level: 'read', state: 'ok' }),
    pat('revoked', { secret: makePat(), level: 'write', state: 'revoked' }),
    pat('expired', { secret: makePat(), level: 'write', state: 'expired' }),
    pat("another account's", { secret: makePat(), level: 'write', state: 'ok' }, 'otheruser'),
  ];
  // An organization access token logs in with the organization's name and lists
  // its repositories (REFERENCE 2, "Organization access tokens (OAT)").
  const oat = makePat('dckr_oat_');
  rows.push({
    label: 'organization token (OAT)',
    username: ORGANIZATION,
    token: oat,
    account: { username: ORGANIZATION, secret: oat, kind: 'oat', state: 'ok', grants: { [`${ORGANIZATION}/app`]: ['pull', 'push'] } },
  });
  return rows;
}

/**
 * Demo passwords, for `--create`, `retire` and `tokens` (the tool signs in with a password to
 * manage tokens: REFERENCE 7). Fresh each run. The two-factor account's code is fixed, so it can
 * be typed from the sandbox's own text. demouser owns demoorg, so it can create the organization's
 * tokens. The second stranger's trial found none of this could be tried in the sandbox.
 */
export function demoPasswords() {
  const word = () => `demo-${randomBytes(6).toString('hex')}`;
  const plain = word();
  const twoFactor = word();
  return {
    rows: [
      { username: USERNAME, password: plain, note: `password of ${USERNAME} (owner of ${ORGANIZATION})` },
      { username: 'twofauser', password: twoFactor, note: 'two-factor account; its code is 123456' },
    ],
    accounts: [
      { username: USERNAME, secret: plain, kind: 'password', level: 'admin', state: 'ok' },
      { username: 'twofauser', secret: twoFactor, kind: 'password', level: 'admin', state: 'ok', twoFactor: true, code: '123456' },
    ],
    orgs: [{ name: ORGANIZATION, owners: [USERNAME], cap: 10 }],
  };
}

/** Starts moto and the stand-in with these accounts; stops whichever started if the other fails. */
export async function startServices(accounts, orgs = []) {
  const moto = await startMoto();
  try {
    const hub = await startHubStandin({ accounts, orgs });
    return { moto, hub };
  } catch (e) {
    await moto.stop();
    throw e;
  }
}

/** The secret as Terraform creates it: a name and a description, no value. */
export async function createEmptySecret(motoUrl, region = REGION, secretId = SECRET_ID) {
  const res = await fetch(motoUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.CreateSecret', authorization: `AWS4-HMAC-SHA256 Credential=demo/20260101/${region}/secretsmanager/aws4_request` },
    body: JSON.stringify({ Name: secretId, Description: 'Docker Hub token for CI (demo)' }),
  });
  if (!res.ok) throw new Error(`moto did not create the secret ${secretId}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/** The variables that point the CLI at moto and the stand-in. */
export function serviceEnv({ moto, hub }) {
  return {
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.url,
    DOCKERHUB_CREDENTIALS_REGISTRY: hub.url,
    DOCKERHUB_CREDENTIALS_HUB_URL: hub.url,
    DOCKERHUB_CREDENTIALS_SECRET_ID: SECRET_ID,
  };
}
