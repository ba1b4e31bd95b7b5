import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
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
  type MunicipalityScale,
} from '../fixtures/generator/index.js';
import { migrateHub } from '../src/db/index.js';
import { lenientModes } from '../src/ports/index.js';
import { defaultInputLimits, renderFeed, toFeedPerson, validateFeedFile } from '../src/pifu/index.js';
import { openRosterSpool, writeRosterSpool } from '../src/spool/index.js';
import { openBenchDatabase } from './bench-database.js';
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
  const dir = await mkdtemp(join(tmpdir(), 'pifu-bench-roster-'));
  try {
    const { db } = database.open;
    await migrateRecordsStore(db);
    await migrateHub(db as unknown as Kysely<unknown>);
    const open = database.open;
    await loadMunicipality(
      open.kind === 'postgres' ? { kind: 'pg', pool: open.pool } : { kind: 'pglite', pglite: open.pglite },
      generateMunicipality({ scale, seed }),
    );
    const snapshot = await createRecordsDbSource(db as unknown as Kysely<SourceDatabase>).openSnapshot();
    await writeRosterSpool(snapshot, join(dir, 'roster')).finally(() => snapshot.close());
    const roster = await openRosterSpool(join(dir, 'roster'));
    const orgUnits = new Map<string, string>();
    for await (const group of roster.groups()) {
      if (group.type === 'skole' || group.type === 'skoleeier') orgUnits.set(group.key, group.shortName);
    }
    async function* wrap<T>(items: AsyncIterable<T>) {
      for await (const object of items) yield { object };
    }
    async function* persons() {
      for await (const person of roster.persons()) yield { object: toFeedPerson(person) };
    }
    const feed = renderFeed({
      properties: roster.properties,
      feedType: 'full',
      orgUnits,
      persons: persons(),
      groups: wrap(roster.groups()),
      memberships: wrap(roster.memberships()),
    });
    await pipeline(Readable.from(feed), createWriteStream(path, { mode: 0o600 }));
  } finally {
    await rm(dir, { recursive: true, force: true });
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
    await file.close();
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
      problems: file.report.problemCounts,
      ...(await hostile(work)),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    await database.dispose();
  }
}

/**
 * `bench --pifu-file`: writes a synthetic municipality as a PIFU export (not timed), then reads it in a
 * process of its own, so the peak RSS is the reader's and not the generator's.
 */
export async function runPifuFileBench(options: {
  scale: MunicipalityScale;
  seed: number;
  /** Write the export here and keep it, instead of a temporary directory. */
  keep?: string;
  log?: (line: string) => void;
}): Promise<Record<string, unknown>> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'pifu-bench-file-'));
  try {
    const path = options.keep ?? join(dir, `export-${options.scale}.xml`);
    log(`bench: writing a ${options.scale} PIFU export`);
    await writeExport(options.scale, options.seed, path, log);
    log(`bench: reading ${((await stat(path)).size / 1e6).toFixed(0)} MB in a process of its own`);
    const child = spawn(
      process.execPath,
      [...process.execArgv, process.argv[1]!, 'bench', '--pifu-file', '--file', path],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`the reading process failed (exit ${code})`);
    return { scale: options.scale, ...(JSON.parse(out.trim()) as Record<string, unknown>) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
