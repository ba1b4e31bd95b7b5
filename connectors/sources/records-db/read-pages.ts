import { HubError, isHubError } from '../../../src/errors/index.js';

/** What every stream of one snapshot shares: its chunk size and a check run before each page. */
export interface PageContext {
  readonly chunkSize: number;
  /** Throws if the snapshot was aborted or closed; runs before every query. */
  readonly ensureOpen: () => void;
}

/** Runs one read, turning driver trouble into the port's retryable error (the cause keeps the detail). */
export async function readSource<T>(context: PageContext, what: string, read: () => Promise<T>): Promise<T> {
  context.ensureOpen();
  try {
    return await read();
  } catch (error) {
    if (isHubError(error)) throw error;
    context.ensureOpen();
    throw new HubError(
      'PIFU_SOURCE_UNAVAILABLE',
      `reading ${what} from the records store failed; check the database connection and retry`,
      {
        cause: error,
      },
    );
  }
}
