import type { Kysely } from 'kysely';
import { copyTransaction, type HubDatabase } from '../db/index.js';
import { recordDisclosures, type DisclosureManifest } from '../disclosure/index.js';
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
 *
 * `location` may be the transport still at work (deliverTransfer): the manifests are written into the
 * transaction meanwhile, and it commits only once the location is known; when the transport fails, or
 * resolves undefined (it only offered the feed), everything rolls back and nothing is delivered.
 */
export async function acknowledgeTransfer(
  db: Kysely<HubDatabase>,
  acknowledgement: {
    transferId: string;
    recipientId: string;
    /** The recipient state's transfer id the feed was computed against; null for a first full. */
    basedOn: string | null;
    /** Where the recipient holds the feed; undefined: it does not (roll back, return false). */
    location: string | PromiseLike<string | undefined>;
    sizeBytes: number;
    sha256Hex: string;
    deliveredAt: Date;
    /** The disclosure manifest (see recordDisclosures). */
    disclosures: DisclosureManifest;
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
  try {
    await copyTransaction(db, async (trx, copy) => {
      if (!(await acknowledgeable(trx, acknowledgement.transferId))) throw notAcknowledged;
      const current = await lockRecipientState(trx, acknowledgement.recipientId, {
        transferId: acknowledgement.transferId,
        at: acknowledgement.deliveredAt,
      });
      // Asked again under the state's lock: a second acknowledgement of this transfer waited here for
      // the first, which has committed since; it changes nothing (and is not stale).
      if (!(await acknowledgeable(trx, acknowledgement.transferId))) throw notAcknowledged;
      // A transport that answered already that it only offered the feed (pull) is not written for.
      if ((await answered(acknowledgement.location)) === undefined) throw notAcknowledged;
      if (current !== acknowledgement.basedOn) {
        // Thrown inside the transaction, so everything above rolls back with it.
        throw staleTransferError({ ...acknowledgement, current }, 'at-acknowledgement');
      }
      await recordDisclosures(
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
      const location = await acknowledgement.location;
      if (location === undefined) throw notAcknowledged;
      const updated = await trx
        .updateTable('hub.transfer')
        .set({
          status: 'delivered',
          delivered_at: acknowledgement.deliveredAt,
          location,
          size_bytes: acknowledgement.sizeBytes,
          sha256_hex: acknowledgement.sha256Hex,
          error: null,
        })
        .where('id', '=', acknowledgement.transferId)
        .where('status', 'in', acknowledgeableStatuses)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw notAcknowledged;
      await alsoInTransaction?.(trx);
    });
  } catch (error) {
    if (error === notAcknowledged) return false;
    throw error;
  }
  return true;
}

/** Thrown inside the transaction to roll it back when the transfer is not (or no longer) to be acknowledged. */
const notAcknowledged = new Error('not acknowledged');

/** The location when it is known by now; `pending` while the transport is still at work. */
async function answered(
  location: string | PromiseLike<string | undefined>,
): Promise<string | undefined | 'pending'> {
  if (typeof location === 'string') return location;
  const pending = new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')));
  // A failed transport is awaited (and its failure rolls back) at the commit, not here.
  return Promise.race([Promise.resolve(location).catch(() => 'pending' as const), pending]);
}

const acknowledgeableStatuses = ['pending', 'failed', 'offered'] as const;

async function acknowledgeable(db: Kysely<HubDatabase>, transferId: string): Promise<boolean> {
  const row = await db
    .selectFrom('hub.transfer')
    .select('status')
    .where('id', '=', transferId)
    .executeTakeFirst();
  return row !== undefined && (acknowledgeableStatuses as readonly string[]).includes(row.status);
}
