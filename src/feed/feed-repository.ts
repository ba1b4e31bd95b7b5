import type { Kysely, Selectable } from 'kysely';
import type { RecipientConfig } from '../config/index.js';
import { contentHash } from '../state/index.js';
import { toDate, type FeedTable, type HubDatabase } from '../db/index.js';
import type { FeedType } from '../model/index.js';

/** One feed as the core sees it: the file written for one recipient in one run, and its counts. */
export interface Feed {
  readonly id: string;
  readonly runId: string;
  readonly recipientId: string;
  /** What the feed is (a requested delta may have become a full, e.g. a first delivery). */
  readonly feedType: 'full' | 'delta';
  readonly status: 'pending' | 'written' | 'empty' | 'failed';
  readonly filePath: string | null;
  readonly persons: number | null;
  readonly groups: number | null;
  readonly memberships: number | null;
  readonly added: number | null;
  readonly changed: number | null;
  readonly deleted: number | null;
  readonly sizeBytes: number | null;
  readonly sha256Hex: string | null;
  readonly createdAt: Date;
  readonly writtenAt: Date | null;
  readonly writeMs: number | null;
  readonly error: string | null;
  /** The recipient state's transfer id the feed was computed against (null: it held nothing). */
  readonly basedOnTransferId: string | null;
  /** Keyed fingerprint of the pseudonym secret the feed was written with (pseudonymised recipients). */
  readonly pseudonymFingerprint: string | null;
  /** contentHash of the profile the feed was written through; becomes the recipient state's on delivery. */
  readonly profileHash: string | null;
}

/** The one place a `hub.feed` row becomes a `Feed`. */
function toFeed(row: Selectable<FeedTable>): Feed {
  return {
    id: row.id,
    runId: row.run_id,
    recipientId: row.recipient_id,
    feedType: row.feed_type,
    status: row.status,
    filePath: row.file_path,
    persons: row.persons,
    groups: row.groups,
    memberships: row.memberships,
    added: row.added,
    changed: row.changed,
    deleted: row.deleted,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256Hex: row.sha256_hex,
    createdAt: new Date(row.created_at),
    writtenAt: toDate(row.written_at),
    writeMs: row.write_ms,
    error: row.error,
    basedOnTransferId: row.based_on_transfer_id,
    pseudonymFingerprint: row.pseudonym_fingerprint,
    profileHash: row.profile_hash,
  };
}

export async function insertFeed(
  db: Kysely<HubDatabase>,
  feed: { id: string; runId: string; recipientId: string; feedType: FeedType },
): Promise<void> {
  await db
    .insertInto('hub.feed')
    .values({
      id: feed.id,
      run_id: feed.runId,
      recipient_id: feed.recipientId,
      feed_type: feed.feedType,
      status: 'pending',
    })
    .execute();
}

export async function findFeed(db: Kysely<HubDatabase>, feedId: string): Promise<Feed | undefined> {
  const row = await db.selectFrom('hub.feed').selectAll().where('id', '=', feedId).executeTakeFirst();
  return row === undefined ? undefined : toFeed(row);
}

export async function recordFeedWritten(
  db: Kysely<HubDatabase>,
  feedId: string,
  written: {
    filePath: string;
    /** The config the feed was written under: its profile and legal basis go on the feed row. */
    recipient: RecipientConfig;
    feedType: 'full' | 'delta';
    /** The recipient state's transfer id the feed was computed against; null: it held nothing. */
    basedOn: string | null;
    /** Which pseudonym secret the feed was written with (pseudonymised recipients). */
    pseudonymFingerprint?: string | null;
    persons: number;
    added: number;
    changed: number;
    deleted: number;
    groups: number;
    memberships: number;
    sizeBytes: number;
    sha256Hex: string;
    writtenAt: Date;
    writeMs: number;
  },
): Promise<void> {
  await db
    .updateTable('hub.feed')
    .set({
      status: 'written',
      feed_type: written.feedType,
      file_path: written.filePath,
      based_on_transfer_id: written.basedOn,
      pseudonym_fingerprint: written.pseudonymFingerprint ?? null,
      added: written.added,
      changed: written.changed,
      deleted: written.deleted,
      persons: written.persons,
      groups: written.groups,
      memberships: written.memberships,
      size_bytes: written.sizeBytes,
      sha256_hex: written.sha256Hex,
      written_at: written.writtenAt,
      write_ms: written.writeMs,
      error: null,
      legal_basis: written.recipient.legalBasis,
      purpose: written.recipient.purpose,
      profile: JSON.stringify(written.recipient.resolvedProfile),
      profile_hash: contentHash(written.recipient.resolvedProfile),
      widenings: written.recipient.widenings as string[],
      override_reason: written.recipient.override?.reason ?? null,
      relays_to: (written.recipient.relaysTo ?? []) as string[],
    })
    .where('id', '=', feedId)
    .execute();
}

export async function recordFeedFailed(
  db: Kysely<HubDatabase>,
  feedId: string,
  error: string,
): Promise<void> {
  await db.updateTable('hub.feed').set({ status: 'failed', error }).where('id', '=', feedId).execute();
}

/**
 * A feed with nothing to send: an empty delta, or one inside a freeze window. Its transfer is skipped,
 * so the run does not wait for a delivery that will never come.
 */
export async function recordFeedEmpty(
  db: Kysely<HubDatabase>,
  feedId: string,
  empty: {
    feedType: 'full' | 'delta';
    reason: string;
    at: Date;
    /** `deferred`: behind a pull recipient's unacknowledged feed, to be caught up after it. */
    transferStatus?: 'skipped' | 'deferred';
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('hub.feed')
      .set({
        status: 'empty',
        feed_type: empty.feedType,
        file_path: null,
        persons: 0,
        groups: 0,
        memberships: 0,
        added: 0,
        changed: 0,
        deleted: 0,
        size_bytes: 0,
        written_at: empty.at,
        error: empty.reason,
      })
      .where('id', '=', feedId)
      .execute();
    await trx
      .updateTable('hub.transfer')
      .set({ status: empty.transferStatus ?? 'skipped', error: empty.reason })
      .where('feed_id', '=', feedId)
      .where('status', '=', 'pending')
      .execute();
  });
}

/** The recipients of a run whose feeds are still to be written, but for `exceptFeedId`'s. */
export async function pendingFeedRecipients(
  db: Kysely<HubDatabase>,
  runId: string,
  exceptFeedId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('hub.feed')
    .select('recipient_id')
    .where('run_id', '=', runId)
    .where('status', '=', 'pending')
    .where('id', '!=', exceptFeedId)
    .execute();
  return rows.map((row) => row.recipient_id);
}
