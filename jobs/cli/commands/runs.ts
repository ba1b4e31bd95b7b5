import type { Command } from 'commander';
import {
  cancelRun,
  countQueues,
  jobStates,
  listRuns,
  listTransfers,
  retryTransfer,
  showRun,
} from '../../../src/operations/index.js';
import { limitOption } from '../cli-options.js';
import { emit, withSession } from '../cli-session.js';
import { formatRun, formatRuns } from '../format-runs.js';
import { formatTable } from '../output.js';

/** `runs`, `run show`, `retry`, `transfers`, `queues`: following runs and their transfers. */
export function registerRunCommands(program: Command): void {
  program
    .command('runs')
    .description('list runs, newest first: trigger, status, recipients and their transfers by outcome')
    .option(...limitOption)
    .option('--json', 'one JSON object per run', false)
    .action(async (options: { limit: number; json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const runs = await listRuns(ops, actor, { limit: options.limit });
        emit(options.json, runs, () => (runs.length === 0 ? 'no runs yet' : formatRuns(runs)));
        for (const stuck of runs.filter((shown) => shown.stuck !== null)) {
          console.error(`${stuck.id} is stuck: ${stuck.stuck ?? ''}`);
        }
      });
    });

  const run = program.command('run').description('one run');
  run
    .command('cancel')
    .description(
      'end a running run: it and its pending transfers fail with your reason (held ones stay held)',
    )
    .argument('<run>', 'the run id (see `pifu-hub runs`)')
    .requiredOption('--reason <text>', 'why; kept with the run and its transfers')
    .option('--json', 'one JSON object: the run outcome', false)
    .action(async (runId: string, options: { reason: string; json: boolean }) => {
      await withSession({}, async ({ ops, actor }) => {
        const outcome = await cancelRun(ops, actor, { run: runId, reason: options.reason });
        emit(
          options.json,
          outcome,
          () => `run ${runId} cancelled: ${outcome.failed} transfer(s) failed, ${outcome.held} held`,
        );
      });
    });
  run
    .command('show')
    .description(
      'a run and one line per transfer: outcome, attempts, counts, bytes, sha-256, location, error',
    )
    .argument('<run>', 'the run id (see `pifu-hub runs`)')
    .option('--json', 'one JSON object: the run and its transfers', false)
    .action(async (runId: string, options: { json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const detail = await showRun(ops, actor, { run: runId });
        emit(options.json, detail, () => formatRun(detail));
      });
    });

  program
    .command('retry')
    .description(
      'deliver a failed transfer again, in this process: same transfer id, same feed file; ' +
        'refused unless the transfer failed, its feed file is still there and the recipient received nothing since',
    )
    .argument('<transfer>', 'the failed transfer id (see `pifu-hub run show RUN` or `pifu-hub transfers`)')
    .option('--json', 'one JSON object: the delivery and the run', false)
    .action(async (transferId: string, options: { json: boolean }) => {
      await withSession({}, async ({ ops, actor }) => {
        const result = await retryTransfer(ops, actor, { transfer: transferId });
        emit(options.json, result, () =>
          [
            `${transferId} delivered to ${result.delivery.location}`,
            ...(result.run === undefined ? [] : [`run ${result.run.runId} ${result.run.status}`]),
          ].join('\n'),
        );
      });
    });

  program
    .command('transfers')
    .description('list transfers, newest first')
    .option('--recipient <id>', 'only this recipient')
    .option(...limitOption)
    .option('--json', 'one JSON object per transfer', false)
    .action(async (options: { recipient?: string; limit: number; json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const transfers = await listTransfers(ops, actor, {
          limit: options.limit,
          ...(options.recipient === undefined ? {} : { recipient: options.recipient }),
        });
        emit(options.json, transfers, () =>
          formatTable(
            ['transfer', 'recipient', 'type', 'trigger', 'status', 'persons', 'bytes', 'delivered at'],
            transfers.map((t) => [
              t.id,
              t.recipientId,
              t.feedType,
              t.trigger,
              t.status,
              t.persons ?? 0,
              t.sizeBytes ?? 0,
              t.deliveredAt?.toISOString() ?? '-',
            ]),
          ),
        );
      });
    });

  program
    .command('queues')
    .description('jobs per state in each queue (run, feed, deliver) on the shared Redis (REDIS_URL)')
    .option('--json', 'one JSON object per queue', false)
    .action(async (options: { json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const counts = await countQueues(ops, actor);
        emit(options.json, counts, () =>
          formatTable(
            ['queue', ...jobStates],
            counts.map((row) => [row.queue, ...jobStates.map((state) => row[state])]),
          ),
        );
      });
    });
}
