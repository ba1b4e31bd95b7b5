import { z } from 'zod';
import { findOldestOffer, findPullOffer, type PullOffer } from '../../transfer/index.js';
import type { Actor } from '../actor.js';
import { audited } from '../audited.js';
import { recipientIdSchema, transferIdSchema } from '../input-schemas.js';
import type { OperationContext } from '../operation-context.js';
import { parseInput } from '../parse-input.js';
import {
  describePullFeed,
  matchesEntityTag,
  noSuchFeed,
  openFeedFile,
  pullRecipient,
  type PullAnswer,
} from './pull-access.js';

const ifNoneMatchSchema = z.string().max(2_000, 'at most 2000 characters').optional();
const nextInput = z.strictObject({ recipient: recipientIdSchema, ifNoneMatch: ifNoneMatchSchema });
const feedInput = nextInput.extend({ transfer: transferIdSchema });

/**
 * The oldest feed offered to the recipient and not acknowledged yet (its own token only). The same feed
 * is offered until it is acknowledged, so a download cut short or lost to a crash is simply fetched
 * again; a newer one waits behind it. Handing out the bytes is audited (the recipient saw personal data;
 * the disclosure itself is recorded at the acknowledgement); `none` and `not-modified` show nothing.
 */
export async function nextPullFeed(
  ctx: OperationContext,
  actor: Actor,
  input: { recipient: string; ifNoneMatch?: string | undefined },
): Promise<PullAnswer> {
  const request = parseInput(nextInput, input);
  const recipient = await pullRecipient(ctx, actor, request.recipient, 'pull-feed');
  const offer = await findOldestOffer(ctx.db, recipient.id);
  if (offer === undefined) return { status: 'none' };
  return answer(ctx, actor, offer, request.ifNoneMatch);
}

/** One feed by its transfer id, offered or already acknowledged (its recipient's token only). */
export async function fetchPullFeed(
  ctx: OperationContext,
  actor: Actor,
  input: { recipient: string; transfer: string; ifNoneMatch?: string | undefined },
): Promise<PullAnswer> {
  const request = parseInput(feedInput, input);
  const recipient = await pullRecipient(ctx, actor, request.recipient, 'pull-feed');
  const offer = await findPullOffer(ctx.db, recipient.id, request.transfer);
  if (offer === undefined) throw noSuchFeed(recipient.id, request.transfer);
  return answer(ctx, actor, offer, request.ifNoneMatch);
}

async function answer(
  ctx: OperationContext,
  actor: Actor,
  offer: PullOffer,
  ifNoneMatch: string | undefined,
): Promise<PullAnswer> {
  const feed = describePullFeed(offer);
  if (matchesEntityTag(ifNoneMatch, feed.etag)) return { status: 'not-modified', feed };
  return audited(ctx, actor, 'pull-feed', async (trail) => {
    trail.subject = offer.transferId;
    trail.detail = `${offer.recipientId}: ${offer.feedType}, ${offer.sizeBytes} bytes, ${offer.status}`;
    return { status: 'feed', feed, body: await openFeedFile(offer) };
  });
}
