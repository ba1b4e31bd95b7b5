import { sql, type Kysely } from 'kysely';

/**
 * The disclosure register's rows no longer check their transfer by foreign key (issue 14, delivery
 * target). Both tables are written only inside the acknowledgement transaction (recordDisclosures),
 * which has just updated that very transfer row to `delivered` and holds its lock, and transfer rows
 * are never deleted, so the check could never fail; it cost a lookup per row, about as much as the
 * rows themselves: a first full at Oslo scale checked 287,000 span and 287,000 disclosure rows.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE hub.disclosure DROP CONSTRAINT IF EXISTS disclosure_transfer_id_fkey`.execute(db);
  await sql`ALTER TABLE hub.disclosure_span DROP CONSTRAINT IF EXISTS disclosure_span_opened_by_fkey`.execute(
    db,
  );
}
