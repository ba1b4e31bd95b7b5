import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import { createPifuFileReader } from '../connectors/sources/pifu-file/index.js';
import {
  createRecordsDbSource,
  migrateRecordsStore,
  type SourceDatabase,
} from '../connectors/sources/records-db/index.js';
import {
  generateMunicipality,
  loadMunicipality,
  writeSourceExport,
  type MunicipalityScale,
} from '../fixtures/generator/index.js';
import { migrateHub } from '../src/db/index.js';
import { lenientModes } from '../src/ports/index.js';
import { defaultInputLimits, renderFeed, validateFeedFile } from '../src/pifu/index.js';
import { writeRosterSpool } from '../src/spool/index.js';
import { openBenchDatabase } from './bench-database.js';
import { growPifuExport } from './grow-pifu-export.js';
import { startPeakRssSampler } from './peak-rss.js';

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

async function seconds<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

/** A synthetic municipality's whole roster as a school system's full PIFU export (the hub's writer). */
async function writeExport(
  scale: MunicipalityScale,
  seed: number,
  path: string,
  log: (line: string) => void,
) {
  const database = await openBenchDatabase(undefined, log);
  try {
    const { db } = database.open;
    await migrateRecordsStore(db);
    await migrateHub(db as unknown as Kysely<unknown>);
    const open = database.open;
    await loadMunicipality(
      open.kind === 'postgres' ? { kind: 'pg', pool: open.pool } : { kind: 'pglite', pglite: open.pglite },
      generateMunicipality({ scale, seed }),
    );
    await writeSourceExport(createRecordsDbSource(db as unknown as Kysely<SourceDatabase>), path);
  } finally {
    await database.dispose();
  }
}

/** The hostile corpus's large cases: each is timed until refused. */
async function hostile(dir: string): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';
  const cases: [string, string, number][] = [
    ['whitespace_2gb_sparse', '', 2 * 1024 ** 3],
    [
      'quadratic_entity_60mb',
      `<!DOCTYPE e [<!ENTITY q "${'q'.repeat(50_000)}">]><enterprise xmlns="${namespace}">`,
      60 * 1024 ** 2,
    ],
    ['deep_nesting_60mb', `<enterprise xmlns="${namespace}">${'<a>'.repeat(100)}`, 60 * 1024 ** 2],
  ];
  for (const [name, prefix, size] of cases) {
    const path = join(dir, `${name}.xml`);
    await writeFile(path, prefix);
    const handle = await open(path, 'r+');
    await handle.truncate(size);
    await handle.close();
    const [, s] = await seconds(() => validateFeedFile(path).catch(() => undefined));
    figures[`${name}_refused_s`] = round(s, 3);
    await rm(path);
  }
  const [, zero] = await seconds(() => validateFeedFile('/dev/zero').catch(() => undefined));
  figures['dev_zero_refused_s'] = round(zero, 3);
  return figures;
}

/** A delta export of the same system a day after `fullPath`'s, changing nothing. */
async function writeEmptyDelta(fullPath: string, path: string): Promise<void> {
  const handle = await open(fullPath, 'r');
  const head = Buffer.alloc(65_536);
  const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
  const text = head.subarray(0, bytesRead).toString('utf8');
  const source = /<datasource>([^<]*)<\/datasource>/.exec(text)?.[1] ?? 'pifu-hub';
  const datetime = /<datetime>([^<]*)<\/datetime>/.exec(text)?.[1] ?? '2024-08-15T02:00:00Z';
  const snapshotAt = new Date(new Date(datetime).getTime() + 86_400_000).toISOString();
  async function* none() {}
  const feed = renderFeed({
    properties: { source, snapshotAt },
    feedType: 'delta',
    orgUnits: new Map(),
    persons: none(),
    groups: none(),
    memberships: none(),
  });
  await pipeline(Readable.from(feed), createWriteStream(path, { mode: 0o600 }));
}

