import type { Kysely } from 'kysely';
import { toDate, type HubDatabase } from '../db/index.js';
import { countRunTransfers, type RunTransferCounts } from '../transfer/transfer-repository.js';
import type { TransferTrigger } from '../transfer/transfer-trigger.js';

/** A run as listed: what was asked for, how it ended, and its transfers counted by outcome. */
export interface RunListing extends RunTransferCounts {
  readonly id: string;
  readonly trigger: TransferTrigger;
  readonly status: 'running' | 'completed' | 'failed';
  readonly requestedBy: string | null;
  readonly reason: string | null;
  readonly createdAt: Date;
  readonly snapshotAt: Date | null;
  readonly finishedAt: Date | null;
  readonly recipientIds: string[];
  readonly error: string | null;
}

/** Runs, newest first (or the one `runId`), with their transfers counted by outcome. */
export async function listRuns(
  db: Kysely<HubDatabase>,
  options: { limit: number; runId?: string },
): Promise<RunListing[]> {
  const rows = await db
    .selectFrom('hub.run')
    .select([
      'id',
      'trigger',
      'status',
      'requested_by',
      'reason',
      'created_at',
      'snapshot_at',
      'finished_at',
      'recipient_ids',
      'error',
    ])
    .$if(options.runId !== undefined, (query) => query.where('id', '=', options.runId!))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  const counts = await countRunTransfers(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => {
    const counted = counts.get(row.id);
    return {
      id: row.id,
      trigger: row.trigger,
      status: row.status,
      requestedBy: row.requested_by,
      reason: row.reason,
      createdAt: new Date(row.created_at),
      snapshotAt: toDate(row.snapshot_at),
      finishedAt: toDate(row.finished_at),
      recipientIds: row.recipient_ids,
      delivered: counted?.delivered ?? 0,
      failed: counted?.failed ?? 0,
      held: counted?.held ?? 0,
      skipped: counted?.skipped ?? 0,
      pending: counted?.pending ?? 0,
      offered: counted?.offered ?? 0,
      error: row.error,
    };
  });
}
