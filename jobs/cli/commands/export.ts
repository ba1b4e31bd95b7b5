import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  HubError,
  previewExport,
  resyncRecipient,
  showRun,
  startExport,
  writePreviewFeeds,
  type RunReport,
} from '../../../src/operations/index.js';
import { collect } from '../cli-options.js';
import { requireWorkerPool } from '../../runtime.js';
import { emit, withSession } from '../cli-session.js';
import { formatFeeds } from '../format-feeds.js';
import { formatPreview } from '../format-preview.js';
import { formatTable } from '../output.js';
import { terminalProgress } from '../progress.js';

interface ExportOptions {
  recipient: string[];
  all: boolean;
  out?: string;
  json: boolean;
  detach: boolean;
  dryRun: boolean;
  delta: boolean;
  acceptSourceDrop: boolean;
  reason?: string;
}

function printRun(report: RunReport, json: boolean): void {
  if (report.status === 'enqueued') {
    emit(json, { runId: report.runId, status: report.status }, () => `enqueued ${report.runId}`);
    return;
  }
  emit(json, report.feeds, () => `${formatFeeds(report.feeds)}\nrun ${report.runId} ${report.status}`);
  if (report.status !== 'completed') process.exitCode = 1;
}

/** `export` (deliver now, preview with --dry-run or --out) and `resync`. */
export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description('write and deliver feeds now through the configured transports, or preview them')
    .option('--recipient <id>', 'a recipient to export to (repeatable)', collect, [])
    .option('--all', 'every configured recipient', false)
    .addOption(
      new Option(
        '--delta',
        'only what changed since each recipient last acknowledged (full where it holds nothing)',
      )
        .default(false)
        .conflicts('full'),
    )
    .option('--full', 'full feeds: everything each recipient may have (the default)', false)
    .option(
      '--out <dir>',
      'preview: write the file each recipient would get now to DIR/<recipient>/ and change nothing ' +
        '(no transfer, no delivered state, no disclosure; audited)',
    )
    .option('--json', 'print one JSON object per feed instead of a table', false)
    .addOption(
      new Option('--detach', 'enqueue the run for the worker pool (REDIS_URL) and return at once')
        .default(false)
        .conflicts('out'),
    )
    .addOption(
      new Option(
        '--dry-run',
        'read the source and print what each recipient would get (counts, a delta against what it ' +
          'holds with --delta, a masked sample); no run, feed file, transfer, delivery or disclosure',
      )
        .default(false)
        .conflicts(['out', 'detach']),
    )
    .option(
      '--accept-source-drop',
      'let through a snapshot that shrank past the source guard (needs --reason; kept with the run)',
      false,
    )
    .option('--reason <text>', 'with --accept-source-drop: why the drop in the source is real')
    .action(async (options: ExportOptions) => {
      if (options.acceptSourceDrop !== (options.reason !== undefined)) {
        throw new HubError('PIFU_USAGE_INVALID', '--accept-source-drop and --reason TEXT go together');
      }
      if (options.detach) {
        // Refused before anything opens or is recorded: a detached run needs the worker pool.
        requireWorkerPool('export --detach', { withoutThem: 'run the export without --detach' });
      }
      const choice = {
        ...(options.all ? { all: true } : {}),
        ...(options.recipient.length > 0 ? { recipients: options.recipient } : {}),
        feedType: options.delta ? ('delta' as const) : ('full' as const),
      };
      await withSession({ readOnly: options.dryRun }, async ({ ops, actor }) => {
        if (options.dryRun) {
          const previews = await previewExport(ops, actor, choice);
          emit(options.json, previews, () => previews.map(formatPreview).join('\n\n'));
          return;
        }
        if (options.out !== undefined) {
          const files = await writePreviewFeeds(ops, actor, { ...choice, outDir: resolve(options.out) });
          emit(
            options.json,
            files,
            () =>
              formatTable(
                ['recipient', 'type', 'persons', 'added', 'changed', 'deleted', 'bytes', 'file'],
                files.map((file) => [
                  file.recipient,
                  file.feedType,
                  file.counts.persons,
                  file.counts.added,
                  file.counts.changed,
                  file.counts.deleted,
                  file.sizeBytes,
                  file.filePath,
                ]),
              ) + '\npreview only: nothing was delivered or recorded as sent',
          );
          return;
        }
        const report = await startExport(
          ops,
          actor,
          {
            ...choice,
            detach: options.detach,
            ...(options.reason === undefined ? {} : { acceptSourceDrop: { reason: options.reason } }),
          },
          {
            observer: terminalProgress((run) => showRun(ops, actor, { run }), { json: options.json }),
          },
        );
        printRun(report, options.json);
      });
    });

  program
    .command('resync')
    .description(
      'send again part or all of what a recipient holds, as new (recstatus 1): its state for them is forgotten',
    )
    .requiredOption('--recipient <id>', 'the recipient')
    .option('--school <org>', "only this school's groups, memberships and persons (org number or NSR id)")
    .option('--person <key>', 'only this person and their memberships (hub key, never a national number)')
    .requiredOption('--reason <text>', 'why; logged with the run and shown with its transfers')
    .option('--json', 'print the feed report as JSON', false)
    .option('--detach', 'enqueue the run for the worker pool (REDIS_URL) and return at once', false)
    .action(
      async (options: {
        recipient: string;
        school?: string;
        person?: string;
        reason: string;
        json: boolean;
        detach: boolean;
      }) => {
        if (options.detach) {
          requireWorkerPool('resync --detach', { withoutThem: 'run the resync without --detach' });
        }
        await withSession({}, async ({ ops, actor }) => {
          const report = await resyncRecipient(ops, actor, {
            recipient: options.recipient,
            reason: options.reason,
            detach: options.detach,
            ...(options.school === undefined ? {} : { school: options.school }),
            ...(options.person === undefined ? {} : { person: options.person }),
          });
          printRun(report, options.json);
        });
      },
    );
}
