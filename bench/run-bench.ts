import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { migrateRecordsStore } from '../connectors/sources/records-db/index.js';
import {
  generateMunicipality,
  loadMunicipality,
  mutateMunicipality,
  type MunicipalityScale,
  type RecordsStoreConnection,
} from '../fixtures/generator/index.js';
import { migrateHub, type HubDatabase, type OpenDatabase } from '../src/db/index.js';
import { writeRecipientFeed } from '../src/feed/index.js';
import { runIds, startRun, takeSnapshot, type HubContext } from '../src/run/index.js';
import { deliverTransfer } from '../src/transfer/index.js';
import { benchContext } from './bench-context.js';
import { openBenchDatabase } from './bench-database.js';
import { startPeakRssSampler } from './peak-rss.js';
import { benchWriter } from './pifu-writer-bench.js';
import { disclosureLookup } from './disclosure-figures.js';

export interface BenchOptions {
  readonly scale: MunicipalityScale;
  readonly seed: number;
  /** Admin URL of a PostgreSQL server; else BENCH_DATABASE_URL, else a local default, else PGlite. */
  readonly databaseUrl?: string;
  /** After the fulls: change about this % of persons (seed-deterministic) and export a delta to everyone. */
  readonly mutate?: number;
  /** Progress lines; stderr by default so stdout carries only the result. */
  readonly log?: (line: string) => void;
}

/** Snake case, because this is the JSON line `pifu-hub bench` prints and scripts compare over time. */
export interface RecipientFigures {
  readonly id: string;
  readonly kind: string;
  readonly persons: number;
  readonly groups: number;
  readonly memberships: number;
  readonly mb: number;
  readonly feed_s: number;
  readonly deliver_s: number;
}

export interface DeltaFigures {
  readonly id: string;
  readonly status: string;
  readonly added: number;
  readonly changed: number;
  readonly deleted: number;
  readonly mb: number;
  readonly delta_s: number;
  readonly deliver_s: number;
  /** `incremental`, or why the whole view was merged. */
  readonly merge: string | null;
}

export interface BenchResult {
  readonly scale: MunicipalityScale;
  /** The roster as read from the source (before any profile). */
  readonly persons: number;
  readonly groups: number;
  readonly memberships: number;
  /** Generation + COPY into the records store. */
  readonly load_s: number;
  /** snapshot_s + feed_s + deliver time, for every shipped recipient. */
  readonly export_s: number;
  /** Size of all feeds, 1e6 bytes. */
  readonly mb: number;
  /** mb / feed_s: the XML writing rate, not the end-to-end one. */
  readonly mb_per_s: number;
  readonly peak_rss_mb: number;
  /** Source → roster spool. */
  readonly snapshot_s: number;
  /** Roster spool → every recipient's XML feed file (profile applied). */
  readonly feed_s: number;
  readonly recipients: readonly RecipientFigures[];
  /** With --mutate: the change set and every recipient's delta. */
  readonly mutation?: {
    readonly percent: number;
    readonly changes: number;
    readonly mutate_s: number;
    readonly snapshot_s: number;
  };
  readonly deltas?: readonly DeltaFigures[];
  /** Rows in the disclosure register after the run. */
  readonly disclosure_rows: number;
  /** One person's full disclosure history (GDPR Art. 15(1)(c)), the slowest of five persons. */
  readonly disclosure_query_ms: number;
  readonly writer_fast_mb_per_s: number;
  readonly writer_xmlbuilder2_mb_per_s: number;
  readonly database: 'postgres' | 'pglite';
}

// xmlbuilder2 builds about 2 MB/s (linear in size), so 8,000 persons (≈10 MB) take ≈5 s in all; the
// fast writer is already warm from the real feed, so its share (≈0.1 s) is still a stable figure.
const writerBenchPersons = 8_000;

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const stderrLine = (line: string): void => void process.stderr.write(`${line}\n`);

/** Seconds `step` takes, with its result. */
async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await step();
  return [result, (performance.now() - started) / 1000];
}

