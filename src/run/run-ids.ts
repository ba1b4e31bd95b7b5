import { randomBytes } from 'node:crypto';

/**
 * Ids of a run and of the feed and transfer it makes for each recipient. They are deterministic from
 * the run id, so a retried job finds the same rows and the same file names (a transfer id never changes
 * across retries). BullMQ rejects ids with `:`, so none of these contains one.
 */
export interface RunIds {
  readonly runId: string;
  feedId(recipientId: string): string;
  transferId(recipientId: string): string;
  /** The name a recipient sees: unique per transfer, stable across its retries, sortable by time. */
  feedFileName(recipientId: string, feedType: string): string;
}

export function newRunId(now: Date, random = randomBytes(3).toString('hex')): string {
  return `run-${compactTimestamp(now)}-${random}`;
}

export function runIds(runId: string): RunIds {
  const suffix = runId.replace(/^run-/, '');
  return {
    runId,
    feedId: (recipientId) => `feed-${suffix}-${recipientId}`,
    transferId: (recipientId) => `transfer-${suffix}-${recipientId}`,
    feedFileName: (recipientId, feedType) => `${recipientId}_${suffix}_${feedType}.xml`,
  };
}

/** `20261123T020000Z`: sortable, and safe in file names and job ids. */
export function compactTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll('-', '')
    .replaceAll(':', '');
}
