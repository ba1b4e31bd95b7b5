import type { Kysely } from 'kysely';

/**
 * What a recipient's delivered state is the view of (issue 14, incremental deltas): the run whose spool
 * the view was computed from, the code that computed it and when its forgotten and restricted persons
 * were read (JSON, src/state/view-basis.ts). A delta whose inputs are otherwise those of that view
 * recomputes only what differs between that run's spool and its own. Null: unknown (rows written before,
 * or a feed that gave none), so the delta recomputes everything.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('hub').alterTable('recipient_state').addColumn('view_basis', 'text').execute();
}
