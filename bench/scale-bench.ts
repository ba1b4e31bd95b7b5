import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { migrateRecordsStore } from '../connectors/sources/records-db/index.js';
import {
  generateMunicipality,
  loadMunicipality,
  mutateMunicipality,
  type MunicipalityScale,
} from '../fixtures/generator/index.js';
import { migrateHub } from '../src/db/index.js';
import { HubError } from '../src/errors/index.js';
import { inFeedWritingOrder } from '../src/feed/index.js';
import { finishRun, startRun, type HubContext } from '../src/run/index.js';
import { benchContext } from './bench-context.js';
import { disclosureLookup, registerBytes, registerTables } from './disclosure-figures.js';
import { openBenchDatabase } from './bench-database.js';
import { measureFloor } from './floor.js';
import { writeFeedDigests } from './feed-digests.js';
import { openHubPool, type HubPool, type PoolFigures } from './hub-pool.js';
import { startPeakRssSampler } from './peak-rss.js';

export interface ScaleBenchOptions {
  readonly scale: MunicipalityScale;
  readonly seed: number;
  readonly databaseUrl?: string;
  /** `all`, or recipient ids. */
  readonly recipients: 'all' | readonly string[];
  /** Hub processes (forked) taking the snapshots and writing and delivering the feeds. */
  readonly workers: number;
  /** Feeds, and deliveries, at once in each hub process (`pifu-hub worker --concurrency`). */
  readonly concurrency: number;
  /** Node's own flags for the hub processes (e.g. `--max-semi-space-size=16`). */
  readonly nodeFlags?: readonly string[];
  /** Nightly full runs before the deltas (with --mutate, each night after the first changes that much). */
  readonly nights: number;
  readonly mutate?: number;
  /** Write the sha-256 of the first night's delivered files here (feedDigests). */
  readonly feedDigests?: string;
  /** One JSON object per phase (stdout). */
  readonly emit: (line: Record<string, unknown>) => void;
  readonly log?: (line: string) => void;
}

