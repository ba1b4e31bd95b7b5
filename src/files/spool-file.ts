import { stat } from 'node:fs/promises';
import { HubError } from '../errors/index.js';
import type { FeedFile } from '../ports/index.js';

/**
 * Checks, before a transport opens a connection, that the written feed is still in the spool and has
 * the size it was written with. A missing or changed spool file is not worth retrying (the run must be
 * exported again), so it fails with PIFU_SPOOL_MISSING rather than as a transport error.
 */
export async function checkSpoolFile(
  feed: Pick<FeedFile, 'transferId' | 'path' | 'sizeBytes'>,
): Promise<void> {
  let size: number;
  try {
    size = (await stat(feed.path)).size;
  } catch {
    throw new HubError('PIFU_SPOOL_MISSING', `transfer ${feed.transferId}: feed file ${feed.path} is gone`);
  }
  if (size !== feed.sizeBytes) {
    throw new HubError(
      'PIFU_SPOOL_MISSING',
      `transfer ${feed.transferId}: feed file ${feed.path} has ${size} bytes, not the ${feed.sizeBytes} written`,
    );
  }
}
