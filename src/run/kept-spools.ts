import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { isCompleteRosterSpool, removeRosterSpool, type SpoolBase } from '../spool/index.js';
import { viewBasisRuns } from '../state/index.js';
import type { HubContext } from './hub-context.js';
import { runSpoolPaths } from './run-paths.js';

/**
 * Which roster spools outlive their run, in one place. A run's spool is removed when the run closes,
 * except where a later run needs it:
 * - the latest recorded snapshot's that the source guard let through: the base the next run's snapshot
 *   starts from
 *   (src/spool/incremental-spool.ts);
 * - any run's that a recipient's delivered state is the view of: the base that recipient's next delta is
 *   compared with (src/feed/incremental-delta.ts).
 * Each stays where its run wrote it until neither holds, or until retention removes its run's files.
 */

/**
 * The latest runs with a recorded snapshot marker and spool path whose snapshot the source guard passed
 * (or an operator accepted), newest first: a snapshot that stopped its run is no base for the next.
 */
async function latestSnapshotRuns(
  db: Kysely<HubDatabase>,
  limit: number,
): Promise<{ id: string; spool_path: string | null }[]> {
  return db
    .selectFrom('hub.run')
    .select(['id', 'spool_path'])
    .where('source_marker', 'is not', null)
    .where('spool_path', 'is not', null)
    .where('source_check', 'in', ['passed', 'accepted'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * The newest complete spool of another run that recorded a source marker, or undefined (the first run,
 * a source without markers, or retention removed it). Its source and marker are checked by the writer.
 */
export async function findSpoolBase(ctx: HubContext, runId: string): Promise<SpoolBase | undefined> {
  for (const run of await latestSnapshotRuns(ctx.db, 3)) {
    if (run.id !== runId && run.spool_path !== null && isCompleteRosterSpool(run.spool_path))
      return { runId: run.id, dir: run.spool_path };
  }
  return undefined;
}

/** The runs whose spools a later run needs (see above). */
async function keptRuns(db: Kysely<HubDatabase>): Promise<Set<string>> {
  const kept = await viewBasisRuns(db);
  const [latest] = await latestSnapshotRuns(db, 1);
  if (latest !== undefined) kept.add(latest.id);
  return kept;
}

/**
 * After a run closed: removes its roster spool, and any earlier closed run's, unless a later run needs
 * it. A spool of a run still running is never touched; one no run row owns is not this hub's to judge.
 */
export async function removeUnusedRosterSpools(ctx: HubContext, closedRunId: string): Promise<void> {
  const kept = await keptRuns(ctx.db);
  const runsDir = join(ctx.spoolDir, 'runs');
  const spooled = existsSync(runsDir) ? await readdir(runsDir) : [];
  const candidates = spooled.filter(
    (runId) => !kept.has(runId) && existsSync(runSpoolPaths(ctx.spoolDir, runId).rosterDir),
  );
  if (!candidates.includes(closedRunId) && !kept.has(closedRunId)) candidates.push(closedRunId);
  if (candidates.length === 0) return;
  const closed = await ctx.db
    .selectFrom('hub.run')
    .select('id')
    .where('id', 'in', candidates)
    .where('status', '<>', 'running')
    .execute();
  const removable = new Set(closed.map((row) => row.id));
  for (const runId of candidates) {
    if (removable.has(runId) || runId === closedRunId)
      await removeRosterSpool(runSpoolPaths(ctx.spoolDir, runId).rosterDir);
  }
}
