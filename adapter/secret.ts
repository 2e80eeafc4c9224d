import { inspect } from 'node:util';

const REDACTED = '[secret]';

/**
 * A value that must never reach the logs: it prints, serializes and inspects as `[secret]`; only
 * {@link Secret.reveal} gives it back.
 */
export class Secret<T = string> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}
