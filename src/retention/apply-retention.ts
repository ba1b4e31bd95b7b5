import { readdir, rm, rmdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { disclosureManifestPaths, reduceDisclosureTransfers } from '../disclosure/index.js';
import type { Logger } from '../log/index.js';
import { runSpoolPaths } from '../run/run-paths.js';
import { pruneSourcePulls } from '../source-pull/index.js';
import { stateManifestPaths } from '../state/index.js';
import { findRetentionDue, type RetentionDue } from './retention-plan.js';
import { defaultRetentionPolicy, type RetentionPolicy } from './retention-policy.js';

const DAY_MS = 86_400_000;

export interface RetentionSummary {
  readonly at: Date;
  readonly policy: RetentionPolicy;
  /** Runs whose snapshot and manifests were removed. */
  readonly runs: number;
  /** Feed files deleted: delivered ones after the feed period, dead ones with their run. */
  readonly feedFiles: number;
  /** Transfers whose disclosure rows were reduced to counts, and how many rows went. */
  readonly reducedTransfers: number;
  readonly reducedRows: number;
  /** Records of exports `source pull` took, past the feed period (each location's newest stays). */
  readonly sourcePulls: number;
  /** Paths recorded outside the spool directory, left alone (the spool directory moved?). */
  readonly skipped: readonly string[];
}

/** The one line a log or an audit row carries: counts, never a person. */
export function describeRetention(summary: RetentionSummary): string {
  return (
    `${summary.runs} run snapshots and manifests removed, ${summary.feedFiles} feed files deleted, ` +
    `${summary.reducedRows} disclosure rows of ${summary.reducedTransfers} transfers reduced to counts` +
    (summary.sourcePulls === 0 ? '' : `, ${summary.sourcePulls} source pull records removed`) +
    (summary.skipped.length === 0 ? '' : `, ${summary.skipped.length} paths outside the spool left alone`)
  );
}

/**
 * Carries out the retention policy (R3) at `at`: removes the snapshot and manifests of settled runs
 * after the grace, deletes feed files past their period, and reduces old disclosure rows to per-transfer
 * counts; records of pulled exports go after the feed period. Every step is recorded on its row (`files_removed_at`, `file_removed_at`,
 * `disclosure_summary`) so a repeated or interrupted sweep picks up where it stopped and deletes nothing
 * twice. Only paths inside the spool directory are ever deleted. `audit` writes the sweep's audit row
 * inside the last transaction.
 */
export async function applyRetention(
  ctx: { db: Kysely<HubDatabase>; spoolDir: string; logger: Logger },
  at: Date,
  policy: RetentionPolicy = defaultRetentionPolicy,
  audit: (trx: Kysely<HubDatabase>, summary: RetentionSummary) => Promise<void> = async () => {},
): Promise<RetentionSummary> {
  const due = await findRetentionDue(ctx.db, at, policy);
  const skipped: string[] = [];
  const inSpool = (path: string): boolean => {
    const inside = relative(resolve(ctx.spoolDir), resolve(path));
    const ok = inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
    if (!ok) skipped.push(path);
    return ok;
  };
  for (const run of due.runs) await removeRunFiles(ctx, run.runId, at, inSpool);
  for (const file of due.feedFiles) {
    if (inSpool(file.path)) await rm(file.path, { force: true });
    await ctx.db.updateTable('hub.feed').set({ file_removed_at: at }).where('id', '=', file.feedId).execute();
  }
  for (const runId of new Set(due.feedFiles.map((file) => file.runId))) {
    await removeEmptyRunDir(ctx.spoolDir, runId);
  }
  const reduced = await reduceDisclosures(ctx.db, due, at);
  const sourcePulls = await pruneSourcePulls(ctx.db, new Date(at.getTime() - policy.feedDays * DAY_MS));
  const summary: RetentionSummary = {
    at,
    policy,
    runs: due.runs.length,
    feedFiles: due.feedFiles.length,
    reducedTransfers: reduced.transfers,
    reducedRows: reduced.rows,
    sourcePulls,
    skipped,
  };
  await ctx.db.transaction().execute((trx) => audit(trx, summary));
  ctx.logger.info({ ...summary, policy }, `retention: ${describeRetention(summary)}`);
  return summary;
}

/** A settled run's roster snapshot and every manifest beside its feeds; feed files follow their own period. */
async function removeRunFiles(
  ctx: { db: Kysely<HubDatabase>; spoolDir: string },
  runId: string,
  at: Date,
  inSpool: (path: string) => boolean,
): Promise<void> {
  const run = await ctx.db
    .selectFrom('hub.run')
    .select('spool_path')
    .where('id', '=', runId)
    .executeTakeFirst();
  const rosterDir = run?.spool_path ?? runSpoolPaths(ctx.spoolDir, runId).rosterDir;
  if (inSpool(rosterDir)) await rm(rosterDir, { recursive: true, force: true });
  const feeds = await ctx.db
    .selectFrom('hub.feed')
    .select(['recipient_id', 'file_path'])
    .where('run_id', '=', runId)
    .execute();
  for (const feed of feeds) {
    const path = feed.file_path ?? runSpoolPaths(ctx.spoolDir, runId).feedPath(feed.recipient_id);
    for (const manifest of [...disclosureManifestPaths(path), ...stateManifestPaths(path)]) {
      if (inSpool(manifest)) await rm(manifest, { force: true });
    }
  }
  await ctx.db.updateTable('hub.run').set({ files_removed_at: at }).where('id', '=', runId).execute();
  await removeEmptyRunDir(ctx.spoolDir, runId);
}

/** The run's directory goes once nothing is left in it (feeds kept for re-delivery keep it). */
async function removeEmptyRunDir(spoolDir: string, runId: string): Promise<void> {
  const { runDir } = runSpoolPaths(spoolDir, runId);
  const feedsDir = resolve(runDir, 'feeds');
  for (const dir of [feedsDir, runDir]) {
    try {
      const left = await readdir(dir);
      // Leftovers of an interrupted sort or write: scratch, never a kept file.
      for (const name of left.filter((entry) => entry.startsWith('sort-') || entry.endsWith('.partial'))) {
        await rm(resolve(dir, name), { recursive: true, force: true });
      }
      await rmdir(dir);
    } catch {
      // Not empty (a feed file kept for re-delivery) or already gone.
    }
  }
}

/**
 * Disclosures older than the period become one row per transfer with counts per category, in one
 * transaction per chunk of transfers: who the persons were is gone, how many and what remains (R3, D8).
 */
async function reduceDisclosures(
  db: Kysely<HubDatabase>,
  due: RetentionDue,
  at: Date,
): Promise<{ transfers: number; rows: number }> {
  const ids = due.disclosureTransfers.map((transfer) => transfer.transferId);
  let rows = 0;
  for (let start = 0; start < ids.length; start += 200) {
    const chunk = ids.slice(start, start + 200);
    rows += await db.transaction().execute((trx) => reduceDisclosureTransfers(trx, chunk, at));
  }
  return { transfers: ids.length, rows };
}
