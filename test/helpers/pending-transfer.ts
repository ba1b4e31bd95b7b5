import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../../src/db/index.js';
import { readDisclosureBatches } from '../../src/disclosure/index.js';
import { openStateManifest } from '../../src/state/index.js';
import { acknowledgeTransfer } from '../../src/transfer/acknowledge-transfer.js';

/**
 * A written full or delta for `recipientId` with its transfer pending: run, feed and transfer rows, all
 * with the id `id`. What acknowledgeTransfer is handed after a transport delivered it.
 */
export async function insertPendingTransfer(
  db: Kysely<HubDatabase>,
  id: string,
  recipientId: string,
  feedType: 'full' | 'delta',
): Promise<void> {
  await sql`INSERT INTO hub.run (id, trigger, status, recipient_ids)
    VALUES (${id}, 'operator', 'running', ${[recipientId]})`.execute(db);
  await sql`INSERT INTO hub.feed (id, run_id, recipient_id, feed_type, status)
    VALUES (${id}, ${id}, ${recipientId}, ${feedType}, 'written')`.execute(db);
  await sql`INSERT INTO hub.transfer (id, feed_id, run_id, recipient_id, transport_kind, trigger, status)
    VALUES (${id}, ${id}, ${id}, ${recipientId}, 'file-drop', 'operator', 'pending')`.execute(db);
}

/** Acknowledges a pending transfer with these manifest files, as a file drop of a one-byte feed at `deliveredAt`. */
export async function acknowledgeManifests(
  db: Kysely<HubDatabase>,
  transfer: { transferId: string; recipientId: string; basedOn: string | null; deliveredAt: Date },
  manifests: { disclosuresPath: string; statePath: string },
): Promise<boolean> {
  return acknowledgeTransfer(db, {
    ...transfer,
    location: '/dev/null',
    sizeBytes: 1,
    sha256Hex: '00',
    disclosures: () => readDisclosureBatches(manifests.disclosuresPath),
    state: await openStateManifest(manifests.statePath),
    snapshotAt: null,
    sourceMarker: null,
    scopeDate: '2026-11-29',
    profileHash: 'p',
  });
}
