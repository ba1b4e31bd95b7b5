import { performance } from 'node:perf_hooks';
import { writeRecipientFeed } from '../src/feed/index.js';
import { runIds, type HubContext } from '../src/run/index.js';
import { deliverTransfer } from '../src/transfer/index.js';

/** One recipient's feed of a run, written then delivered (snake case: it is printed as JSON). */
export interface FeedFigures {
  readonly id: string;
  readonly kind: string;
  readonly feed_type: 'full' | 'delta';
  /** `delivered`, or why not: `skipped` (nothing to send), `held`, … */
  readonly status: string;
  /** Whether a feed file was written. */
  readonly written: boolean;
  readonly persons: number;
  readonly groups: number;
  readonly memberships: number;
  readonly added: number;
  readonly changed: number;
  readonly deleted: number;
  readonly mb: number;
  readonly feed_s: number;
  readonly deliver_s: number;
  /** For a delta written: `incremental`, or why the whole view was merged (FeedSummary.merge). */
  readonly merge?: string;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** The two steps a worker takes for one recipient of a run: feed, then deliver (and acknowledge). */
export async function feedAndDeliver(
  ctx: HubContext,
  runId: string,
  recipientId: string,
): Promise<FeedFigures> {
  const ids = runIds(runId);
  let started = performance.now();
  const feed = await writeRecipientFeed(ctx, ids.feedId(recipientId));
  const feedS = (performance.now() - started) / 1000;
  started = performance.now();
  const delivery = await deliverTransfer(ctx, ids.transferId(recipientId));
  const deliverS = (performance.now() - started) / 1000;
  return {
    id: recipientId,
    kind: ctx.recipients.get(recipientId)?.kind ?? '',
    feed_type: feed.feedType,
    status: delivery.notDelivered ?? 'delivered',
    written: feed.status === 'written',
    persons: feed.persons,
    groups: feed.groups,
    memberships: feed.memberships,
    added: feed.added,
    changed: feed.changed,
    deleted: feed.deleted,
    mb: round(feed.sizeBytes / 1e6, 3),
    feed_s: round(feedS, 3),
    deliver_s: round(deliverS, 3),
    ...(feed.merge === undefined ? {} : { merge: feed.merge }),
  };
}
