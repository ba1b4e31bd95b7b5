import type { QueueName } from '../queue/index.js';

export const jobStates = ['waiting', 'active', 'delayed', 'completed', 'failed', 'waiting-children'] as const;
export type JobState = (typeof jobStates)[number];
export type QueueCounts = { readonly queue: QueueName } & Readonly<Record<JobState, number>>;

/** A job that failed for good (BullMQ's failed set): its queue and id, which derive from hub ids only. */
export interface DeadLetter {
  readonly queue: QueueName;
  readonly jobId: string;
}

/**
 * Reads how many jobs each hub queue holds per state, and which failed for good, for operators, metrics
 * and notifications. Implemented in `jobs/` over BullMQ; throws `HubError('PIFU_QUEUE_UNAVAILABLE')`
 * when there is no shared queue to read.
 */
export interface QueueInspector {
  counts(): Promise<QueueCounts[]>;
  /** The newest `limit` dead letters of each queue. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
}
