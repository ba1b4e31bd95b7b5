import { HubError } from '../errors/index.js';
import {
  isCompleteRosterSpool,
  openRosterSpool,
  writeIncrementalRosterSpool,
  writeRosterSpool,
  type RosterSpoolCounts,
} from '../spool/index.js';
import { checkSourceDrop } from './check-source-drop.js';
import type { HubContext } from './hub-context.js';
import { runSpoolPaths } from './run-paths.js';
import { findRun, recordRunSnapshot } from './run-repository.js';
import { scopeDateOf } from './scope-date.js';
import { findSpoolBase } from './kept-spools.js';

/**
 * Reads the source once, from one consistent snapshot, into the run's spool (docs/requirements.md#d7), then
 * lets the source sanity guard compare it with the last good snapshot: a partial source stops the run
 * here, before any feed is written. Safe to repeat: a complete spool from an earlier attempt is reused,
 * so every feed of the run still reflects one and the same snapshot. A source that tells what changed
 * since the latest kept spool's snapshot gets an incremental spool, byte for byte the full read's, in a
 * fraction of its time (src/spool/incremental-spool.ts); `incremental` says how many persons it read.
 */
export async function takeSnapshot(
  ctx: HubContext,
  runId: string,
  options: { signal?: AbortSignal } = {},
): Promise<RosterSpoolCounts & { readonly incremental?: { readonly persons: number } }> {
  const run = await findRun(ctx.db, runId);
  if (run === undefined) throw new HubError('PIFU_RUN_UNKNOWN', `run ${runId} does not exist`);
  const { rosterDir } = runSpoolPaths(ctx.spoolDir, runId);
  const log = ctx.logger.child({ runId });
  let incremental: { persons: number } | undefined;
  let threads: 1 | 2 | undefined;
  if (!isCompleteRosterSpool(rosterDir)) {
    const started = performance.now();
    const snapshot = await ctx.source.openSnapshot(options);
    try {
      const { changes } = snapshot;
      const base = changes === undefined ? undefined : await findSpoolBase(ctx, runId);
      if (changes !== undefined && base !== undefined)
        incremental = await writeIncrementalRosterSpool(snapshot, changes, base, rosterDir, options).catch(
          // The base went (a run's end or retention removed it meanwhile): read the snapshot whole.
          (error: unknown) => {
            if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
            return undefined;
          },
        );
      if (incremental === undefined) ({ threads } = await writeRosterSpool(snapshot, rosterDir, options));
    } finally {
      await snapshot.close();
    }
    const seconds = round((performance.now() - started) / 1000);
    log.info({ seconds, rereadPersons: incremental?.persons, threads }, 'roster snapshot spooled');
  }
  const spool = await openRosterSpool(rosterDir);
  const scopeDate = await recordRunSnapshot(ctx.db, runId, {
    snapshotAt: spool.properties.snapshotAt,
    sourceMarker: spool.properties.sourceMarker,
    spoolPath: rosterDir,
    counts: spool.counts,
    scopeDate: scopeDateOf(ctx.scopeClock ?? 'auto', spool.properties, ctx.now()),
  });
  const { persons, groups, memberships } = spool.counts;
  log.info({ persons, groups, memberships, scopeDate }, 'run snapshot recorded');
  await checkSourceDrop(ctx, run, spool.counts);
  return incremental === undefined
    ? spool.counts
    : { ...spool.counts, incremental: { persons: incremental.persons } };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