/**
 * Loads a synthetic municipality into a throwaway database and exports one full-roster feed through
 * the same core steps a worker takes (start → snapshot → feed → deliver), timing each; then runs the
 * writer micro-bench. The queue is left out on purpose: it adds latency, not throughput.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? stderrLine;
  const rss = startPeakRssSampler();
  let pipeline: PipelineFigures;
  let peakRssMb: number;
  const database = await openBenchDatabase(options.databaseUrl, log);
  let workDir: string | undefined;
  try {
    workDir = await mkdtemp(join(tmpdir(), 'pifu-bench-'));
    pipeline = await loadAndExport(options, database.open, workDir, log);
  } finally {
    // Measured before the writer micro-bench: xmlbuilder2 holds a whole tree, which is not the hub's peak.
    peakRssMb = rss.stop();
    // A cleanup failure is reported but must not hide the bench's own error (or its result).
    await database.dispose().catch((error: unknown) => log(`bench: cleanup failed: ${String(error)}`));
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  }

  log(`bench: writer micro-bench, ${writerBenchPersons} persons`);
  const writer = await benchWriter({ persons: writerBenchPersons });
  log(`bench: writer fast ${writer.fastMbPerS} MB/s, xmlbuilder2 ${writer.xmlbuilder2MbPerS} MB/s`);

  const { counts, loadS, snapshotS, recipients } = pipeline;
  const feedS = recipients.reduce((sum, figures) => sum + figures.feed_s, 0);
  const deliverS = recipients.reduce((sum, figures) => sum + figures.deliver_s, 0);
  const sizeBytes = recipients.reduce((sum, figures) => sum + figures.mb * 1e6, 0);
  const mb = sizeBytes / 1e6;
  return {
    scale: options.scale,
    ...counts,
    load_s: round(loadS, 3),
    export_s: round(snapshotS + feedS + deliverS, 3),
    mb: round(mb, 2),
    mb_per_s: round(mb / feedS, 1),
    peak_rss_mb: round(peakRssMb, 1),
    snapshot_s: round(snapshotS, 3),
    feed_s: round(feedS, 3),
    recipients,
    ...(pipeline.mutation === undefined ? {} : { mutation: pipeline.mutation, deltas: pipeline.deltas }),
    disclosure_rows: pipeline.disclosureRows,
    disclosure_query_ms: round(pipeline.disclosureQueryMs, 1),
    writer_fast_mb_per_s: writer.fastMbPerS,
    writer_xmlbuilder2_mb_per_s: writer.xmlbuilder2MbPerS,
    database: database.kind,
  };
}

interface PipelineFigures {
  readonly counts: { persons: number; groups: number; memberships: number };
  readonly loadS: number;
  readonly snapshotS: number;
  readonly recipients: RecipientFigures[];
  readonly disclosureRows: number;
  readonly disclosureQueryMs: number;
  readonly mutation?: BenchResult['mutation'];
  readonly deltas?: DeltaFigures[];
}

/** Migrate, load, then the export steps in the order a run takes them; the caller cleans up. */
async function loadAndExport(
  options: BenchOptions,
  open: OpenDatabase<HubDatabase>,
  workDir: string,
  log: (line: string) => void,
): Promise<PipelineFigures> {
  await migrateRecordsStore(open.db);
  await migrateHub(open.db as unknown as Kysely<unknown>);
  log('bench: migrated hub and records schemas');

  const connection: RecordsStoreConnection =
    open.kind === 'postgres' ? { kind: 'pg', pool: open.pool } : { kind: 'pglite', pglite: open.pglite };
  const [report, loadS] = await timed(() =>
    // generateMunicipality is lazy (rows are generated while COPY streams), so both are timed together.
    loadMunicipality(connection, generateMunicipality({ scale: options.scale, seed: options.seed })),
  );
  const rows = Object.values(report.rowsByTable).reduce((sum, count) => sum + count, 0);
  log(`bench: loaded ${options.scale} (seed ${options.seed}): ${rows} rows in ${loadS.toFixed(1)} s`);

  const ctx = benchContext(open.db, workDir, open.kind === 'postgres' ? { pool: open.pool } : undefined);
  const recipientIds = [...ctx.recipients.keys()];
  const runId = await startRun(ctx, { recipientIds, trigger: 'operator', feedType: 'full' });
  const ids = runIds(runId);
  const [spooled, snapshotS] = await timed(() => takeSnapshot(ctx, runId));
  log(`bench: snapshot spooled in ${snapshotS.toFixed(1)} s`);
  const recipients: RecipientFigures[] = [];
  for (const id of recipientIds) {
    const [feed, feedS] = await timed(() => writeRecipientFeed(ctx, ids.feedId(id)));
    const [, deliverS] = await timed(() => deliverTransfer(ctx, ids.transferId(id)));
    log(
      `bench: ${id}: ${feed.persons} persons, ${(feed.sizeBytes / 1e6).toFixed(1)} MB, feed ${feedS.toFixed(1)} s, deliver ${deliverS.toFixed(1)} s`,
    );
    recipients.push({
      id,
      kind: ctx.recipients.get(id)?.kind ?? '',
      persons: feed.persons,
      groups: feed.groups,
      memberships: feed.memberships,
      mb: round(feed.sizeBytes / 1e6, 2),
      feed_s: round(feedS, 3),
      deliver_s: round(deliverS, 3),
    });
  }
  const deltaFigures =
    options.mutate === undefined ? undefined : await mutateAndDelta(ctx, options, open, log);
  const disclosures = await disclosureLookup(ctx);
  log(
    `bench: ${disclosures.rows} disclosure rows; one person's history in ${disclosures.slowestMs.toFixed(1)} ms`,
  );
  return {
    counts: spooled,
    loadS,
    snapshotS,
    recipients,
    disclosureRows: disclosures.rows,
    disclosureQueryMs: disclosures.slowestMs,
    ...(deltaFigures === undefined ? {} : deltaFigures),
  };
}

