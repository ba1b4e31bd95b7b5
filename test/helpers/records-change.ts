import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';

/**
 * Commits a change to the records store in one transaction whose change_log rows are dated a second
 * after every change before it, so a delta's "changed since the last snapshot" sees it even when both
 * fall in one clock second.
 */
export async function commitRecordsChange(
  db: Kysely<unknown>,
  change: RawBuilder<unknown> | ((trx: Transaction<unknown>) => Promise<unknown>),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await (typeof change === 'function' ? change(trx) : change.execute(trx));
    await sql`update records.change_log set changed_at = (
        select max(changed_at) from records.change_log where txid <> txid_current()) + interval '1 second'
      where txid = txid_current()`.execute(trx);
  });
}
