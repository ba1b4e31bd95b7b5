import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../../src/db/index.js';
import { writeFileSync } from 'node:fs';
import {
  DisclosureManifestWriter,
  disclosureManifestFiles,
  openDisclosureManifest,
  type DisclosureLine,
} from '../../src/disclosure/index.js';
import {
  formatStateHeader,
  formatStateLine,
  openStateManifest,
  stateManifestPath,
  type StateLine,
} from '../../src/state/index.js';
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

/**
 * Acknowledges a pending transfer with the manifests beside `feedPath` (writeManifests), as a file drop
 * of a one-byte feed at `deliveredAt`.
 */
export async function acknowledgeManifests(
  db: Kysely<HubDatabase>,
  transfer: { transferId: string; recipientId: string; basedOn: string | null; deliveredAt: Date },
  feedPath: string,
): Promise<boolean> {
  return acknowledgeTransfer(db, {
    ...transfer,
    location: '/dev/null',
    sizeBytes: 1,
    sha256Hex: '00',
    disclosures: openDisclosureManifest(feedPath),
    state: await openStateManifest(feedPath),
    snapshotAt: null,
    sourceMarker: null,
    scopeDate: '2026-11-29',
    profileHash: 'p',
  });
}

/** A state manifest's text as the hub writes it: the header of an `apply`, then the lines. */
export const stateManifestText = (lines: readonly StateLine[]): string =>
  formatStateHeader('apply') + lines.map(formatStateLine).join('');

/**
 * Writes a feed's manifests beside `feedPath` as the hub does (`copy`), or as a hub before COPY manifests
 * did (`ndjson`: one JSON array a line), which a transfer it left pending is still acknowledged from.
 * `state` is the state manifest's text in that form (stateManifestText, ndjsonStateText).
 */
export async function writeManifests(
  feedPath: string,
  manifests: { state: string; disclosures: readonly DisclosureLine[] },
  form: 'copy' | 'ndjson' = 'copy',
): Promise<void> {
  if (form === 'ndjson') {
    writeFileSync(`${feedPath}.state.ndjson`, manifests.state);
    const line = (l: DisclosureLine) =>
      l.kind === 'member'
        ? ['m', l.personKey]
        : ['p', l.personKey, l.categories, ...(l.unchanged === true ? [0] : [])];
    writeFileSync(
      `${feedPath}.disclosures.ndjson`,
      manifests.disclosures.map((l) => `${JSON.stringify(line(l))}\n`).join(''),
    );
    return;
  }
  writeFileSync(stateManifestPath(feedPath), manifests.state);
  const writer = new DisclosureManifestWriter(disclosureManifestFiles(feedPath));
  for (const line of manifests.disclosures) await writer.write(line);
  await writer.close();
}

/** A state manifest's text as a hub before COPY manifests wrote it (see writeManifests). */
export function ndjsonStateText(lines: readonly StateLine[]): string {
  const row = (l: StateLine) =>
    l.op === 'delete'
      ? ['d', l.type, l.key]
      : [
          'u',
          l.type,
          l.key,
          l.hash,
          ...(l.inputHash !== undefined
            ? [l.detail ?? null, l.inputHash]
            : l.detail !== undefined
              ? [l.detail]
              : []),
        ];
  return `${JSON.stringify({ mode: 'apply' })}\n${lines.map((l) => `${JSON.stringify(row(l))}\n`).join('')}`;
}
