import { sql, type Kysely } from 'kysely';

/**
 * The source sanity guard (issue 10): each run keeps its snapshot's counts per school beside the
 * totals it already had, and whether that snapshot passed the guard, was accepted by an operator
 * despite a drop, or stopped the run. The latest snapshot that passed or was accepted is the baseline
 * the next run is compared with.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('hub')
    .alterTable('run')
    .addColumn('school_counts', 'jsonb')
    .addColumn('source_check', 'text', (c) => c.check(sql`source_check IN ('passed', 'accepted', 'stopped')`))
    .addColumn('source_drop', 'text')
    .addColumn('accept_source_drop_reason', 'text')
    .execute();
  // Runs that completed before the guard existed delivered their snapshot, so they are a fair baseline
  // (totals only: they have no per-school counts) and the first run after the upgrade is checked too.
  await sql`UPDATE hub.run SET source_check = 'passed'
    WHERE status = 'completed' AND snapshot_at IS NOT NULL AND persons IS NOT NULL`.execute(db);
  await sql`CREATE INDEX run_good_snapshot_idx ON hub.run (snapshot_at DESC)
    WHERE source_check IN ('passed', 'accepted')`.execute(db);
}
