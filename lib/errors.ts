/**
 * The one error base of the project, in the style of viem's `BaseError`: a short message for people,
 * optional details and hints (how to fix it), and the wrapped cause.
 */
export type VaiErrorOptions = {
  details?: string | undefined;
  metaMessages?: readonly string[] | undefined;
  cause?: unknown;
};

export class VaiError extends Error {
  override name = 'VaiError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: readonly string[];

  constructor(shortMessage: string, options: VaiErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.metaMessages?.length) lines.push('', ...options.metaMessages);
    if (options.details) lines.push('', `Details: ${options.details}`);
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.metaMessages = options.metaMessages ?? [];
  }

  /** Walks the cause chain and returns the first error `fn` accepts (or the deepest one). */
  walk(fn?: (err: unknown) => boolean): unknown {
    let current: unknown = this;
    while (current instanceof Error) {
      if (fn?.(current)) return current;
      if (current.cause === undefined) return fn ? undefined : current;
      current = current.cause;
    }
    return fn ? undefined : current;
  }
}
