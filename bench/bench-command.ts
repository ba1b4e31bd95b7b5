import { InvalidArgumentError, Option, type Command } from 'commander';
import { municipalityScales, type MunicipalityScale } from '../fixtures/generator/index.js';
import { runApiLoad } from './api-load.js';
import { measurePifuFile, runPifuFileBench } from './pifu-file-bench.js';
import { runBench } from './run-bench.js';
import { runScaleBench } from './scale-bench.js';
import { runSnapshotBench } from './snapshot-bench.js';

const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return parsed;
};

const recipientList = (value: string): 'all' | string[] =>
  value === 'all' ? 'all' : value.split(',').filter((id) => id !== '');

const nonNegativeInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return parsed;
};

/**
 * `pifu-hub bench`: one JSON line on stdout (so runs can be appended to a file and compared), progress
 * on stderr. Kept out of jobs/cli/program.ts so the bench and its fixtures stay in bench/.
 */
export function registerBenchCommand(program: Command): Command {
  return program
    .command('bench')
    .description(
      'load a synthetic municipality into a throwaway database, export a full feed to every shipped recipient ' +
        '(then, with --mutate, a delta after a synthetic change set) and print timings as JSON',
    )
    .addOption(
      new Option('--scale <scale>', 'size of the municipality').choices(municipalityScales).default('small'),
    )
    .option('--seed <n>', 'generator seed', nonNegativeInteger, 7)
    .option(
      '--database-url <url>',
      'PostgreSQL admin URL to create the throwaway database at (default: $BENCH_DATABASE_URL, then local, then PGlite)',
    )
    .option(
      '--mutate <percent>',
      'after the fulls, change about PERCENT % of the persons and export deltas',
      (value) => {
        const parsed = Number(value);
        if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 100)
          throw new InvalidArgumentError('expected 0 < percent ≤ 100');
        return parsed;
      },
    )
    .option(
      '--recipients <all|id,…>',
      'instead: a night at scale, one JSON line per phase (fulls, deltas, a no-op delta, the floor, disclosures) and a summary line',
      recipientList,
    )
    .option(
      '--snapshot-only',
      'instead: time the run snapshot alone (each stream read alone, then startRun + takeSnapshot into a spool), one JSON line each, on the database at --database-url itself, kept between runs and loaded with --scale only while its records store is empty',
      false,
    )
    .option(
      '--workers <n>',
      'with --recipients: hub processes snapshotting, writing and delivering',
      positiveInteger,
      1,
    )
    .option(
      '--concurrency <n>',
      'with --recipients: feeds, and deliveries, at once in each hub process (as pifu-hub worker --concurrency)',
      positiveInteger,
      1,
    )
    .option(
      '--node-flags <flags>',
      'with --recipients: node flags for the hub processes, space-separated (e.g. "--heap-growing-percent=30")',
      (value: string) => value.split(/\s+/).filter((flag) => flag !== ''),
    )
    .option(
      '--feed-digests <path>',
      "with --recipients: write the sha-256 of the first night's delivered files to this path",
    )
    .option('--nights <k>', 'with --recipients: nightly full runs before the deltas', positiveInteger, 1)
    .option(
      '--api',
      'instead: load the HTTP API on loopback (serve and export --all in processes of their own; needs npm run build and PostgreSQL)',
      false,
    )
    .option(
      '--pifu-file',
      'instead: write the municipality as a PIFU export, then read it as `import` does (seconds, peak RSS) and time the refusal of large hostile files',
      false,
    )
    .option('--file <path>', 'with --pifu-file: read this PIFU file only (what the reading process does)')
    .option(
      '--size-mb <n>',
      'with --pifu-file: grow the export to about this many MB, as copies of the --scale municipality side by side',
      positiveInteger,
    )
    .option(
      '--keep <path>',
      'with --pifu-file: write the export to this path and keep it (reuse it with --file)',
    )
    .option('--pulls <n>', 'with --api: concurrent GET /feeds/{r}/next', nonNegativeInteger, 200)
    .option(
      '--pages <n>',
      'with --api: concurrent dashboard page loads (/ and /ui/transfers, signed in)',
      nonNegativeInteger,
      50,
    )
    .action(
      async (options: {
        scale: MunicipalityScale;
        seed: number;
        databaseUrl?: string;
        mutate?: number;
        api: boolean;
        pifuFile: boolean;
        file?: string;
        sizeMb?: number;
        keep?: string;
        pulls: number;
        pages: number;
        recipients?: 'all' | string[];
        workers: number;
        concurrency: number;
        nights: number;
        nodeFlags?: string[];
        feedDigests?: string;
        snapshotOnly: boolean;
      }) => {
        const emit = (line: Record<string, unknown>) =>
          void process.stdout.write(`${JSON.stringify(line)}\n`);
        if (options.snapshotOnly) {
          await runSnapshotBench({ ...options, emit });
          return;
        }
        if (options.recipients !== undefined) {
          await runScaleBench({
            ...options,
            recipients: options.recipients,
            emit,
          });
          return;
        }
        const result = options.pifuFile
          ? options.file !== undefined
            ? await measurePifuFile(options.file)
            : await runPifuFileBench(options)
          : options.api
            ? await runApiLoad(options)
            : await runBench(options);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      },
    );
}
