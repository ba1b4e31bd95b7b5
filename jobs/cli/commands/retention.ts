import type { Command } from 'commander';
import { runRetention } from '../../../src/operations/index.js';
import { emit, withSession } from '../cli-session.js';
import { formatPairs } from '../output.js';

/** `retention run`: the retention policy (R3) applied now; the scheduler does the same daily. */
export function registerRetentionCommands(program: Command): void {
  const retention = program
    .command('retention')
    .description('what the hub keeps and for how long (R3; docs/privacy.md)');
  retention
    .command('run')
    .description(
      'apply the retention policy now: run snapshots and manifests after the grace, feed files after their period, old disclosure rows reduced to counts',
    )
    .option('--dry-run', 'say what would be removed, remove nothing', false)
    .option('--json', 'print the result as JSON', false)
    .action(async (options: { dryRun: boolean; json: boolean }) => {
      await withSession({}, async ({ ops, actor }) => {
        const result = await runRetention(ops, actor, { dryRun: options.dryRun });
        if (result.dryRun) {
          const { due } = result;
          emit(options.json, due, () =>
            formatPairs([
              ['run snapshots and manifests due', String(due.runs.length)],
              ['feed files due', String(due.feedFiles.length)],
              ["transfers' disclosure rows due", String(due.disclosureTransfers.length)],
              ['runs kept for a hold decision', String(due.keptForHolds)],
              ['(dry run)', 'nothing was removed'],
            ]),
          );
          return;
        }
        const { summary } = result;
        emit(options.json, summary, () =>
          formatPairs([
            ['run snapshots and manifests removed', String(summary.runs)],
            ['feed files deleted', String(summary.feedFiles)],
            [
              'disclosure rows reduced to counts',
              `${summary.reducedRows} (${summary.reducedTransfers} transfers)`,
            ],
            [
              'policy',
              `grace ${summary.policy.runGraceDays} days, feed files ${summary.policy.feedDays} days, ` +
                `disclosures ${summary.policy.disclosureYears} years`,
            ],
            ...(summary.skipped.length === 0
              ? []
              : [['left alone (outside the spool)', summary.skipped.join(', ')] as const]),
          ]),
        );
      });
    });
}
