import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { insertDisclosures, type DisclosureLine } from '../disclosure/index.js';
import { applyStateManifest, type StateManifest } from '../state/index.js';

/**
 * The one place a transfer becomes delivered (docs/requirements.md#d2): the transfer row, every disclosure
 * and the recipient's delivered state commit together, after the transport succeeded, or not at all. Returns
 * false when the transfer was already acknowledged (a repeated deliver job), changing nothing.
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
    /** Opens the disclosure manifest; called twice (see insertDisclosures). */
    disclosures: () => AsyncIterable<DisclosureLine>;
    state: StateManifest;
    snapshotAt: Date | null;
    profileHash: string;
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
      .where('status', 'in', ['pending', 'failed'])
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
    await applyStateManifest(
      trx,
      {
        recipientId: acknowledgement.recipientId,
        transferId: acknowledgement.transferId,
        snapshotAt: acknowledgement.snapshotAt,
        profileHash: acknowledgement.profileHash,
        at: acknowledgement.deliveredAt,
      },
      acknowledgement.state,
    );
    return true;
  });
}
