/**
 * Queue names, job names and payloads, in one place (docs/requirements.md#c7). Payloads carry ids only: no
 * roster data, no personal data in Redis.
 *
 * A run is a BullMQ flow built by the snapshot step: `finish` (queue run) waits for one `deliver` per
 * recipient (queue deliver), each of which waits for its `feed` (queue feed). Children finish before
 * parents, so the order is feed → deliver → finish.
 */
export const queueNames = { run: 'run', feed: 'feed', deliver: 'deliver' } as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

export const jobNames = { snapshot: 'snapshot', finish: 'finish', feed: 'feed', deliver: 'deliver' } as const;

export interface RunJobData {
  readonly runId: string;
}
export interface FeedJobData {
  readonly runId: string;
  readonly recipientId: string;
  readonly feedId: string;
}
export interface DeliverJobData {
  readonly runId: string;
  readonly recipientId: string;
  readonly transferId: string;
}

/** Deterministic job ids: a repeated enqueue of the same step is ignored by BullMQ while the first is kept. */
export const jobIds = {
  snapshot: (runId: string) => `${runId}-snapshot`,
  finish: (runId: string) => `${runId}-finish`,
  feed: (feedId: string) => feedId,
  deliver: (transferId: string) => transferId,
} as const;
