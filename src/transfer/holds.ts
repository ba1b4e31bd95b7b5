import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';
import type { HubContext } from '../run/hub-context.js';
import { findRecipientState } from '../state/index.js';
import { deliverTransfer, type DeliveryOutcome } from './deliver-transfer.js';

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
  return rows.map((row) => ({
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
  }));
}

export interface HoldDecision {
  readonly decision: 'approve' | 'reject';
  /** Who decided (e.g. `cli:alice`); logged with the hold. */
  readonly by: string;
  readonly reason: string;
}

/**
 * An operator's decision on a held delta, logged with who and why. Approve delivers exactly the held
 * feed (same file, same transfer id), and is refused when the recipient's delivered state moved on since
 * the delta was computed: the delta would no longer be right, so a new run must compute it. Reject
 * delivers nothing and leaves delivered state as it was; the next delta will propose the same changes.
 */
export async function decideHold(
  ctx: HubContext,
  transferId: string,
  decision: HoldDecision,
  options: { alsoInTransaction?: (trx: Kysely<HubDatabase>) => Promise<void> } = {},
): Promise<{ hold: Hold; delivery?: DeliveryOutcome }> {
  if (decision.reason.trim() === '') {
    throw new HubError('PIFU_USAGE_INVALID', 'reason: a hold decision needs a reason (--reason TEXT)');
  }
  const hold = (await listHolds(ctx.db, { all: true })).find(
    (candidate) => candidate.transferId === transferId,
  );
  if (hold === undefined) {
    throw new HubError(
      'PIFU_HOLD_UNKNOWN',
      `no hold for transfer ${transferId}; \`pifu-hub holds --all\` lists every hold`,
    );
  }
  if (hold.decision !== null) {
    throw new HubError(
      'PIFU_HOLD_DECIDED',
      `the hold of ${transferId} was already ${hold.decision}${hold.decidedBy === null ? '' : ` by ${hold.decidedBy}`}`,
    );
  }
  const at = ctx.now();
  if (decision.decision === 'approve') {
    const state = await findRecipientState(ctx.db, hold.recipientId);
    const basedOn = (
      await ctx.db
        .selectFrom('hub.hold')
        .select('based_on_transfer_id')
        .where('transfer_id', '=', transferId)
        .executeTakeFirstOrThrow()
    ).based_on_transfer_id;
    if ((state?.transferId ?? null) !== basedOn) {
      throw new HubError(
        'PIFU_HOLD_DECIDED',
        `${hold.recipientId} received ${state?.transferId ?? 'nothing'} since this delta was computed; reject it and run a new delta`,
      );
    }
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('hub.hold')
      .set({
        decision: decision.decision === 'approve' ? 'approved' : 'rejected',
        decided_by: decision.by,
        decision_reason: decision.reason,
        decided_at: at,
      })
      .where('transfer_id', '=', transferId)
      .execute();
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
    await options.alsoInTransaction?.(trx);
  });
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
  const decided =
    (await listHolds(ctx.db, { all: true })).find((candidate) => candidate.transferId === transferId) ?? hold;
  if (decision.decision === 'reject') return { hold: decided };
  return { hold: decided, delivery: await deliverTransfer(ctx, transferId) };
}
