import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  describeDropFolderOutcome,
  HubError,
  importDropFolder,
  importFile,
  lenientModeHelp,
  parseLenientModes,
  showRun,
  type DropFolderOutcome,
  type ImportInput,
  type LenientMode,
} from '../../../src/operations/index.js';
import { configuredSourcePull } from '../../source-pull.js';
import { fileArgument } from '../cli-options.js';
import { emit, withSession } from '../cli-session.js';
import { formatFeeds } from '../format-feeds.js';
import { formatImportReport } from '../format-import.js';
import { formatPreview } from '../format-preview.js';
import { terminalProgress } from '../progress.js';

interface ImportOptions {
  dryRun: boolean;
  lenient: string[];
  full: boolean;
  json: boolean;
  acceptSourceDrop: boolean;
  reason?: string;
}

function lenientList(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--lenient` as given, checked; undefined when not given (the configured modes then apply). */
function lenientFlag(given: readonly string[]): LenientMode[] | undefined {
  if (given.length === 0) return undefined;
  const modes = parseLenientModes(given);
  if (modes === undefined) throw new HubError('PIFU_USAGE_INVALID', `--lenient: ${lenientModeHelp}`);
  return modes;
}

/** The flag overrides the environment's default for this source. */
function chosenLenient(
  flag: readonly LenientMode[] | undefined,
  configured: readonly LenientMode[],
): LenientMode[] {
  return [...(flag ?? configured)];
}

/** `--lenient`, repeatable; `defaultFrom` says in the help where the modes come from without it. */
const lenientOption = (defaultFrom = 'PIFU_HUB_IMPORT_LENIENT'): Option =>
  new Option('--lenient <modes>', `tolerate and report: ${lenientModeHelp}`)
    .argParser(lenientList)
    .default([], defaultFrom);

/** `import FILE`: a school system's PIFU export as the source of one run. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('read a PIFU export from a school system and deliver it to every recipient as one run')
    .argument('<file>', 'the PIFU-IMS XML file (1.1–1.3, full or delta)', fileArgument)
    .option(
      '--dry-run',
      'read and check the file; print counts, problems per object and what each recipient would get; record nothing',
      false,
    )
    .addOption(lenientOption())
    .option('--full', 'full feeds to every recipient (default: deltas, full where it holds nothing)', false)
    .option('--json', 'print one JSON object: the report, and the previews or the feeds', false)
    .option(
      '--accept-source-drop',
      'let through a roster that shrank past the source guard, as a switch of school system does (needs --reason; kept with the run)',
      false,
    )
    .option('--reason <text>', 'with --accept-source-drop: why the drop in the source is real')
    .action(async (file: string, options: ImportOptions) => {
      if (options.acceptSourceDrop !== (options.reason !== undefined)) {
        throw new HubError('PIFU_USAGE_INVALID', '--accept-source-drop and --reason TEXT go together');
      }
      const flag = lenientFlag(options.lenient);
      await withSession({ readOnly: options.dryRun }, async ({ ops, actor, runtime }) => {
        const input: ImportInput = {
          path: resolve(file),
          dryRun: options.dryRun,
          lenient: chosenLenient(flag, runtime.env.importLenient),
          feedType: options.full ? 'full' : 'delta',
          ...(options.reason === undefined ? {} : { acceptSourceDrop: { reason: options.reason } }),
        };
        const result = await importFile(ops, actor, input, {
          observer: terminalProgress((run) => showRun(ops, actor, { run }), { json: options.json }),
        });
        emit(options.json, result, () =>
          [
            formatImportReport(result.report),
            ...(result.previews ?? []).map(formatPreview),
            ...(result.run === undefined
              ? []
              : [`${formatFeeds(result.run.feeds)}\nrun ${result.run.runId} ${result.run.status}`]),
          ].join('\n\n'),
        );
        if (result.report.refused || (result.run !== undefined && result.run.status !== 'completed')) {
          process.exitCode = 1;
        }
      });
    });
}

function printOutcomes(outcomes: readonly DropFolderOutcome[], json: boolean): void {
  for (const outcome of outcomes) {
    emit(json, outcome, () => `${outcome.file}: ${describeDropFolderOutcome(outcome)}`);
  }
}

/** `source watch --dir DIR`: a drop folder the school system's export lands in, imported as it arrives. */
export function registerSourceCommands(program: Command): void {
  const source = program.command('source').description('PIFU exports from a school system as the source');
  registerSourcePullCommand(source);
  source
    .command('watch')
    .description('import every PIFU export that lands in a drop folder, until SIGTERM/SIGINT')
    .requiredOption('--dir <dir>', 'the drop folder')
    .addOption(lenientOption())
    .option('--interval <seconds>', 'seconds between looks at the folder (1–3600)', '30')
    .option('--settle <seconds>', 'a file unchanged this long is complete (0–3600)', '10')
    .option('--once', 'look once and exit', false)
    .option('--json', 'one JSON object per file', false)
    .action(
      async (options: {
        dir: string;
        lenient: string[];
        interval: string;
        settle: string;
        once: boolean;
        json: boolean;
      }) => {
        const interval = Number(options.interval);
        const settle = Number(options.settle);
        if (!Number.isInteger(interval) || interval < 1 || interval > 3600) {
          throw new HubError('PIFU_USAGE_INVALID', '--interval: a whole number of seconds, 1–3600');
        }
        if (!Number.isInteger(settle) || settle < 0 || settle > 3600) {
          throw new HubError('PIFU_USAGE_INVALID', '--settle: a whole number of seconds, 0–3600');
        }
        const flag = lenientFlag(options.lenient);
        const dir = resolve(options.dir);
        await withSession({}, async ({ ops, actor, runtime }) => {
          const lenient = chosenLenient(flag, runtime.env.importLenient);
          let stopped = false;
          let wake: (() => void) | undefined;
          const stop = (): void => {
            stopped = true;
            wake?.();
          };
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
          try {
            do {
              printOutcomes(
                await importDropFolder(ops, actor, { dir, lenient, settleSeconds: settle }),
                options.json,
              );
              if (options.once || stopped) break;
              await new Promise<void>((resolveWait) => {
                wake = resolveWait;
                setTimeout(resolveWait, interval * 1000).unref();
              });
            } while (!stopped);
          } finally {
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
          }
        });
      },
    );
}

/** `source pull`: the newest export from the school system's SFTP directory, imported once. */
function registerSourcePullCommand(source: Command): void {
  source
    .command('pull')
    .description(
      "fetch the newest export from the school system's SFTP directory (PIFU_HUB_SOURCE_PULL_FILE) and import it, once per file",
    )
    .addOption(lenientOption('"lenient" in PIFU_HUB_SOURCE_PULL_FILE, else PIFU_HUB_IMPORT_LENIENT'))
    .option('--json', 'one JSON object', false)
    .action(async (options: { lenient: string[]; json: boolean }) => {
      const flag = lenientFlag(options.lenient);
      await withSession({}, async ({ ops, actor, runtime }) => {
        const puller = configuredSourcePull(runtime.env);
        if (puller === undefined) {
          throw new HubError(
            'PIFU_CONFIG_INVALID',
            'source pull: PIFU_HUB_SOURCE_PULL_FILE is not set; it names the JSON file with the SFTP server, host key, directory and drop folder (docs/cli.md#pifu-hub-source-pull)',
          );
        }
        const outcome = await puller.pull(ops, actor, flag);
        emit(options.json, outcome, () =>
          outcome.older !== undefined
            ? `${outcome.location}/${outcome.older.file}: not pulled, older than ${outcome.older.lastImported} (the last imported); ` +
              'importing it would take every recipient back to an older roster'
            : outcome.pulled === undefined
              ? `${outcome.location}: nothing new to pull`
              : `${outcome.location}/${outcome.pulled.file}: ${describeDropFolderOutcome(outcome.pulled)}`,
        );
        if (outcome.pulled?.outcome === 'refused' || outcome.older !== undefined) process.exitCode = 1;
      });
    });
}
