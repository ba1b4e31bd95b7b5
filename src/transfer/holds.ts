import type { Kysely, Selectable } from 'kysely';
import type { HoldTable, HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';
import type { RunOutcome } from '../run/finish-run.js';
import type { HubContext } from '../run/hub-context.js';
import type { DeliveryOutcome } from './deliver-transfer.js';
import { deliverUnderRecipientLock } from './deliver-under-lock.js';
import type { RecipientLock } from './recipient-lock.js';

export interface Hold {
  readonly transferId: string;
  readonly recipientId: string;
  readonly runId: string;
  readonly reason: string;
  readonly heldObjects: number;
  readonly added: number;
  readonly changed: number;
  readonly deleted: number;
  readonly createdAt: Date;
  readonly decision: 'approved' | 'rejected' | 'superseded' | null;
  readonly decidedBy: string | null;
  readonly decisionReason: string | null;
  readonly decidedAt: Date | null;
}

/** Holds, newest first: undecided ones only unless `all`. */
export async function listHolds(db: Kysely<HubDatabase>, options: { all?: boolean } = {}): Promise<Hold[]> {
  const rows = await db
    .selectFrom('hub.hold')
    .selectAll()
    .$if(options.all !== true, (qb) => qb.where('decision', 'is', null))
    .orderBy('created_at', 'desc')
    .orderBy('transfer_id')
    .execute();
  return rows.map(toHold);
}

async function findHold(db: Kysely<HubDatabase>, transferId: string): Promise<Hold | undefined> {
  const row = await db
    .selectFrom('hub.hold')
    .selectAll()
    .where('transfer_id', '=', transferId)
    .executeTakeFirst();
  return row === undefined ? undefined : toHold(row);
}

function toHold(row: Selectable<HoldTable>): Hold {
  return {
    transferId: row.transfer_id,
    recipientId: row.recipient_id,
    runId: row.run_id,
    reason: row.reason,
    heldObjects: row.held_objects,
    added: row.added,
    changed: row.changed,
    deleted: row.deleted,
    createdAt: new Date(row.created_at),
    decision: row.decision,
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at),
  };
}

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
