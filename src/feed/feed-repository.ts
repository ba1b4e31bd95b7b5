import type { Kysely } from 'kysely';
import type { RecipientConfig } from '../config/index.js';
import type { FeedRow, HubDatabase } from '../db/index.js';
import type { FeedType } from '../model/index.js';

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

export async function findFeed(db: Kysely<HubDatabase>, feedId: string): Promise<FeedRow | undefined> {
  return db.selectFrom('hub.feed').selectAll().where('id', '=', feedId).executeTakeFirst();
}

export async function recordFeedWritten(
  db: Kysely<HubDatabase>,
  feedId: string,
  written: {
    filePath: string;
    /** The config the feed was written under: its profile and legal basis go on the feed row. */
    recipient: RecipientConfig;
    persons: number;
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
      file_path: written.filePath,
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
