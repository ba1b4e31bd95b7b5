import { sql, type Kysely } from 'kysely';
import type { HubDatabase, RunRow, SourceCheck, TransferStatus } from '../db/index.js';
import type { RosterSpoolCounts } from '../spool/index.js';
import type { TransferTrigger } from '../transfer/transfer-trigger.js';
import type { RunOwner } from './run-owner.js';

export async function insertRun(
  db: Kysely<HubDatabase>,
  run: {
    id: string;
    trigger: TransferTrigger;
    requestedBy: string | undefined;
    recipientIds: readonly string[];
    reason?: string | undefined;
    resync?: { school?: string; person?: string } | undefined;
    acceptSourceDropReason?: string | undefined;
    owner?: RunOwner | undefined;
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
      accept_source_drop_reason: run.acceptSourceDropReason ?? null,
      execution: run.owner?.execution ?? null,
      owner_host: run.owner?.process.host ?? null,
      owner_pid: run.owner?.process.pid ?? null,
      owner_started_at: run.owner?.process.startedAt ?? null,
    })
    .execute();
}

export async function findRun(db: Kysely<HubDatabase>, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('hub.run').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** Runs not yet finished, oldest first. */
export async function listRunningRuns(db: Kysely<HubDatabase>): Promise<RunRow[]> {
  return db
    .selectFrom('hub.run')
    .selectAll()
    .where('status', '=', 'running')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function recordRunSnapshot(
  db: Kysely<HubDatabase>,
  runId: string,
  snapshot: { snapshotAt: string; spoolPath: string; counts: RosterSpoolCounts; scopeDate: string },
): Promise<string> {
  const { counts } = snapshot;
  const row = await db
    .updateTable('hub.run')
    .set({
      // The first attempt decides the day; a retried snapshot step keeps it.
      scope_date: sql<string>`coalesce(scope_date, ${snapshot.scopeDate})`,
      snapshot_at: snapshot.snapshotAt,
      spool_path: snapshot.spoolPath,
      persons: counts.persons,
      groups: counts.groups,
      memberships: counts.memberships,
      school_counts: counts.schools === undefined ? null : JSON.stringify(counts.schools),
    })
    .where('id', '=', runId)
    .returning('scope_date')
    .executeTakeFirst();
  return row?.scope_date ?? snapshot.scopeDate;
}

/**
 * The last good snapshot before `runId`'s: the latest other run whose snapshot passed the source guard
 * or was accepted by an operator. Undefined on the first run.
 */
export async function findSourceBaseline(
  db: Kysely<HubDatabase>,
  runId: string,
): Promise<{ runId: string; counts: RosterSpoolCounts } | undefined> {
  const row = await db
    .selectFrom('hub.run')
    .select(['id', 'persons', 'groups', 'memberships', 'school_counts'])
    .where('source_check', 'in', ['passed', 'accepted'])
    .where('id', '<>', runId)
    .where('snapshot_at', 'is not', null)
    .orderBy('snapshot_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const schools = row.school_counts as RosterSpoolCounts['schools'] | null;
  return {
    runId: row.id,
    counts: {
      persons: row.persons ?? 0,
      groups: row.groups ?? 0,
      memberships: row.memberships ?? 0,
      ...(schools === null ? {} : { schools }),
    },
  };
}

export async function recordSourceCheck(
  db: Kysely<HubDatabase>,
  runId: string,
  check: { result: SourceCheck; drop: string | undefined },
): Promise<void> {
  await db
    .updateTable('hub.run')
    .set({ source_check: check.result, source_drop: check.drop ?? null })
    .where('id', '=', runId)
    .execute();
}

/** Records a run's outcome; false when no row changed (no such run, or `onlyIfRunning` and it is not). */
export async function recordRunFinished(
  db: Kysely<HubDatabase>,
  runId: string,
  outcome: {
    status: 'completed' | 'failed';
    error: string | undefined;
    finishedAt: Date;
    /** Leave a run that is no longer running as it was recorded (a cancelled one). */
    onlyIfRunning?: boolean;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('hub.run')
    .set({ status: outcome.status, error: outcome.error ?? null, finished_at: outcome.finishedAt })
    .where('id', '=', runId)
    .$if(outcome.onlyIfRunning === true, (query) => query.where('status', '=', 'running'))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface RunListing {
  readonly id: string;
  readonly trigger: TransferTrigger;
  readonly status: 'running' | 'completed' | 'failed';
  readonly requestedBy: string | null;
  readonly reason: string | null;
  readonly createdAt: Date;
  readonly snapshotAt: Date | null;
  readonly finishedAt: Date | null;
  readonly recipientIds: string[];
  readonly delivered: number;
  readonly failed: number;
  readonly held: number;
  /**
   * Nothing to deliver: skipped (empty or frozen delta), rejected (a hold an operator rejected), or
   * deferred (behind a pull recipient's unacknowledged feed).
   */
  readonly skipped: number;
  readonly pending: number;
  /** Offered to a pull recipient, not acknowledged yet. */
  readonly offered: number;
  readonly error: string | null;
}

const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/** Runs, newest first (or the one `runId`), with their transfers counted by outcome. */
export async function listRuns(
  db: Kysely<HubDatabase>,
  options: { limit: number; runId?: string },
): Promise<RunListing[]> {
  const counted = (statuses: readonly TransferStatus[]) =>
    sql<number>`(count(t.id) filter (where t.status in (${sql.join(statuses.map((status) => sql.lit(status)))})))::int`;
  const rows = await db
    .selectFrom('hub.run as r')
    .leftJoin('hub.transfer as t', 't.run_id', 'r.id')
    .select([
      'r.id',
      'r.trigger',
      'r.status',
      'r.requested_by',
      'r.reason',
      'r.created_at',
      'r.snapshot_at',
      'r.finished_at',
      'r.recipient_ids',
      'r.error',
      counted(['delivered']).as('delivered'),
      counted(['failed']).as('failed'),
      counted(['held']).as('held'),
      counted(['skipped', 'rejected', 'deferred']).as('skipped'),
      counted(['pending']).as('pending'),
      counted(['offered']).as('offered'),
    ])
    .$if(options.runId !== undefined, (query) => query.where('r.id', '=', options.runId!))
    .groupBy('r.id')
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    requestedBy: row.requested_by,
    reason: row.reason,
    createdAt: new Date(row.created_at),
    snapshotAt: toDate(row.snapshot_at),
    finishedAt: toDate(row.finished_at),
    recipientIds: row.recipient_ids,
    delivered: row.delivered,
    failed: row.failed,
    held: row.held,
    skipped: row.skipped,
    pending: row.pending,
    offered: row.offered,
    error: row.error,
  }));
}

/** One transfer of a run with its feed: what `run show` prints and `retry` checks. */
export interface RunTransferDetail {
  readonly transferId: string;
  readonly runId: string;
  readonly recipientId: string;
  readonly feedId: string;
  /** What the feed is (a requested delta may have become a full, e.g. a first delivery). */
  readonly feedType: 'full' | 'delta';
  readonly feedStatus: 'pending' | 'written' | 'empty' | 'failed';
  readonly status: TransferStatus;
  readonly attempts: number;
  readonly added: number | null;
  readonly changed: number | null;
  readonly deleted: number | null;
  readonly persons: number | null;
  readonly groups: number | null;
  readonly memberships: number | null;
  readonly sizeBytes: number | null;
  readonly sha256Hex: string | null;
  readonly filePath: string | null;
  /** How long writing the feed took. */
  readonly writeMs: number | null;
  readonly writtenAt: Date | null;
  readonly location: string | null;
  readonly deliveredAt: Date | null;
  readonly error: string | null;
}

function transferDetails(db: Kysely<HubDatabase>) {
  return db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select([
      't.id as transferId',
      't.run_id as runId',
      't.recipient_id as recipientId',
      'f.id as feedId',
      'f.feed_type as feedType',
      'f.status as feedStatus',
      't.status',
      't.attempts',
      'f.added',
      'f.changed',
      'f.deleted',
      'f.persons',
      'f.groups',
      'f.memberships',
      'f.size_bytes as sizeBytes',
      'f.sha256_hex as sha256Hex',
      'f.file_path as filePath',
      'f.write_ms as writeMs',
      'f.written_at as writtenAt',
      't.location',
      't.delivered_at as deliveredAt',
      sql<string | null>`coalesce(t.error, f.error)`.as('error'),
    ]);
}

function toDetail(
  row: Awaited<ReturnType<ReturnType<typeof transferDetails>['executeTakeFirstOrThrow']>>,
): RunTransferDetail {
  return {
    ...row,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    writtenAt: toDate(row.writtenAt),
    deliveredAt: toDate(row.deliveredAt),
  };
}

export async function listRunTransferDetails(
  db: Kysely<HubDatabase>,
  runId: string,
): Promise<RunTransferDetail[]> {
  const rows = await transferDetails(db).where('t.run_id', '=', runId).orderBy('t.recipient_id').execute();
  return rows.map(toDetail);
}

export async function findTransferDetail(
  db: Kysely<HubDatabase>,
  transferId: string,
): Promise<RunTransferDetail | undefined> {
  const row = await transferDetails(db).where('t.id', '=', transferId).executeTakeFirst();
  return row === undefined ? undefined : toDetail(row);
}

/** The recipient's latest delivery after `after`, if any: a feed written before it is out of date. */
export async function findDeliveryAfter(
  db: Kysely<HubDatabase>,
  recipientId: string,
  after: Date,
): Promise<{ transferId: string; deliveredAt: Date } | undefined> {
  const row = await db
    .selectFrom('hub.transfer')
    .select(['id', 'delivered_at'])
    .where('recipient_id', '=', recipientId)
    .where('status', '=', 'delivered')
    .where('delivered_at', '>', after)
    .orderBy('delivered_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined || row.delivered_at === null
    ? undefined
    : { transferId: row.id, deliveredAt: new Date(row.delivered_at) };
}
