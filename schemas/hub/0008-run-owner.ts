import { sql, type Kysely } from 'kysely';

/**
 * Who carries a run out (issue 10, crash recovery). `execution` says how: in one process without
 * queues (`in-process`), on a private redis-server that lives and dies with one process
 * (`private-queue`), or on the shared queues that any worker may take steps from (`shared-queue`). The
 * owner process is named by host, pid and start time, so a later command can tell that it is gone, and a
 * pid the system has since given to another process is not mistaken for it. All four are null for runs
 * recorded before this migration (owner unknown).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('hub')
    .alterTable('run')
    .addColumn('execution', 'text', (c) =>
      c.check(sql`execution IN ('in-process', 'private-queue', 'shared-queue')`),
    )
    .addColumn('owner_host', 'text')
    .addColumn('owner_pid', 'integer')
    .addColumn('owner_started_at', 'timestamptz')
    .execute();
  // Every command looks for unfinished runs when it starts; they are few among many finished ones.
  await db.schema
    .withSchema('hub')
    .createIndex('run_running_idx')
    .on('run')
    .column('created_at')
    .where(sql.ref('status'), '=', 'running')
    .execute();
}
