import { cancelled, usageError } from '../errors.js';
import type { Streams } from './output.js';
import { bounded, looksSecret, printable, redact, registerSecret } from './redact.js';

/** While typed text looks like a token (or starts like one), the prompt shows it masked. */
export function maskIfSecret(value: string): string {
  const starts = /^dckr_/i.test(value.replace(/[\s\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/g, ''));
  return starts || looksSecret(value) ? '*'.repeat(Array.from(value).length) : value;
}

const SECRET_ANSWER = 'That looks like an access token, so it is hidden and was not used; the token is asked for separately, in a masked prompt.';

/** The question's own check, after the one rule every answer obeys: nothing secret-like in a clear-text field. */
function checked(q: InputQuestion): (value: string) => true | string {
  return (value) => {
    if (looksSecret(value)) {
      registerSecret(value.trim());
      return SECRET_ANSWER;
    }
    return q.validate ? q.validate(value) : true;
  };
}

/** Every question names the flag (or variable) that answers it without a terminal. */
interface Question {
  message: string;
  flag: string;
}
export interface InputQuestion extends Question {
  default?: string;
  validate?: (value: string) => true | string;
  /** An empty answer is allowed. */
  optional?: boolean;
}
export interface ConfirmQuestion extends Question {
  default?: boolean;
}
export interface SelectQuestion<T> extends Question {
  choices: { name: string; value: T; description?: string }[];
  default?: T;
}

export interface CheckboxQuestion<T> extends Question {
  /** `disabled`: shown, but cannot be chosen; the text says why. */
  choices: { name: string; value: T; checked?: boolean; disabled?: string }[];
}

/** The small interface the flows talk to; tests and non-interactive runs swap the implementation. */
export interface Prompter {
  readonly interactive: boolean;
  input(q: InputQuestion): Promise<string>;
  password(q: InputQuestion): Promise<string>;
  confirm(q: ConfirmQuestion): Promise<boolean>;
  select<T>(q: SelectQuestion<T>): Promise<T>;
  /** Several answers at once; without a terminal, the preselected ones. */
  checkbox<T>(q: CheckboxQuestion<T>): Promise<T[]>;
}

/** Without a terminal every missing answer is a usage error that names its flag: never a hang. */
export class NonInteractivePrompter implements Prompter {
  readonly interactive = false;
  private missing(q: Question): never {
    throw usageError(`${q.message.replace(/[?:]\s*$/, '')}: no answer without a terminal.`, `Pass ${q.flag}.`);
  }
  async input(q: InputQuestion): Promise<string> {
    if (q.default !== undefined) return q.default;
    this.missing(q);
  }
  async password(q: InputQuestion): Promise<string> {
    this.missing(q);
  }
  async confirm(q: ConfirmQuestion): Promise<boolean> {
    this.missing(q);
  }
  async select<T>(q: SelectQuestion<T>): Promise<T> {
    if (q.default !== undefined) return q.default;
    this.missing(q);
  }
  async checkbox<T>(q: CheckboxQuestion<T>): Promise<T[]> {
    return q.choices.filter((c) => c.checked && !c.disabled).map((c) => c.value);
  }
}

type Inquirer = typeof import('./inquirer.js');

/** A question's text as shown: it may quote a value from outside (a local login's name, a label), so it is escaped and bounded like every line of the Output. */
const shown = (text: string) => printable(bounded(redact(text), 600));
const shownChoices = <C extends { name: string; description?: string; disabled?: string }>(choices: C[]): C[] =>
  choices.map((c) => ({ ...c, name: shown(c.name), ...(c.description !== undefined ? { description: shown(c.description) } : {}), ...(typeof c.disabled === 'string' ? { disabled: shown(c.disabled) } : {}) }));

/** The @inquirer prompts (input, password, confirm, select) on stdin and stderr (stdout stays for data). Ctrl-C becomes exit 130. */
export class TerminalPrompter implements Prompter {
  readonly interactive = true;
  private lib: Inquirer | undefined;

  constructor(
    private readonly stdin: NodeJS.ReadableStream,
    private readonly streams: Streams,
    private readonly signal?: AbortSignal,
  ) {}

  private async ask<R>(run: (lib: Inquirer, ctx: object) => Promise<R>): Promise<R> {
    this.lib ??= await import('./inquirer.js');
    const ctx = { input: this.stdin, output: this.streams.stderr, clearPromptOnDone: false, signal: this.signal };
    // End of input (Ctrl-D on an empty line) closes the prompt's readline, and @inquirer only
    // cleans up then: its promise never settles, the event loop drains, and the run used to end
    // with exit 0 and no line (stranger trial, finding 5). A drained loop while a prompt waits
    // means no answer can come: that is a cancellation, as Ctrl-C is.
    let onDrained!: () => void;
    const drained = new Promise<never>((_, reject) => (onDrained = () => reject(cancelled())));
    process.once('beforeExit', onDrained);
    try {
      return await Promise.race([run(this.lib, ctx), drained]);
    } catch (e) {
      if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) throw cancelled();
      throw e;
    } finally {
      process.off('beforeExit', onDrained);
    }
  }

  input(q: InputQuestion): Promise<string> {
    return this.ask((lib, ctx) =>
      lib.input(
        {
          message: shown(q.message),
          // A default is typed back as the answer, so one that would need escaping is not offered.
          default: q.default !== undefined && (looksSecret(q.default) || shown(q.default) !== q.default) ? undefined : q.default,
          validate: checked(q),
          transformer: maskIfSecret,
          required: !q.optional,
        },
        ctx,
      ),
    ).then((v) => v.trim());
  }

  password(q: InputQuestion): Promise<string> {
    return this.ask((lib, ctx) => lib.password({ message: shown(q.message), mask: '*', validate: q.validate }, ctx));
  }

  confirm(q: ConfirmQuestion): Promise<boolean> {
    return this.ask((lib, ctx) => lib.confirm({ message: shown(q.message), default: q.default ?? false }, ctx));
  }

  select<T>(q: SelectQuestion<T>): Promise<T> {
    return this.ask((lib, ctx) => lib.select<T>({ message: shown(q.message), choices: shownChoices(q.choices), default: q.default, loop: false }, ctx));
  }

  checkbox<T>(q: CheckboxQuestion<T>): Promise<T[]> {
    return this.ask((lib, ctx) => lib.checkbox<T>({ message: shown(q.message), choices: shownChoices(q.choices) }, ctx));
  }
}
