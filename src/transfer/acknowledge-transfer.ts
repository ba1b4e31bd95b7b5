import type { Kysely } from 'kysely';
import { copyTransaction, type HubDatabase } from '../db/index.js';
import {
  recordDisclosures,
  refreshSpanStatistics,
  type DisclosureLine,
  type RecordedDisclosures,
} from '../disclosure/index.js';
import { applyStateManifest, lockRecipientState, type StateManifest } from '../state/index.js';
import { staleTransferError } from './transfer-base.js';

/**
 * The one place a transfer becomes delivered (docs/requirements.md#d2): the transfer row, every disclosure
 * and the recipient's delivered state commit together, after the transport succeeded, or not at all.
 * Returns false when the transfer was already acknowledged (a repeated deliver job, a second pull
 * acknowledgement), changing nothing.
 *
 * The feed's state lines are relative to the delivered state it was computed against (`basedOn`), so the
 * transaction locks the recipient's state and throws PIFU_TRANSFER_STALE, changing nothing, unless that
 * is still the current state: of two feeds computed against one state (an old approved hold and a newer
 * delta, a full and a delta), at most one is ever acknowledged, whoever called the transport.
 */
export async function acknowledgeTransfer(
  db: Kysely<HubDatabase>,
  acknowledgement: {
    transferId: string;
    recipientId: string;
    /** The recipient state's transfer id the feed was computed against; null for a first full. */
    basedOn: string | null;
    location: string;
    sizeBytes: number;
    sha256Hex: string;
    deliveredAt: Date;
    /** Opens the disclosure manifest (see recordDisclosures). */
    disclosures: () => AsyncIterable<readonly DisclosureLine[]>;
    state: StateManifest;
    snapshotAt: Date | null;
    /** The source's marker of the run's snapshot; null without one. */
    sourceMarker: string | null;
    /** The run's scope date, which the state's objects were computed for. */
    scopeDate: string | null;
    profileHash: string;
  },
  /** Runs in the acknowledgement's transaction when it acknowledges (a pull acknowledgement's audit row). */
  alsoInTransaction?: (trx: Kysely<HubDatabase>) => Promise<void>,
): Promise<boolean> {
  let recorded: RecordedDisclosures | undefined;
  const acknowledged = await copyTransaction(db, async (trx, copy) => {
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
      .where('status', 'in', ['pending', 'failed', 'offered'])
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return false;
    const current = await lockRecipientState(trx, acknowledgement.recipientId, {
      transferId: acknowledgement.transferId,
      at: acknowledgement.deliveredAt,
    });
    if (current !== acknowledgement.basedOn) {
      // Thrown inside the transaction, so the transfer row above rolls back with it.
      throw staleTransferError({ ...acknowledgement, current }, 'at-acknowledgement');
    }
    recorded = await recordDisclosures(
      trx,
      {
        transferId: acknowledgement.transferId,
        recipientId: acknowledgement.recipientId,
        disclosedAt: acknowledgement.deliveredAt,
      },
      acknowledgement.disclosures,
      copy,
    );
    await applyStateManifest(
      trx,
      {
        recipientId: acknowledgement.recipientId,
        transferId: acknowledgement.transferId,
        snapshotAt: acknowledgement.snapshotAt,
        sourceMarker: acknowledgement.sourceMarker,
        scopeDate: acknowledgement.scopeDate,
        profileHash: acknowledgement.profileHash,
        at: acknowledgement.deliveredAt,
      },
      acknowledgement.state,
      copy,
    );
    await alsoInTransaction?.(trx);
    return true;
  });
  if (recorded !== undefined) await refreshSpanStatistics(db, recorded);
  return acknowledged;
}
