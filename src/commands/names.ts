/** The commands, in the order help lists them: the one list that help, quick answers and the loader use. */
export const COMMANDS = ['setup', 'rotate', 'verify', 'status', 'history', 'rollback', 'login', 'logout', 'retire', 'tokens'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const isCommandName = (word: string | undefined): word is CommandName => (COMMANDS as readonly string[]).includes(word as string);
