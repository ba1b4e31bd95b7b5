import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubError } from '../../src/errors/index.js';
import type { FeedFile } from '../../src/ports/index.js';

/** Writes `content` as a feed file into `spool` and describes it the way a transport is handed one. */
export function spooledFeed(spool: string, content: string, transferId = `tr-${randomUUID()}`): FeedFile {
  const path = join(spool, `${transferId}.xml`);
  writeFileSync(path, content);
  return {
    transferId,
    recipientId: 'lms',
    path,
    fileName: `pifu-lms-${transferId}.xml`,
    sizeBytes: Buffer.byteLength(content),
    sha256Hex: createHash('sha256').update(content).digest('hex'),
  };
}

/**
 * The HubError `promise` rejects with; anything else (or no rejection) fails the test. Its message is
 * added to `seen`, for a test that checks no message ever carried a secret.
 */
export async function hubFailure(promise: Promise<unknown>, seen: string[] = []): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof HubError)) throw new Error(`expected a HubError, got ${String(error)}`);
  seen.push(error.message);
  return error;
}
