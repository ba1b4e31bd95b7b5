import { performance } from 'node:perf_hooks';
import { writeRecipientFeed, type FeedSummary } from '../src/feed/index.js';
import { runIds, type HubContext } from '../src/run/index.js';
import { deliverTransfer, withRecipientLock, type RecipientLock } from '../src/transfer/index.js';

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
  /** Wall time of the feed step, beside whatever else its hub process ran meanwhile (deliveries). */
  readonly feed_s: number;
  /** Wall time from the feed written to the delivery's start: waiting for a free delivery slot. */
  readonly deliver_wait_s: number;
  /** Wall time of the deliver step (file copy and acknowledgement), beside the next feeds. */
  readonly deliver_s: number;
  /** For a delta written: `incremental`, or why the whole view was merged (FeedSummary.merge). */
  readonly merge?: string;
}

/** A feed written, for its delivery: what the feed step said and when it ended. */
export interface WrittenFeed {
  readonly recipientId: string;
  readonly feed: FeedSummary;
  readonly feedS: number;
  readonly writtenAt: number;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** A worker's feed step for one recipient of a run, inside the recipient's lock as the feed job's. */
export async function writeFeed(
  ctx: HubContext,
  lock: RecipientLock,
  runId: string,
  recipientId: string,
): Promise<WrittenFeed> {
  const started = performance.now();
  const feed = await withRecipientLock(lock, recipientId, () =>
    writeRecipientFeed(ctx, runIds(runId).feedId(recipientId)),
  );
  const writtenAt = performance.now();
  return { recipientId, feed, feedS: (writtenAt - started) / 1000, writtenAt };
}

/** The deliver step (and acknowledgement) of a written feed, inside the recipient's lock as the deliver job's. */
export async function deliverFeed(
  ctx: HubContext,
  lock: RecipientLock,
  runId: string,
  written: WrittenFeed,
): Promise<FeedFigures> {
  const { recipientId, feed } = written;
  const started = performance.now();
  const delivery = await withRecipientLock(lock, recipientId, () =>
    deliverTransfer(ctx, runIds(runId).transferId(recipientId)),
  );
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
    feed_s: round(written.feedS, 3),
    deliver_wait_s: round((started - written.writtenAt) / 1000, 3),
    deliver_s: round(deliverS, 3),
    ...(feed.merge === undefined ? {} : { merge: feed.merge }),
  };
}
