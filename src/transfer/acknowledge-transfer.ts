import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { insertDisclosures, type DisclosureLine } from '../disclosure/index.js';

/**
 * The one place a transfer becomes delivered (DESIGN decision 2): the transfer row and every
 * disclosure commit together, after the transport succeeded, or not at all. Returns false when the
 * transfer was already acknowledged (a repeated deliver job), changing nothing.
 */
export async function acknowledgeTransfer(
  db: Kysely<HubDatabase>,
  acknowledgement: {
    transferId: string;
    recipientId: string;
    location: string;
    sizeBytes: number;
    sha256Hex: string;
    deliveredAt: Date;
    disclosures: AsyncIterable<DisclosureLine>;
  },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('hub.transfer')
      .set({
        status: 'delivered',
        delivered_at: acknowledgement.deliveredAt,
        location: acknowledgement.location,
        size_bytes: acknowledgement.sizeBytes,
        sha256_hex: acknowledgement.sha256Hex,
        error: null,
      })
      .where('id', '=', acknowledgement.transferId)
      .where('status', '!=', 'delivered')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return false;
    await insertDisclosures(
      trx,
      {
        transferId: acknowledgement.transferId,
        recipientId: acknowledgement.recipientId,
        disclosedAt: acknowledgement.deliveredAt,
      },
      acknowledgement.disclosures,
    );
    return true;
  });
}
