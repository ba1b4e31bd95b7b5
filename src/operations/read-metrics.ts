import { isHubError } from '../errors/index.js';
import { readTableMetrics, type TableMetrics } from '../metrics/index.js';
import type { QueueCounts } from '../ports/index.js';
import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';

export interface HubMetrics extends TableMetrics {
  /** When they were read: ages (since a delivery, of an offer) are measured from it. */
  readonly at: Date;
  /** The configured recipients, so one never delivered to still shows. */
  readonly recipientIds: readonly string[];
  /** Jobs per state and queue; null when there is no shared queue or it did not answer. */
  readonly queues: readonly QueueCounts[] | null;
  /** Whether the shared queue answered; null when there is none (no REDIS_URL). */
  readonly queueUp: boolean | null;
}

/**
 * The numbers monitoring scrapes (viewer): counts and durations from the hub's tables and the queues'
 * job counts, read now, so every serving process reports the same truth. Not audited: no personal data.
 * A queue that does not answer is reported as down, not as an error, so the database's numbers still
 * reach the alerting that needs them most then.
 */
export async function readMetrics(ctx: OperationContext, actor: Actor): Promise<HubMetrics> {
  await authorize(ctx, actor, 'viewer', 'metrics');
  const tables = await readTableMetrics(ctx.db);
  let queues: QueueCounts[] | null = null;
  let queueUp: boolean | null = null;
  if (ctx.queues !== undefined) {
    try {
      queues = await ctx.queues.counts();
      queueUp = true;
    } catch (error) {
      if (!isHubError(error) || error.code !== 'PIFU_QUEUE_UNAVAILABLE') throw error;
      ctx.logger.warn({ err: error.message }, 'metrics: the queue did not answer');
      queueUp = false;
    }
  }
  return { ...tables, at: ctx.now(), recipientIds: [...ctx.recipients.keys()], queues, queueUp };
}
