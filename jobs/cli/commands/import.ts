import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { importFile, lenientModes, showRun, type ImportInput } from '../../../src/operations/index.js';
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
}

function lenientList(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((mode) => mode.trim())];
}

/** `import FILE`: a school system's PIFU export as the source of one run. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('read a PIFU export from a school system and deliver it to every recipient as one run')
    .argument('<file>', 'the PIFU-IMS XML file (1.1–1.3, full)')
    .option(
      '--dry-run',
      'read and check the file; print counts, problems per object and what each recipient would get; record nothing',
      false,
    )
    .addOption(
      new Option(
        '--lenient <modes>',
        `tolerate and report: ${lenientModes.join(', ')} or all (comma-separated)`,
      )
        .argParser(lenientList)
        .default([]),
    )
    .option('--full', 'full feeds to every recipient (default: deltas, full where it holds nothing)', false)
    .option('--json', 'print one JSON object: the report, and the previews or the feeds', false)
    .action(async (file: string, options: ImportOptions) => {
      const input: ImportInput = {
        path: resolve(file),
        dryRun: options.dryRun,
        lenient: options.lenient as ImportInput['lenient'],
        feedType: options.full ? 'full' : 'delta',
      };
      await withSession({ readOnly: options.dryRun }, async ({ ops, actor }) => {
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
