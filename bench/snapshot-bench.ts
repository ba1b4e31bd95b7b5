import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { migrateRecordsStore, type SourceDatabase } from '../connectors/sources/records-db/index.js';
import {
  generateMunicipality,
  loadMunicipality,
  mutateMunicipality,
  type MunicipalityScale,
} from '../fixtures/generator/index.js';
import { migrateHub, openDatabase, redactUrl, type HubDatabase } from '../src/db/index.js';
import { HubError } from '../src/errors/index.js';
import { startRun, takeSnapshot } from '../src/run/index.js';
import { benchContext } from './bench-context.js';
import { startPeakRssSampler } from './peak-rss.js';

export interface SnapshotBenchOptions {
  readonly scale: MunicipalityScale;
  readonly seed: number;
  /** The database to read, used as it is and kept (not a throwaway one). */
  readonly databaseUrl?: string;
  readonly recipients?: 'all' | readonly string[];
  /** Then change about this % of the store (kept: the database stays changed) and snapshot again. */
  readonly mutate?: number;
  readonly emit: (line: Record<string, unknown>) => void;
  readonly log?: (line: string) => void;
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** Wall and CPU seconds (this process: Node's side of the work) of one step. */
async function timed<T>(step: () => Promise<T>): Promise<{ value: T; wall_s: number; cpu_s: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await step();
  const used = process.cpuUsage(cpu);
  return {
    value,
    wall_s: round((performance.now() - started) / 1000),
    cpu_s: round((used.user + used.system) / 1e6),
  };
}

async function count(items: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _item of items) n++;
  return n;
}

/**
 * `bench --snapshot-only`: the run's snapshot alone (what the `full` phase reports as `snapshot_s`), on
 * a database that is kept between runs, because loading a large scale takes minutes. The records store
 * at --database-url is loaded with the scale only when it holds no person; otherwise it is read as it is
 * (so the figures are of whatever that database holds: the `persons` count says what). Prints one line
 * per stream read alone (mapped to model objects, nothing written), then the whole snapshot as a run
 * takes it (startRun + takeSnapshot: the three streams spooled to disk and the counts recorded), with
 * the process's peak RSS so far. With --mutate: a synthetic change set (committed, so the kept database
 * changes a little more each time), then a second run's snapshot, incremental from the first's spool.
 */
export async function runSnapshotBench(options: SnapshotBenchOptions): Promise<Record<string, unknown>> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const url = options.databaseUrl ?? process.env.BENCH_DATABASE_URL;
  if (url === undefined)
    throw new HubError(
      'PIFU_USAGE_INVALID',
      'bench --snapshot-only: needs --database-url (kept, not dropped)',
    );
  const open = await openDatabase<HubDatabase>({ kind: 'postgres', url });
  const workDir = await mkdtemp(join(tmpdir(), 'pifu-snapshot-bench-'));
  const rss = startPeakRssSampler();
  const emit = (line: Record<string, unknown>) =>
    options.emit({ ...line, load1: round(loadavg()[0] ?? 0, 2) });
  try {
    if (open.kind !== 'postgres') throw new HubError('PIFU_DATABASE_FAILED', 'bench: needs PostgreSQL');
    const db = open.db;
    await migrateRecordsStore(db as unknown as Kysely<SourceDatabase>);
    await migrateHub(db as unknown as Kysely<unknown>);
    const { rows } = await sql<{ n: string }>`select count(*) as n from records.person`.execute(db);
    if (Number(rows[0]?.n ?? 0) === 0) {
      log(`bench: loading ${options.scale} into ${redactUrl(url)} (kept for the next run)`);
      const load = await timed(() =>
        loadMunicipality(
          { kind: 'pg', pool: open.pool },
          generateMunicipality({ scale: options.scale, seed: options.seed }),
        ),
      );
      emit({ phase: 'load', scale: options.scale, rows: load.value.rowsByTable, load_s: load.wall_s });
    }
    const ctx = benchContext(db, workDir, { pool: open.pool });
    const snapshot = await ctx.source.openSnapshot();
    try {
      for (const stream of ['persons', 'groups', 'memberships'] as const) {
        const read = await timed(() => count(snapshot[stream]()));
        emit({ phase: 'stream', stream, rows: read.value, wall_s: read.wall_s, cpu_s: read.cpu_s });
      }
    } finally {
      await snapshot.close();
    }
    const recipientIds =
      options.recipients === undefined || options.recipients === 'all'
        ? [...ctx.recipients.keys()]
        : [...options.recipients];
    const snapshotRun = (feedType: 'full' | 'delta') =>
      timed(async () => {
        const runId = await startRun(ctx, { recipientIds, trigger: 'operator', feedType });
        return takeSnapshot(ctx, runId);
      });
    rss.lap();
    const run = await snapshotRun('full');
    const summary = {
      phase: 'snapshot',
      scale: options.scale,
      persons: run.value.persons,
      groups: run.value.groups,
      memberships: run.value.memberships,
      snapshot_s: run.wall_s,
      cpu_s: run.cpu_s,
      peak_rss_mb: rss.lap(),
    };
    emit(summary);
    if (options.mutate === undefined) return summary;
    const mutation = await mutateMunicipality(db as unknown as Kysely<unknown>, {
      percent: options.mutate,
      seed: options.seed,
    });
    rss.lap();
    const delta = await snapshotRun('delta');
    const incremental = {
      phase: 'incremental',
      changes: mutation.total,
      reread_persons: delta.value.incremental?.persons ?? null,
      snapshot_s: delta.wall_s,
      cpu_s: delta.cpu_s,
      peak_rss_mb: rss.lap(),
    };
    emit(incremental);
    return { ...summary, incremental, peak_rss_mb: round(rss.stop(), 1) };
  } finally {
    await open.close().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}
