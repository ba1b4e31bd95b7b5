import { findRun } from '../run/index.js';
import { listRunTransferDetails, type RunTransferDetail } from '../transfer/index.js';
import type { OperationContext } from './operation-context.js';

/** One recipient's part of a run, as an export or resync reports it. */
export interface FeedReport {
  readonly recipient: string;
  readonly kind: string;
  readonly transferId: string;
  readonly status: string;
  /** What was sent: `full`, or `delta` with recstatus counts. */
  readonly type: 'full' | 'delta';
  readonly added: number;
  readonly changed: number;
  readonly deleted: number;
  readonly file: string | null;
  readonly persons: number;
  readonly groups: number;
  readonly memberships: number;
  readonly bytes: number;
  readonly sha256: string | null;
  readonly seconds: number;
  readonly error: string | null;
}

export interface RunReport {
  readonly runId: string;
  /** `enqueued` when the run was handed to the worker pool and not waited for. */
  readonly status: 'running' | 'completed' | 'failed' | 'enqueued';
  readonly feeds: readonly FeedReport[];
}

/** Tells a watcher (a progress bar) when a run is recorded and when it is over. */
export interface RunObserver {
  recorded(runId: string, recipientIds: readonly string[]): void;
  finished(): Promise<void>;
}

/** A run's outcome per recipient, from its rows (whichever process did the steps). */
export async function reportRun(
  ctx: Pick<OperationContext, 'db' | 'recipients'>,
  runId: string,
): Promise<RunReport> {
  const run = await findRun(ctx.db, runId);
  const transfers = await listRunTransferDetails(ctx.db, runId);
  return {
    runId,
    status: run?.status ?? 'running',
    feeds: transfers.map((transfer) => feedReport(ctx, transfer)),
  };
}

function feedReport(ctx: Pick<OperationContext, 'recipients'>, transfer: RunTransferDetail): FeedReport {
  return {
    recipient: transfer.recipientId,
    kind: ctx.recipients.get(transfer.recipientId)?.kind ?? 'unknown',
    transferId: transfer.transferId,
    status: transfer.status,
    type: transfer.feedType,
    added: transfer.added ?? 0,
    changed: transfer.changed ?? 0,
    deleted: transfer.deleted ?? 0,
    file: transfer.location,
    persons: transfer.persons ?? 0,
    groups: transfer.groups ?? 0,
    memberships: transfer.memberships ?? 0,
    bytes: transfer.sizeBytes ?? 0,
    sha256: transfer.sha256Hex,
    seconds: (transfer.writeMs ?? 0) / 1000,
    error: transfer.error,
  };
}
