declare const __VERSION__: string;
declare const __SEA__: boolean | undefined;
/** Injected by the bundler from package.json. */
export const VERSION: string = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** Whether this build is a single executable (scripts/build-binaries.mjs defines it). */
export const SINGLE_EXECUTABLE: boolean = typeof __SEA__ === 'boolean' && __SEA__;

/** What --version prints: a single executable also names the Node inside it and its platform. */
export const versionLine = (): string =>
  SINGLE_EXECUTABLE ? `${VERSION} (single executable; Node ${process.version}, ${process.platform}-${process.arch})` : VERSION;
