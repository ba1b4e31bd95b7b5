import { errorCodes, type ErrorCode } from './codes.js';

export interface HubErrorOptions {
  readonly cause?: unknown;
  /** Overrides the catalogue's default when the raiser knows better (e.g. HTTP 503 vs 400). */
  readonly retryable?: boolean;
}

/**
 * The one error type the hub raises on purpose. Messages name the recipient, transfer or file and say
 * what to do; they never contain a person's name, national id or contact details (only internal keys).
 */
export class HubError extends Error {
  declare readonly code: ErrorCode;
  declare readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: HubErrorOptions = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, 'code', { value: code, enumerable: true });
    Object.defineProperty(this, 'retryable', {
      value: options.retryable ?? errorCodes[code].retryable,
      enumerable: true,
    });
    this.name = 'HubError';
  }
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError;
}

/**
 * A HubError again from its message, as it comes back across a process boundary (a BullMQ job that
 * failed for good keeps only the message: `PIFU_SOURCE_DROP: …`); not retryable, as it failed for good.
 * Undefined for any other message.
 */
export function hubErrorFromMessage(message: string): HubError | undefined {
  const code = /^(PIFU_[A-Z_]+): /.exec(message)?.[1];
  if (code === undefined || !Object.hasOwn(errorCodes, code)) return undefined;
  return new HubError(code as ErrorCode, message.slice(code.length + 2), { retryable: false });
}

/** Exhaustiveness guard for switches over closed unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
