declare const __VERSION__: string;
/** Injected by the bundler from package.json. */
export const VERSION: string = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
