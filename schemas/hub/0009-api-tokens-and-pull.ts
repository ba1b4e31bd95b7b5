import { sql, type Kysely } from 'kysely';

/**
 * The HTTP API and the pull endpoint.
 *
 * `api_token`: who may call the API. Only the sha-256 of a token is kept (the token itself is shown once,
 * when it is made); a token carries either an operator role or a recipient it may pull for, never both.
 * A name is never reused, so `token:NAME` in the audit trail always means one token.
 *
 * A pull recipient fetches its feed itself: its transfer is `offered` (with `offered_at`) once the feed
 * is ready, and becomes `delivered` only when the recipient acknowledges it. A feed the hub would write
 * while an earlier one still waits for that acknowledgement is `deferred`: it is caught up once the
 * acknowledgement comes, against the state the recipient then holds.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const hub = db.schema.withSchema('hub');
  await hub
    .createTable('api_token')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) =>
      c.check(sql`role IN ('viewer', 'operator', 'privacy-admin', 'config-admin')`),
    )
    .addColumn('recipient_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .addCheckConstraint('api_token_role_or_recipient', sql`(role IS NULL) <> (recipient_id IS NULL)`)
    .execute();

  await sql`ALTER TABLE hub.transfer DROP CONSTRAINT transfer_status_check`.execute(db);
  await sql`ALTER TABLE hub.transfer ADD CONSTRAINT transfer_status_check
    CHECK (status IN ('pending', 'delivered', 'failed', 'held', 'rejected', 'skipped', 'offered', 'deferred'))`.execute(
    db,
  );
  await hub.alterTable('transfer').addColumn('offered_at', 'timestamptz').execute();
  // The pull endpoint's question, "what waits for this recipient", and the metrics' oldest offer.
  await sql`CREATE INDEX transfer_offered ON hub.transfer (recipient_id, offered_at)
    WHERE status = 'offered'`.execute(db);
}
