import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';
import type { RunOutcome } from '../run/finish-run.js';
import type { HubContext } from '../run/hub-context.js';
import type { DeliveryOutcome } from './deliver-transfer.js';
import { deliverUnderRecipientLock } from './deliver-under-lock.js';
import { findHold, type Hold } from './hold-repository.js';
import type { RecipientLock } from './recipient-lock.js';

export interface HoldDecision {
  readonly decision: 'approve' | 'reject';
  /** Who decided (e.g. `cli:alice`); logged with the hold. */
  readonly by: string;
  readonly reason: string;
}

/**
 * An operator's decision on a held delta, logged with who and why. Approve delivers exactly the held
 * feed (same file, same transfer id) through deliverUnderRecipientLock: inside the recipient lock, and
 * only while the delivered state the delta was computed against is still the recipient's. When it moved
 * on (a newer delta was delivered first), the approval is refused with PIFU_TRANSFER_STALE, the hold
 * becomes `superseded` and its transfer `failed`, and nothing is delivered: a new run must compute the
 * delta. Reject delivers nothing and leaves delivered state as it was; the next delta will propose the
 * same changes.
 */
export async function decideHold(
  ctx: HubContext,
  transferId: string,
  decision: HoldDecision,
  options: {
    lock?: RecipientLock;
    lockWaitMs?: number;
    /** Runs in the decision's transaction (the operation's audit row). */
    alsoInTransaction?: (trx: Kysely<HubDatabase>) => Promise<void>;
  } = {},
): Promise<{ hold: Hold; delivery?: DeliveryOutcome; run?: RunOutcome }> {
  const { alsoInTransaction, ...lockOptions } = options;
  if (decision.reason.trim() === '') {
    throw new HubError('PIFU_USAGE_INVALID', 'reason: a hold decision needs a reason (--reason TEXT)');
  }
  const hold = await findHold(ctx.db, transferId);
  if (hold === undefined) {
    throw new HubError(
      'PIFU_HOLD_UNKNOWN',
      `no hold for transfer ${transferId}; \`pifu-hub holds --all\` lists every hold`,
    );
  }
  if (hold.decision !== null) throw alreadyDecided(hold);
  const record = async (): Promise<void> => {
    const decided = await ctx.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('hub.hold')
        .set({
          decision: decision.decision === 'approve' ? 'approved' : 'rejected',
          decided_by: decision.by,
          decision_reason: decision.reason,
          decided_at: ctx.now(),
        })
        .where('transfer_id', '=', transferId)
        .where('decision', 'is', null)
        .returning('transfer_id')
        .executeTakeFirst();
      if (row === undefined) return false;
      await trx
        .updateTable('hub.transfer')
        .set(
          decision.decision === 'approve'
            ? { status: 'pending', error: null }
            : { status: 'rejected', error: `rejected by ${decision.by}: ${decision.reason}` },
        )
        .where('id', '=', transferId)
        .where('status', '=', 'held')
        .execute();
      await alsoInTransaction?.(trx);
      return true;
    });
    // Someone decided it (or superseded it) since it was read above.
    if (!decided) throw alreadyDecided((await findHold(ctx.db, transferId)) ?? hold);
    ctx.logger.warn(
      {
        transferId,
        recipientId: hold.recipientId,
        decision: decision.decision,
        by: decision.by,
        reason: decision.reason,
      },
      'hold decided',
    );
  };
  if (decision.decision === 'reject') {
    await record();
    return { hold: (await findHold(ctx.db, transferId)) ?? hold };
  }
  const { delivery, run } = await deliverUnderRecipientLock(ctx, {
    transferId,
    claim: record,
    ...lockOptions,
  });
  return {
    hold: (await findHold(ctx.db, transferId)) ?? hold,
    delivery,
    ...(run === undefined ? {} : { run }),
  };
}

function alreadyDecided(hold: Hold): HubError {
  return new HubError(
    'PIFU_HOLD_DECIDED',
    `the hold of ${hold.transferId} was already ${hold.decision ?? 'decided'}` +
      `${hold.decidedBy === null ? '' : ` by ${hold.decidedBy}`}` +
      `${hold.decision === 'superseded' && hold.decisionReason !== null ? ` (${hold.decisionReason})` : ''}`,
  );
}
