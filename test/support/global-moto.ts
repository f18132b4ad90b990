// One moto_server for the whole run, shared by every file whose world runs on moto
// (test/support/world.ts): starting moto costs about 2 s of a core, and it was
// started once per file. Secrets in it are named per file and per run (uniqueName),
// so files never see each other's. A file that needs a moto of its own (IAM users,
// counting what ListSecrets lists) starts one itself; DHC_TEST_OWN_MOTO=1 gives
// every file its own again.
import type { TestProject } from 'vitest/node';
import { spawnSync } from 'node:child_process';
import { startMoto } from './moto.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared moto's URL, or '' when every file starts its own. */
    motoUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DHC_TEST_OWN_MOTO === '1' || spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error !== undefined) {
    project.provide('motoUrl', '');
    return undefined;
  }
  const moto = await startMoto();
  project.provide('motoUrl', moto.url);
  return () => moto.stop();
}