/** Reads one PIFU file as `import` does (guard, records, keys, sort, the run's spool): seconds and peak RSS. */
export async function measurePifuFile(path: string): Promise<Record<string, unknown>> {
  const rss = startPeakRssSampler();
  const cpu = process.cpuUsage();
  const database = await openBenchDatabase(undefined, () => undefined);
  const work = await mkdtemp(join(tmpdir(), 'pifu-bench-read-'));
  try {
    await migrateHub(database.open.db as unknown as Kysely<unknown>);
    const reader = createPifuFileReader({
      db: database.open.db,
      // The bench measures the reader, not the time limit: a loaded machine must not cut it short.
      limits: { ...defaultInputLimits, maxBytes: 4 * 1024 ** 3, maxSeconds: 86_400 },
      sourceName: 'pifu-hub',
    });
    const [file, readS] = await seconds(() =>
      reader.read(path, { lenient: [...lenientModes], scratchDir: work }),
    );
    const [counts, spoolS] = await seconds(async () => {
      const snapshot = await file.source.openSnapshot();
      return writeRosterSpool(snapshot, join(work, 'roster'));
    });
    // The read's own peak (sampled), before the base, the delta and the hostile files add theirs.
    const readPeak = rss.lap();
    // Committing keeps the roster as the base of the system's next delta (written in the run's
    // transaction); an empty delta then reads that base and builds the same roster again.
    const [, commitS] = await seconds(() =>
      database.open.db.transaction().execute((trx) => file.commit(trx, 'bench-full')),
    );
    await file.close();
    const delta = join(work, 'delta.xml');
    await writeEmptyDelta(path, delta);
    const [deltaFile, deltaReadS] = await seconds(() =>
      reader.read(delta, { lenient: [...lenientModes], scratchDir: work }),
    );
    const [deltaCounts, deltaSpoolS] = await seconds(async () => {
      const snapshot = await deltaFile.source.openSnapshot();
      return writeRosterSpool(snapshot, join(work, 'delta-roster'));
    });
    await deltaFile.close();
    const peak = rss.stop();
    const used = process.cpuUsage(cpu);
    const bytes = (await stat(path)).size;
    return {
      mb: round(bytes / 1e6, 1),
      persons: counts.persons,
      groups: counts.groups,
      memberships: counts.memberships,
      read_s: round(readS, 1),
      sort_and_spool_s: round(spoolS, 1),
      seconds: round(readS + spoolS, 1),
      mb_per_s: round(bytes / 1e6 / (readS + spoolS), 1),
      // On a shared machine wall seconds include waiting for a core; CPU seconds do not.
      cpu_s: round((used.user + used.system) / 1e6, 1),
      peak_rss_mb: round(peak, 1),
      read_and_spool_peak_rss_mb: readPeak,
      problems: file.report.problemCounts,
      commit_base_s: round(commitS, 1),
      empty_delta_read_s: round(deltaReadS, 1),
      empty_delta_sort_and_spool_s: round(deltaSpoolS, 1),
      empty_delta_same_counts:
        deltaCounts.persons === counts.persons &&
        deltaCounts.groups === counts.groups &&
        deltaCounts.memberships === counts.memberships,
      ...(await hostile(work)),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    await database.dispose();
  }
}

/** GNU time, to take the reading process's peak RSS from the kernel as well (its maximum resident set). */
const gnuTime = '/usr/bin/time';

/**
 * `bench --pifu-file`: writes a synthetic municipality as a PIFU export (not timed), grown to about
 * `sizeMb` when given (grow-pifu-export.ts: copies of the municipality side by side), then reads it in
 * a process of its own, so the peak RSS is the reader's and not the generator's. With GNU time on the
 * machine the reading process runs under it, and `process_max_rss_mb` is its maximum resident set as
 * the kernel counted it: the figure that says whether memory grows with the file.
 */
export async function runPifuFileBench(options: {
  scale: MunicipalityScale;
  seed: number;
  /** Grow the export to about this many MB (1e6 bytes). */
  sizeMb?: number;
  /** Write the export here and keep it, instead of a temporary directory. */
  keep?: string;
  log?: (line: string) => void;
}): Promise<Record<string, unknown>> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'pifu-bench-file-'));
  try {
    const path = options.keep ?? join(dir, `export-${options.scale}.xml`);
    const written = options.sizeMb === undefined ? path : join(dir, `base-${options.scale}.xml`);
    log(`bench: writing a ${options.scale} PIFU export`);
    await writeExport(options.scale, options.seed, written, log);
    let copies = 1;
    if (options.sizeMb !== undefined) {
      log(`bench: growing it to about ${options.sizeMb} MB`);
      copies = await growPifuExport(written, path, options.sizeMb * 1e6);
      await rm(written);
    }
    log(`bench: reading ${((await stat(path)).size / 1e6).toFixed(0)} MB in a process of its own`);
    const rssFile = join(dir, 'max-rss-kb');
    const command = [...process.execArgv, process.argv[1]!, 'bench', '--pifu-file', '--file', path];
    const timed = existsSync(gnuTime);
    const child = timed
      ? spawn(gnuTime, ['-f', '%M', '-o', rssFile, process.execPath, ...command], {
          stdio: ['ignore', 'pipe', 'inherit'],
        })
      : spawn(process.execPath, command, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`the reading process failed (exit ${code})`);
    const maxRssKb = timed ? Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop()) : undefined;
    return {
      scale: options.scale,
      ...(options.sizeMb === undefined ? {} : { copies }),
      ...(JSON.parse(out.trim()) as Record<string, unknown>),
      ...(maxRssKb === undefined ? {} : { process_max_rss_mb: round((maxRssKb * 1024) / 1e6, 1) }),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
