import type { Kysely } from 'kysely';
import type { HubDatabase, RunRow } from '../db/index.js';
import type { TransferTrigger } from '../transfer/transfer-trigger.js';

export async function insertRun(
  db: Kysely<HubDatabase>,
  run: {
    id: string;
    trigger: TransferTrigger;
    requestedBy: string | undefined;
    recipientIds: readonly string[];
    reason?: string | undefined;
    resync?: { school?: string; person?: string } | undefined;
  },
): Promise<void> {
  await db
    .insertInto('hub.run')
    .values({
      id: run.id,
      trigger: run.trigger,
      requested_by: run.requestedBy ?? null,
      status: 'running',
      recipient_ids: [...run.recipientIds],
      reason: run.reason ?? null,
      resync: run.resync === undefined ? null : JSON.stringify(run.resync),
    })
    .execute();
}

export async function findRun(db: Kysely<HubDatabase>, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('hub.run').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function recordRunSnapshot(
  db: Kysely<HubDatabase>,
  runId: string,
  snapshot: { snapshotAt: string; spoolPath: string; persons: number; groups: number; memberships: number },
): Promise<void> {
  await db
    .updateTable('hub.run')
    .set({
      snapshot_at: snapshot.snapshotAt,
      spool_path: snapshot.spoolPath,
      persons: snapshot.persons,
      groups: snapshot.groups,
      memberships: snapshot.memberships,
    })
    .where('id', '=', runId)
    .execute();
}

export async function recordRunFinished(
  db: Kysely<HubDatabase>,
  runId: string,
  outcome: { status: 'completed' | 'failed'; error: string | undefined; finishedAt: Date },
): Promise<void> {
  await db
    .updateTable('hub.run')
    .set({ status: outcome.status, error: outcome.error ?? null, finished_at: outcome.finishedAt })
    .where('id', '=', runId)
    .execute();
}
