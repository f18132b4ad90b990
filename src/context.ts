import type { Settings } from './config.js';
import type { Output, Streams } from './ui/output.js';
import type { Prompter } from './ui/prompter.js';
import type { OpenStore } from './aws/store.js';
import type { Fetch } from './net/proxy.js';
import type { DockerRunner } from './docker/login.js';

/** A token supplied without a prompt. Read before anything else runs. */
export interface SuppliedToken {
  value: string;
  source: 'stdin' | 'env';
}

/** Everything a command needs, so commands never reach for globals and tests can swap parts. */
export interface Context {
  settings: Settings;
  out: Output;
  prompter: Prompter;
  streams: Streams;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** The token from stdin or DOCKERHUB_TOKEN, read and checked before the command started (src/flows/inputs.ts). */
  supplied?: SuppliedToken;
  /** The Docker Hub password from DOCKERHUB_PASSWORD or --password-stdin, for --create, retire, tokens and rollback (src/flows/signin.ts). */
  password?: { value: string; source: 'env' | 'stdin' };
  /**
   * A Docker Hub token this run created and has not deleted (src/flows/create.ts): what a
   * last-resort stop must name, since the run could not say what became of it.
   */
  createdToken?: { label: string; id: string; page: string };
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Whether Ctrl-C was pressed (checked after steps that must not be interrupted). */
  isCancelled(): boolean;
  /** Runs `fn` with Ctrl-C deferred until it finishes: for writes that must not be cut in half. */
  critical<T>(fn: () => Promise<T>): Promise<T>;
  // The seams: everything a command reaches outside the process through. main() fills in
  // the real ones; tests hand in others (an in-memory Secrets Manager, a stubbed fetch).
  /** Opens the Secrets Manager store (the AWS SDK's, by default). */
  secrets: OpenStore;
  /** HTTP to Docker Hub and other registries (proxy-aware by default). */
  fetch: Fetch;
  /** Runs the docker CLI (execa by default). */
  docker: DockerRunner;
  /** The time now. */
  clock: () => Date;
}
