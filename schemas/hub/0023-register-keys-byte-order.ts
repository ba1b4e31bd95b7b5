import { sql, type Kysely } from 'kysely';

/**
 * The disclosure register's person keys compare byte for byte (`COLLATE "C"`), as the delivered state's
 * object keys do (0003), instead of by the database's collation (issue 14, delivery target). A full's
 * acknowledgement sorts its persons and inserts each into five indexes on person_key (spans: primary
 * key, open spans, by person; disclosures: primary key, by person): under a libc collation every
 * comparison is a strcoll and sorts have no abbreviated keys. Measured on 200,000 persons (one Oslo
 * full): the span-and-disclosure insert took 2.2–2.5 s of PostgreSQL's CPU where it took 2.7–3.0 s.
 * Equality, all the register asks of a key, is the same under both; the hub's keys are ASCII, so even
 * their order is the one they had under C.UTF-8. The staging tables the acknowledgement joins against
 * these columns say `COLLATE "C"` too (recordDisclosures).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE hub.disclosure_span ALTER COLUMN person_key TYPE text COLLATE "C"`.execute(db);
  await sql`ALTER TABLE hub.disclosure ALTER COLUMN person_key TYPE text COLLATE "C"`.execute(db);
}
