import { HubError } from '../errors/index.js';
import type { QueueCounts } from '../ports/index.js';
import type { Actor } from './actor.js';
import { authorize } from './authorize.js';
import type { OperationContext } from './operation-context.js';

/** Jobs per state in each hub queue (viewer), from the shared Redis. */
export async function countQueues(ctx: OperationContext, actor: Actor): Promise<QueueCounts[]> {
  await authorize(ctx, actor, 'viewer', 'queues');
  if (ctx.queues === undefined) {
    throw new HubError(
      'PIFU_QUEUE_UNAVAILABLE',
      'REDIS_URL is not set, so there are no shared queues to count (without it, export uses a private ' +
        'redis-server that ends with the command); set REDIS_URL to the workers’ Redis',
    );
  }
  return ctx.queues.counts();
}
