import type { QueueName } from '../queue/index.js';

export const jobStates = ['waiting', 'active', 'delayed', 'completed', 'failed', 'waiting-children'] as const;
export type JobState = (typeof jobStates)[number];
export type QueueCounts = { readonly queue: QueueName } & Readonly<Record<JobState, number>>;

/**
 * Reads how many jobs each hub queue holds per state, for operators and metrics. Implemented in `jobs/`
 * over BullMQ; throws `HubError('PIFU_QUEUE_UNAVAILABLE')` when there is no shared queue to read.
 */
export interface QueueInspector {
  counts(): Promise<QueueCounts[]>;
}
