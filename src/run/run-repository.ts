import { sql, type Kysely, type Selectable } from 'kysely';
import { toDate, type HubDatabase, type RunTable, type SourceCheck } from '../db/index.js';
import type { RosterSpoolCounts } from '../spool/index.js';
import type { TransferTrigger } from '../transfer/transfer-trigger.js';
import type { RunOwner } from './run-owner.js';
import type { ResyncRequest, Run } from './run.js';

/** The one place a `hub.run` row becomes a `Run`. */
function toRun(row: Selectable<RunTable>): Run {
  return {
    id: row.id,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    status: row.status,
    recipientIds: row.recipient_ids,
    createdAt: new Date(row.created_at),
    snapshotAt: toDate(row.snapshot_at),
    finishedAt: toDate(row.finished_at),
    spoolPath: row.spool_path,
    persons: row.persons,
    groups: row.groups,
    memberships: row.memberships,
    error: row.error,
    reason: row.reason,
    resync: (typeof row.resync === 'string' ? JSON.parse(row.resync) : row.resync) as ResyncRequest | null,
    schoolCounts: row.school_counts,
    sourceCheck: row.source_check,
    sourceDrop: row.source_drop,
    acceptSourceDropReason: row.accept_source_drop_reason,
    execution: row.execution,
    ownerHost: row.owner_host,
    ownerPid: row.owner_pid,
    ownerStartedAt: toDate(row.owner_started_at),
    scopeDate: row.scope_date,
    sourceMarker: row.source_marker,
  };
}

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

export async function findRun(db: Kysely<HubDatabase>, runId: string): Promise<Run | undefined> {
  const row = await db.selectFrom('hub.run').selectAll().where('id', '=', runId).executeTakeFirst();
  return row === undefined ? undefined : toRun(row);
}

/** Runs not yet finished, oldest first. */
export async function listRunningRuns(db: Kysely<HubDatabase>): Promise<Run[]> {
  const rows = await db
    .selectFrom('hub.run')
    .selectAll()
    .where('status', '=', 'running')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toRun);
}

export async function recordRunSnapshot(
  db: Kysely<HubDatabase>,
  runId: string,
  snapshot: {
    snapshotAt: string;
    sourceMarker: string | undefined;
    spoolPath: string;
    counts: RosterSpoolCounts;
    scopeDate: string;
  },
): Promise<string> {
  const { counts } = snapshot;
  const row = await db
    .updateTable('hub.run')
    .set({
      // The first attempt decides the day; a retried snapshot step keeps it.
      scope_date: sql<string>`coalesce(scope_date, ${snapshot.scopeDate})`,
      snapshot_at: snapshot.snapshotAt,
      source_marker: snapshot.sourceMarker ?? null,
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
