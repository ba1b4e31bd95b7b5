import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import {
  isCompleteRosterSpool,
  releaseRosterSpool,
  removeRosterSpool,
  type SpoolBase,
} from '../spool/index.js';
import type { HubContext } from './hub-context.js';
import { runSpoolPaths } from './run-paths.js';
import { recordSpoolPath } from './run-repository.js';

/**
 * The spool an incremental snapshot starts from (src/spool/incremental-spool.ts). A run's roster spool
 * goes with its run, except the latest snapshot's: it moves to `base/<run id>` in the spool directory,
 * its run's spool_path says so (retention removes it with its run), and the base before it goes.
 */

const baseDirOf = (spoolDir: string): string => join(spoolDir, 'base');

/** The latest runs with a recorded snapshot marker and spool path, newest first. */
async function latestSnapshotRuns(
  db: Kysely<HubDatabase>,
  limit: number,
): Promise<{ id: string; spool_path: string | null }[]> {
  return db
    .selectFrom('hub.run')
    .select(['id', 'spool_path'])
    .where('source_marker', 'is not', null)
    .where('spool_path', 'is not', null)
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

/**
 * At a run's end, in place of removing its roster spool: when its snapshot is the latest recorded,
 * the spool becomes the base (and the base before it is removed); otherwise it is removed as before.
 */
export async function retireRosterSpool(ctx: HubContext, runId: string): Promise<void> {
  const { rosterDir } = runSpoolPaths(ctx.spoolDir, runId);
  const [latest] = await latestSnapshotRuns(ctx.db, 1);
  if (latest?.id !== runId || !isCompleteRosterSpool(rosterDir)) {
    await removeRosterSpool(rosterDir);
    return;
  }
  releaseRosterSpool(rosterDir);
  const bases = baseDirOf(ctx.spoolDir);
  await mkdir(bases, { recursive: true, mode: 0o700 });
  const kept = join(bases, runId);
  await removeRosterSpool(kept);
  await rename(rosterDir, kept);
  await recordSpoolPath(ctx.db, runId, kept);
  for (const name of await readdir(bases)) if (name !== runId) await removeRosterSpool(join(bases, name));
}
