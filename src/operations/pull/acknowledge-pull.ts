import { z } from 'zod';
import {
  acknowledgeOffer,
  findPullOffer,
  recipientLockFor,
  withRecipientLock,
} from '../../transfer/index.js';
import type { Actor } from '../actor.js';
import { audited } from '../audited.js';
import { recipientIdSchema, transferIdSchema } from '../input-schemas.js';
import type { OperationContext } from '../operation-context.js';
import { parseInput } from '../parse-input.js';
import type { RunReport } from '../run-report.js';
import { catchUpDeferred, executeCatchUp } from './catch-up.js';
import { describePullFeed, noSuchFeed, pullRecipient, type PullFeed } from './pull-access.js';

const ackInput = z.strictObject({ recipient: recipientIdSchema, transfer: transferIdSchema });

export interface PullAcknowledgement {
  readonly feed: PullFeed;
  /** False when it was acknowledged before: a repeated acknowledgement changes nothing. */
  readonly acknowledged: boolean;
  /**
   * The run that catches up the feeds deferred while this one waited (absent when none were): handed
   * to the worker pool, or run here when there is none. Its feed is the next one offered.
   */
  readonly catchUp?:
    RunReport | { readonly runId: string; readonly status: 'running'; readonly error: string };
}

/**
 * A pull recipient says it holds a feed it fetched (its own token only). That is what makes it
 * delivered: the transfer row, a disclosure row per person and the recipient's delivered state commit in
 * the acknowledgement transaction push transports use, with the audit row, under the recipient's lock
 * and only on the delivered state the feed was computed against (else PIFU_TRANSFER_STALE). A second
 * acknowledgement changes nothing and says so. Feeds deferred behind this one are then caught up by one
 * delta run against the state just acknowledged.
 */
export async function acknowledgePull(
  ctx: OperationContext,
  actor: Actor,
  input: { recipient: string; transfer: string },
): Promise<PullAcknowledgement> {
  const request = parseInput(ackInput, input);
  const recipient = await pullRecipient(ctx, actor, request.recipient, 'pull-ack');
  const { acknowledged, feed, catchUpRunId } = await audited(ctx, actor, 'pull-ack', async (trail) => {
    const offer = await findPullOffer(ctx.db, recipient.id, request.transfer);
    if (offer === undefined) throw noSuchFeed(recipient.id, request.transfer);
    trail.subject = offer.transferId;
    trail.detail = `${recipient.id}: already acknowledged`;
    const lock = await recipientLockFor(ctx.db);
    return withRecipientLock(lock, recipient.id, async () => {
      const changed = await acknowledgeOffer(ctx, offer.transferId, async (trx) => {
        trail.detail = `${recipient.id}: acknowledged`;
        await trail.done(trx);
      });
      const runId = changed ? await recordCatchUp(ctx, recipient.id, offer.transferId) : undefined;
      if (changed) {
        ctx.logger.info(
          { recipientId: recipient.id, transferId: offer.transferId, by: actor.name, catchUp: runId },
          'pull acknowledged',
        );
      }
      return {
        acknowledged: changed,
        feed: describePullFeed((await findPullOffer(ctx.db, recipient.id, offer.transferId)) ?? offer),
        catchUpRunId: runId,
      };
    });
  });
  if (catchUpRunId === undefined) return { feed, acknowledged };
  return { feed, acknowledged, catchUp: await executeCatchUp(ctx, catchUpRunId) };
}

/**
 * The acknowledgement has committed when this runs, so a catch-up that cannot be recorded must not turn
 * it into an error the recipient would retry: it is logged, and the next scheduled run catches up.
 */
async function recordCatchUp(
  ctx: OperationContext,
  recipientId: string,
  acknowledged: string,
): Promise<string | undefined> {
  try {
    return await catchUpDeferred(ctx, recipientId, acknowledged);
  } catch (error) {
    ctx.logger.error(
      { recipientId, transferId: acknowledged, err: error instanceof Error ? error.message : String(error) },
      'catch-up run could not be recorded',
    );
    return undefined;
  }
}