/** A synthetic change set, then one delta run for every recipient: seconds, MB and recstatus counts each. */
async function mutateAndDelta(
  ctx: HubContext,
  options: BenchOptions,
  open: OpenDatabase<HubDatabase>,
  log: (line: string) => void,
): Promise<{ mutation: NonNullable<BenchResult['mutation']>; deltas: DeltaFigures[] }> {
  const percent = options.mutate ?? 1;
  const [report, mutateS] = await timed(() =>
    mutateMunicipality(open.db as unknown as Kysely<unknown>, { percent, seed: options.seed }),
  );
  log(`bench: mutated ${percent}%: ${report.total} changes in ${mutateS.toFixed(1)} s`);
  const recipientIds = [...ctx.recipients.keys()];
  const runId = await startRun(ctx, { recipientIds, trigger: 'operator', feedType: 'delta' });
  const ids = runIds(runId);
  const [, snapshotS] = await timed(() => takeSnapshot(ctx, runId));
  const deltas: DeltaFigures[] = [];
  for (const id of recipientIds) {
    const [feed, deltaS] = await timed(() => writeRecipientFeed(ctx, ids.feedId(id)));
    const [delivery, deliverS] = await timed(() => deliverTransfer(ctx, ids.transferId(id)));
    const status = delivery.notDelivered ?? 'delivered';
    log(
      `bench: ${id}: delta +${feed.added} ~${feed.changed} -${feed.deleted}, ${(feed.sizeBytes / 1e6).toFixed(2)} MB in ${deltaS.toFixed(1)} s (${status}; ${feed.merge ?? 'not a delta'})`,
    );
    deltas.push({
      id,
      status,
      added: feed.added,
      changed: feed.changed,
      deleted: feed.deleted,
      mb: round(feed.sizeBytes / 1e6, 3),
      delta_s: round(deltaS, 3),
      deliver_s: round(deliverS, 3),
      merge: feed.merge ?? null,
    });
  }
  return {
    mutation: {
      percent,
      changes: report.total,
      mutate_s: round(mutateS, 3),
      snapshot_s: round(snapshotS, 3),
    },
    deltas,
  };
}
