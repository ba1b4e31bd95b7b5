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

/** Exhaustiveness guard for switches over closed unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
