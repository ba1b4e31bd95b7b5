import { InvalidArgumentError, Option, type Command } from 'commander';
import type { MunicipalityScale } from '../fixtures/generator/index.js';
import { runBench } from './run-bench.js';

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
      new Option('--scale <scale>', 'size of the municipality')
        .choices(['tiny', 'small', 'oslo'])
        .default('small'),
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
    .action(
      async (options: { scale: MunicipalityScale; seed: number; databaseUrl?: string; mutate?: number }) => {
        const result = await runBench(options);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      },
    );
}
