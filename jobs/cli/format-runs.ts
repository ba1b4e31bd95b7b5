import type { RunDetail, ShownRun } from '../../src/operations/index.js';
import { formatTable } from './output.js';

const timestamp = (date: Date | null): string => date?.toISOString() ?? '-';

/** `stuck` when the run's owner is gone and recovery could not settle it (see `stuck` for why). */
const shownStatus = (run: ShownRun): string => (run.stuck === null ? run.status : 'stuck');

export function formatRuns(runs: readonly ShownRun[]): string {
  return formatTable(
    [
      'run',
      'trigger',
      'status',
      'created',
      'finished',
      'recipients',
      'delivered',
      'failed',
      'held',
      'skipped',
      'pending',
    ],
    runs.map((run) => [
      run.id,
      run.trigger,
      shownStatus(run),
      timestamp(run.createdAt),
      timestamp(run.finishedAt),
      recipientsCell(run.recipientIds),
      run.delivered,
      run.failed,
      run.held,
      run.skipped,
      run.pending,
    ]),
  );
}

function recipientsCell(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 2).join(', ')} … (+${ids.length - 2})`;
}

export function formatRun(run: RunDetail): string {
  const listing = run;
  const transfers = run.transfers;
  const pairs: [string, string][] = [
    ['run', listing.id],
    ['status', shownStatus(listing)],
    ['trigger', `${listing.trigger}${listing.requestedBy === null ? '' : ` (by ${listing.requestedBy})`}`],
    ['created', timestamp(listing.createdAt)],
    [
      'snapshot',
      listing.snapshotAt === null
        ? '-'
        : `${timestamp(listing.snapshotAt)} (${run.persons ?? 0} persons, ${run.groups ?? 0} groups, ` +
          `${run.memberships ?? 0} memberships)`,
    ],
    ['finished', timestamp(listing.finishedAt)],
    [
      'transfers',
      `${listing.delivered} delivered, ${listing.failed} failed, ${listing.held} held, ` +
        `${listing.skipped} skipped, ${listing.pending} pending`,
    ],
  ];
  if (run.sourceCheck !== null) {
    pairs.push(['source', `${run.sourceCheck}${run.sourceDrop === null ? '' : `: ${run.sourceDrop}`}`]);
  }
  if (run.acceptSourceDrop !== null) pairs.push(['drop reason', run.acceptSourceDrop.reason]);
  if (listing.reason !== null) pairs.push(['reason', listing.reason]);
  if (listing.error !== null) pairs.push(['error', listing.error]);
  if (listing.stuck !== null) pairs.push(['stuck', listing.stuck]);
  const width = Math.max(...pairs.map(([label]) => label.length));
  const head = pairs.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
  const table = formatTable(
    [
      'recipient',
      'transfer',
      'type',
      'status',
      'attempts',
      'added',
      'changed',
      'deleted',
      'bytes',
      'sha-256',
      'location',
      'error',
    ],
    transfers.map((transfer) => {
      const delta = transfer.feedType === 'delta' && transfer.feedStatus !== 'pending';
      return [
        transfer.recipientId,
        transfer.transferId,
        transfer.feedType,
        transfer.status,
        transfer.attempts,
        delta ? (transfer.added ?? 0) : '-',
        delta ? (transfer.changed ?? 0) : '-',
        delta ? (transfer.deleted ?? 0) : '-',
        transfer.sizeBytes ?? '-',
        transfer.sha256Hex?.slice(0, 16) ?? '-',
        transfer.location ?? '-',
        transfer.error ?? '',
      ];
    }),
  );
  return `${head}\n\n${table}`;
}
