import type { RecipientConfig } from '../config/index.js';
import type { Feed } from './feed-repository.js';
import type { HubContext } from '../run/hub-context.js';
import type { DeltaCounts } from '../state/index.js';

/**
 * The safety valve (docs/requirements.md#f2): a delta (or a full replacing what is held) that deletes or
 * changes more than the recipient's threshold share of what it holds is not sent. Its transfer is put on hold
 * for an operator (`pifu-hub holds`), and any older undecided hold of the recipient is superseded, because
 * only the newest delta is right. Returns the reason when held.
 */
export async function holdIfOverThreshold(
  ctx: HubContext,
  input: {
    feed: Feed;
    recipient: RecipientConfig;
    counts: DeltaCounts;
    heldObjects: number;
    basedOn: string;
  },
): Promise<string | undefined> {
  const { feed, recipient, counts, heldObjects } = input;
  const reason = overThreshold(recipient, counts, heldObjects);
  if (reason === undefined) return undefined;
  const at = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    const transfer = await trx
      .updateTable('hub.transfer')
      .set({ status: 'held', error: `on hold: ${reason}` })
      .where('feed_id', '=', feed.id)
      .where('status', '=', 'pending')
      .returning('id')
      .executeTakeFirst();
    if (transfer === undefined) return;
    await trx
      .updateTable('hub.hold')
      .set({
        decision: 'superseded',
        decided_by: 'pifu-hub',
        decision_reason: `superseded by ${transfer.id}`,
        decided_at: at,
      })
      .where('recipient_id', '=', recipient.id)
      .where('decision', 'is', null)
      .execute();
    await trx
      .insertInto('hub.hold')
      .values({
        transfer_id: transfer.id,
        recipient_id: recipient.id,
        run_id: feed.runId,
        reason,
        held_objects: heldObjects,
        added: counts.added,
        changed: counts.changed,
        deleted: counts.deleted,
        based_on_transfer_id: input.basedOn,
        created_at: at,
      })
      .onConflict((oc) => oc.column('transfer_id').doNothing())
      .execute();
  });
  ctx.logger.warn({ runId: feed.runId, recipientId: recipient.id, reason }, 'delta put on hold');
  return reason;
}

/**
 * Why a feed with these counts goes over the recipient's safety thresholds against `heldObjects` held
 * ones (deletes, changes), or undefined when it does not (nothing held: a first full, never held).
 */
export function overThreshold(
  recipient: RecipientConfig,
  counts: Pick<DeltaCounts, 'deleted' | 'changed'>,
  heldObjects: number,
): string | undefined {
  if (heldObjects === 0) return undefined;
  const { maxDeletePercent, maxChangePercent } = recipient.feed.safety;
  const percent = (count: number): string => ((100 * count) / heldObjects).toFixed(1);
  const reasons: string[] = [];
  if (counts.deleted > (heldObjects * maxDeletePercent) / 100) {
    reasons.push(
      `${counts.deleted} deletes are ${percent(counts.deleted)}% of ${heldObjects} held objects (limit ${maxDeletePercent}%)`,
    );
  }
  if (counts.changed > (heldObjects * maxChangePercent) / 100) {
    reasons.push(
      `${counts.changed} changes are ${percent(counts.changed)}% of ${heldObjects} held objects (limit ${maxChangePercent}%)`,
    );
  }
  return reasons.length === 0 ? undefined : reasons.join('; ');
}
