import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { transfersNamingPersonsBefore } from '../disclosure/index.js';
import { defaultRetentionPolicy, type RetentionPolicy } from './retention-policy.js';

const DAY_MS = 86_400_000;

/** A run whose every feed is acknowledged or dead: its snapshot and manifests go after the grace. */
export interface SettledRun {
  readonly runId: string;
  readonly settledAt: Date;
  /** When retention may remove the run's files: settledAt plus the grace. */
  readonly dueAt: Date;
}

/** A feed file retention deletes: a delivered one after the feed period, a dead one with its run. */
export interface DueFeedFile {
  readonly feedId: string;
  readonly runId: string;
  readonly recipientId: string;
  readonly path: string;
  readonly delivered: boolean;
  readonly dueAt: Date;
}

/** What retention would do now (R3), each item with the time it became due. */
export interface RetentionDue {
  readonly policy: RetentionPolicy;
  readonly at: Date;
  readonly runs: readonly SettledRun[];
  readonly feedFiles: readonly DueFeedFile[];
  /** Delivered transfers whose disclosure rows are older than the period and not yet reduced. */
  readonly disclosureTransfers: readonly { transferId: string; dueAt: Date }[];
  /** Runs kept because a transfer waits for an operator's hold decision. */
  readonly keptForHolds: number;
}

export function yearsBefore(at: Date, years: number): Date {
  const date = new Date(at);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  return date;
}

/**
 * When each transfer of a finished run became acknowledged or dead, in SQL: delivered at its delivery;
 * skipped when its feed was found empty; rejected when the hold was decided; failed once the recipient
 * received something after its feed was written (retry refuses it then) or once the retry window (the
 * feed period, from when the feed was written) is over.
 * Pending and undecided held transfers are not settled.
 */
function settledTransfers(feedDays: number) {
  return sql`
    SELECT t.id, t.run_id, t.status,
      CASE t.status
        WHEN 'delivered' THEN t.delivered_at
        WHEN 'skipped' THEN coalesce(f.written_at, t.created_at)
        WHEN 'rejected' THEN coalesce(h.decided_at, t.created_at)
        WHEN 'failed' THEN least(
          coalesce(f.written_at, t.created_at) + make_interval(days => ${feedDays}),
          (SELECT min(n.delivered_at) FROM hub.transfer n
            WHERE n.recipient_id = t.recipient_id AND n.status = 'delivered'
              AND n.delivered_at > coalesce(f.written_at, t.created_at)))
      END AS settled_at
    FROM hub.transfer t
    JOIN hub.feed f ON f.id = t.feed_id
    LEFT JOIN hub.hold h ON h.transfer_id = t.id`;
}

/** What retention would delete or reduce at `at` under `policy`; reads only, changes nothing. */
export async function findRetentionDue(
  db: Kysely<HubDatabase>,
  at: Date,
  policy: RetentionPolicy = defaultRetentionPolicy,
): Promise<RetentionDue> {
  const grace = policy.runGraceDays * DAY_MS;
  const runRows = await sql<{ id: string; settled_at: Date | null; unsettled: number; held: number }>`
    WITH s AS (${settledTransfers(policy.feedDays)})
    SELECT r.id,
      greatest(r.finished_at, max(s.settled_at)) AS settled_at,
      count(*) FILTER (WHERE s.settled_at IS NULL OR s.settled_at > ${at})::int AS unsettled,
      count(*) FILTER (WHERE s.status = 'held')::int AS held
    FROM hub.run r LEFT JOIN s ON s.run_id = r.id
    WHERE r.status <> 'running' AND r.files_removed_at IS NULL
    GROUP BY r.id`.execute(db);
  const runs: SettledRun[] = [];
  let keptForHolds = 0;
  for (const row of runRows.rows) {
    if (row.held > 0) keptForHolds++;
    if (row.unsettled > 0 || row.settled_at === null) continue;
    const dueAt = new Date(new Date(row.settled_at).getTime() + grace);
    if (dueAt <= at) runs.push({ runId: row.id, settledAt: new Date(row.settled_at), dueAt });
  }
  runs.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.runId.localeCompare(b.runId));
  const dueRuns = new Map(runs.map((run) => [run.runId, run]));

  const fileRows = await db
    .selectFrom('hub.feed as f')
    .innerJoin('hub.transfer as t', 't.feed_id', 'f.id')
    .select(['f.id', 'f.run_id', 'f.recipient_id', 'f.file_path', 't.status', 't.delivered_at'])
    .where('f.file_path', 'is not', null)
    .where('f.file_removed_at', 'is', null)
    .execute();
  const feedFiles: DueFeedFile[] = [];
  for (const row of fileRows) {
    const delivered = row.status === 'delivered' && row.delivered_at !== null;
    const dueAt = delivered
      ? new Date(new Date(row.delivered_at!).getTime() + policy.feedDays * DAY_MS)
      : dueRuns.get(row.run_id)?.dueAt;
    if (dueAt === undefined || dueAt > at) continue;
    feedFiles.push({
      feedId: row.id,
      runId: row.run_id,
      recipientId: row.recipient_id,
      path: row.file_path!,
      delivered,
      dueAt,
    });
  }

  const cutoff = yearsBefore(at, policy.disclosureYears);
  const transfers = await transfersNamingPersonsBefore(db, cutoff);
  const disclosureTransfers = transfers.map((row) => ({
    transferId: row.transferId,
    dueAt: new Date(row.deliveredAt.getTime() + (at.getTime() - cutoff.getTime())),
  }));
  return { policy, at, runs, feedFiles, disclosureTransfers, keptForHolds };
}
