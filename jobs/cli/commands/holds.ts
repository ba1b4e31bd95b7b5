import type { Command } from 'commander';
import { decideHold, listHolds, showHold, type HoldDetail } from '../../../src/operations/index.js';
import { wholeNumber } from '../cli-options.js';
import { emit, withSession } from '../cli-session.js';
import { formatPairs, formatTable } from '../output.js';

function formatHoldDetail(detail: HoldDetail): string {
  const { hold } = detail;
  const head = formatPairs([
    ['transfer', hold.transferId],
    ['recipient', hold.recipientId],
    ['run', hold.runId],
    ['why', hold.reason],
    ['held objects', String(hold.heldObjects)],
    ['since', hold.createdAt.toISOString()],
    ['decision', hold.decision === null ? '-' : `${hold.decision} by ${hold.decidedBy ?? '?'}`],
  ]);
  const counts = formatTable(
    ['object', 'add', 'change', 'delete'],
    Object.entries(detail.counts).map(([type, count]) => [type, count.add, count.change, count.delete]),
  );
  if (detail.objects.length === 0) return `${head}\n\n${counts}`;
  const objects = formatTable(
    ['change', 'object', 'key', 'label'],
    detail.objects.map((object) => [object.change, object.type, object.key, object.label ?? '']),
  );
  const more = detail.truncated ? '\n… more objects: raise --limit' : '';
  return `${head}\n\n${counts}\n\n${objects}${more}`;
}

/** `holds`, `hold show|approve|reject`: deltas held by a safety threshold, and the operator's decision. */
export function registerHoldCommands(program: Command): void {
  program
    .command('holds')
    .description('deltas put on hold by a safety threshold, waiting for an operator')
    .option('--all', 'decided holds too', false)
    .option('--json', 'one JSON object per hold', false)
    .action(async (options: { all: boolean; json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const holds = await listHolds(ops, actor, { all: options.all });
        emit(options.json, holds, () =>
          holds.length === 0
            ? options.all
              ? 'no holds'
              : 'no undecided holds'
            : formatTable(
                [
                  'transfer',
                  'recipient',
                  'held',
                  'added',
                  'changed',
                  'deleted',
                  'since',
                  'decision',
                  'reason',
                ],
                holds.map((hold) => [
                  hold.transferId,
                  hold.recipientId,
                  hold.heldObjects,
                  hold.added,
                  hold.changed,
                  hold.deleted,
                  hold.createdAt.toISOString(),
                  hold.decision === null ? '-' : `${hold.decision} by ${hold.decidedBy ?? '?'}`,
                  hold.reason,
                ]),
              ),
        );
      });
    });

  const hold = program.command('hold').description('look at or decide a held delta');
  hold
    .command('show')
    .description(
      'what a held delta would add, change and delete: counts, and for operators the objects (names masked; plain for privacy admins)',
    )
    .argument('<transfer>', 'the held transfer id (see `pifu-hub holds`)')
    .option('--limit <n>', 'at most this many objects (1–10000)', wholeNumber({ min: 1, max: 10_000 }), 200)
    .option('--json', 'one JSON object', false)
    .action(async (transferId: string, options: { limit: number; json: boolean }) => {
      await withSession({ readOnly: true }, async ({ ops, actor }) => {
        const detail = await showHold(ops, actor, { transfer: transferId, limit: options.limit });
        emit(options.json, detail, () => formatHoldDetail(detail));
      });
    });
  for (const decision of ['approve', 'reject'] as const) {
    hold
      .command(decision)
      .description(
        decision === 'approve'
          ? 'deliver exactly the held delta (refused if the recipient received something since)'
          : 'deliver nothing; delivered state stays as it was',
      )
      .argument('<transfer>', 'the held transfer id (see `pifu-hub holds`)')
      .requiredOption('--reason <text>', 'why; logged with the decision')
      .option('--json', 'one JSON object: the decided hold and the delivery', false)
      .action(async (transferId: string, options: { reason: string; json: boolean }) => {
        await withSession({}, async ({ ops, actor }) => {
          const { hold: decided, delivery } = await decideHold(ops, actor, {
            transfer: transferId,
            decision,
            reason: options.reason,
          });
          emit(
            options.json,
            { hold: decided, delivery: delivery ?? null },
            () =>
              `${decided.transferId} ${decided.decision ?? decision} by ${decided.decidedBy ?? '?'}` +
              (delivery === undefined ? '' : `; delivered to ${delivery.location}`),
          );
        });
      });
  }
}