/** The line the targets are read from; keys in this order, nothing else. */
export interface ScaleSummary {
  readonly phase: 'summary';
  readonly scale: MunicipalityScale;
  readonly recipients: number;
  readonly snapshot_s: number;
  readonly full_s: number;
  readonly delta_s: number | null;
  readonly noop_delta_s: number;
  readonly mb_written: number;
  readonly floor_s: number;
  readonly ratio_to_floor: number;
  readonly peak_rss_mb: number;
  readonly disclosure_lookup_ms: number;
  readonly disclosure_rows: number;
  readonly disclosure_bytes_per_night: number;
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
const load1 = (): number => round(loadavg()[0] ?? 0, 2);

/**
 * One run of every chosen recipient, as the scheduler's slot or `export` starts it: wall time of all of
 * it, the hub processes' CPU, and their peak RSS while snapshotting.
 */
async function timedRun(
  ctx: HubContext,
  pool: HubPool,
  recipientIds: readonly string[],
  feedType: 'full' | 'delta',
): Promise<{
  snapshotS: number;
  runS: number;
  cpuS: number;
  figures: PoolFigures[];
  snapshotPeakRssMb: number;
  /** Whether the run read the source (false: nothing to send to anyone, so no snapshot). */
  snapshotRead: boolean;
  /** Persons read again by an incremental snapshot; undefined when the snapshot was read whole. */
  rereadPersons: number | undefined;
}> {
  const started = performance.now();
  const cpu = pool.cpuS();
  pool.lap();
  const runId = await startRun(ctx, { recipientIds, trigger: 'operator', feedType });
  // A run with nothing to send to anyone reads no snapshot and writes nothing.
  const { unchanged, rereadPersons } = await pool.snapshot(runId);
  const snapshotS = (performance.now() - started) / 1000;
  const snapshotPeakRssMb = pool.lap();
  // As the run executors write them, so the kept person passes are what a run keeps.
  const order = inFeedWritingOrder(
    recipientIds.map((recipientId) => ({ recipientId })),
    ctx.recipients,
  ).map(({ recipientId }) => recipientId);
  const figures = unchanged ? [] : await pool.run(runId, order);
  await finishRun(ctx, runId);
  return {
    snapshotS,
    runS: (performance.now() - started) / 1000,
    cpuS: pool.cpuS() - cpu,
    figures,
    snapshotPeakRssMb,
    snapshotRead: !unchanged,
    rereadPersons,
  };
}

/**
 * `bench --recipients all`: a night's work at a scale, phase by phase, each phase one JSON line, then the
 * summary line. Nights of fulls (with --mutate, a change set before every night after the first), then a
 * delta run after a change set, then a delta run with no change, then the floor this machine sets for a
 * night (measured now, under the same load), then one person's disclosure history.
 */
export async function runScaleBench(options: ScaleBenchOptions): Promise<ScaleSummary> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const emit = (line: Record<string, unknown>) => options.emit({ ...line, load1: load1() });
  const rss = startPeakRssSampler();
  const database = await openBenchDatabase(options.databaseUrl, log);
  const workDir = await mkdtemp(join(tmpdir(), 'pifu-bench-'));
  let pool: HubPool | undefined;
  try {
    if (database.open.kind !== 'postgres' || database.url === undefined) {
      throw new HubError(
        'PIFU_DATABASE_FAILED',
        'bench --recipients: needs PostgreSQL (the floor is a COPY)',
      );
    }
    const pg = database.open.pool;
    const db = database.open.db;
    await migrateRecordsStore(db);
    await migrateHub(db as unknown as Kysely<unknown>);
    let started = performance.now();
    const report = await loadMunicipality(
      { kind: 'pg', pool: pg },
      generateMunicipality({ scale: options.scale, seed: options.seed }),
    );
    emit({
      phase: 'load',
      scale: options.scale,
      seed: options.seed,
      rows: report.rowsByTable,
      load_s: round((performance.now() - started) / 1000),
      peak_rss_mb: rss.lap(),
    });

    const ctx = benchContext(db, workDir, { pool: pg });
    const recipientIds = options.recipients === 'all' ? [...ctx.recipients.keys()] : [...options.recipients];
    pool = await openHubPool({
      workers: options.workers,
      concurrency: options.concurrency,
      workDir,
      databaseUrl: database.url,
      nodeFlags: options.nodeFlags ?? [],
    });

    let first: Awaited<ReturnType<typeof timedRun>> | undefined;
    let bytesAfterFirst = 0;
    let bytes = 0;
    for (let night = 1; night <= options.nights; night++) {
      if (night > 1 && options.mutate !== undefined) {
        await mutateMunicipality(db as unknown as Kysely<unknown>, {
          percent: options.mutate,
          seed: options.seed + night,
        });
      }
      // The change set is the bench's own (not the hub's) work: the bench process's peak.
      const mutatePeak = rss.lap();
      const run = await timedRun(ctx, pool, recipientIds, 'full');
      first ??= run;
      bytes = await registerBytes(db as unknown as Kysely<unknown>);
      if (night === 1) bytesAfterFirst = bytes;
      if (night === 1 && options.feedDigests !== undefined) {
        await writeFeedDigests(join(workDir, 'drop'), options.feedDigests);
      }
      emit({
        phase: 'full',
        night,
        workers: options.workers,
        concurrency: options.concurrency,
        snapshot_s: round(run.snapshotS),
        write_deliver_s: round(run.runS - run.snapshotS),
        full_s: round(run.runS),
        // The hub processes' CPU, telling figures from a busy machine's noise.
        cpu_s: round(run.cpuS),
        mb_written: round(sumMb(run.figures), 2),
        register_bytes: bytes,
        snapshot_peak_rss_mb: run.snapshotPeakRssMb,
        write_deliver_peak_rss_mb: pool.lap(),
        ...(night > 1 && options.mutate !== undefined ? { mutate_peak_rss_mb: mutatePeak } : {}),
        recipients: run.figures.map(
          ({ id, mb, feed_s, deliver_wait_s, deliver_s, persons, peak_rss_mb }) => ({
            id,
            persons,
            mb,
            feed_s,
            deliver_wait_s,
            deliver_s,
            peak_rss_mb,
          }),
        ),
      });
    }
    if (first === undefined) throw new HubError('PIFU_USAGE_INVALID', 'bench: --nights must be at least 1');
    // The case is itslearning's feed (the biggest at Oslo); else the biggest there is.
    const biggest =
      first.figures.find((figure) => figure.id === 'itslearning') ??
      [...first.figures].sort((a, b) => b.mb - a.mb)[0];
    if (biggest !== undefined) {
      emit({
        phase: 'deliver',
        recipient: biggest.id,
        transport: 'file-drop',
        mb: biggest.mb,
        deliver_s: biggest.deliver_s,
      });
    }

    let deltaS: number | null = null;
    if (options.mutate !== undefined) {
      started = performance.now();
      const mutation = await mutateMunicipality(db as unknown as Kysely<unknown>, {
        percent: options.mutate,
        seed: options.seed,
      });
      const mutateS = (performance.now() - started) / 1000;
      const mutatePeak = rss.lap();
      const run = await timedRun(ctx, pool, recipientIds, 'delta');
      deltaS = round(run.runS);
      emit({
        phase: 'delta',
        changes: mutation.total,
        mutate_s: round(mutateS),
        snapshot_s: round(run.snapshotS),
        // Whether the snapshot started from the full run's spool, and how many persons it read again.
        snapshot_incremental: run.rereadPersons !== undefined,
        reread_persons: run.rereadPersons ?? null,
        delta_s: deltaS,
        cpu_s: round(run.cpuS),
        snapshot_peak_rss_mb: run.snapshotPeakRssMb,
        write_deliver_peak_rss_mb: pool.lap(),
        mutate_peak_rss_mb: mutatePeak,
        recipients: run.figures.map(
          ({ id, status, merge, added, changed, deleted, mb, feed_s, deliver_s, peak_rss_mb }) => ({
            id,
            status,
            merge: merge ?? null,
            added,
            changed,
            deleted,
            mb,
            feed_s,
            deliver_s,
            peak_rss_mb,
          }),
        ),
      });
    }
    const noop = await timedRun(ctx, pool, recipientIds, 'delta');
    const written = noop.figures.filter((figure) => figure.written).map((figure) => figure.id);
    emit({
      phase: 'noop_delta',
      noop_delta_s: round(noop.runS),
      cpu_s: round(noop.cpuS),
      snapshot_s: round(noop.snapshotS),
      snapshot_read: noop.snapshotRead,
      peak_rss_mb: Math.max(noop.snapshotPeakRssMb, pool.lap()),
      files_written: written.length,
      written,
    });

    const mbWritten = sumMb(first.figures);
    const floor = await measureFloor(pg, Math.round(mbWritten * 1e6), workDir);
    emit({ phase: 'floor', ...floor, mb: round(mbWritten, 2) });

    const lookup = await disclosureLookup(ctx);
    const bytesPerNight = options.nights > 1 ? (bytes - bytesAfterFirst) / (options.nights - 1) : bytes;
    emit({
      phase: 'disclosure',
      rows: lookup.rows,
      register_bytes: bytes,
      bytes_per_night: Math.round(bytesPerNight),
      lookup_ms: round(lookup.slowestMs, 1),
      tables: await registerTables(db as unknown as Kysely<unknown>),
    });

    const hubPeaks = await pool.close();
    pool = undefined;
    // The hub's peak is the summary's; the bench process's (the generator, the floor) is reported apart.
    const peakRssMb = Math.max(...hubPeaks);
    emit({
      phase: 'processes',
      node_flags: options.nodeFlags ?? [],
      processes: [
        { role: 'bench', peak_rss_mb: round(rss.stop(), 1) },
        ...hubPeaks.map((peak, index) => ({ role: 'hub', worker: index + 1, peak_rss_mb: peak })),
      ],
    });
    const summary: ScaleSummary = {
      phase: 'summary',
      scale: options.scale,
      recipients: recipientIds.length,
      snapshot_s: round(first.snapshotS),
      full_s: round(first.runS),
      delta_s: deltaS,
      noop_delta_s: round(noop.runS),
      mb_written: round(mbWritten, 2),
      floor_s: floor.floor_s,
      ratio_to_floor: round(first.runS / floor.floor_s, 2),
      peak_rss_mb: round(peakRssMb, 1),
      disclosure_lookup_ms: round(lookup.slowestMs, 1),
      disclosure_rows: lookup.rows,
      disclosure_bytes_per_night: Math.round(bytesPerNight),
    };
    options.emit({ ...summary });
    return summary;
  } finally {
    await pool?.close().catch(() => []);
    await database.dispose().catch((error: unknown) => log(`bench: cleanup failed: ${String(error)}`));
    await rm(workDir, { recursive: true, force: true });
  }
}

const sumMb = (figures: readonly PoolFigures[]): number =>
  figures.reduce((sum, figure) => sum + figure.mb, 0);
