import { findFeed } from '../../src/feed/index.js';
import type { FeedType } from '../../src/model/index.js';
import type { TransferTrigger } from '../../src/transfer/index.js';
import { closeAbandonedRun, currentProcess, findRun, runIds, startRun } from '../../src/run/index.js';
import { findTransfer } from '../../src/transfer/index.js';
import { runInProcess } from '../in-process-runner.js';
import { enqueueRun, startWorkers } from '../workers.js';
import type { Runtime } from '../runtime.js';
import type { ExportProgress } from './progress.js';

export interface FeedReport {
  readonly recipient: string;
  readonly kind: string;
  readonly status: string;
  /** What was sent: `full`, or `delta` with recstatus counts below. */
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

export interface ExportRequest {
  readonly recipientIds: readonly string[];
  readonly requestedBy: string;
  readonly detach?: boolean;
  /** Delta by default where the recipient holds something; `full` replaces what it holds. */
  readonly feedType?: FeedType;
  readonly trigger?: TransferTrigger;
  readonly reason?: string;
  readonly resync?: { readonly school?: string; readonly person?: string };
  /** Told when the run is recorded and when it is over (not with `detach`): see progress.ts. */
  readonly progress?: ExportProgress | undefined;
}

/**
 * Records a run for the recipients and carries it out: through the queues with workers in this
 * process (other workers on the same Redis may take steps too), or in-process when there is no Redis.
 */
export async function runExport(
  runtime: Runtime,
  request: ExportRequest,
): Promise<{ runId: string; status: string; feeds: FeedReport[] }> {
  const ctx = runtime.context;
  const owner = { execution: runtime.runExecution(), process: currentProcess() };
  const runId = await startRun(ctx, {
    owner,
    recipientIds: request.recipientIds,
    trigger: request.trigger ?? 'operator',
    feedType: request.feedType ?? 'full',
    requestedBy: request.requestedBy,
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...(request.resync === undefined ? {} : { resync: request.resync }),
  });
  try {
    const queueUrl = await runtime.queueUrl();
    if (queueUrl !== undefined && request.detach === true) {
      await enqueueRun({ redisUrl: queueUrl, prefix: runtime.env.queuePrefix }, runId, { wait: false });
      return { runId, status: 'enqueued', feeds: [] };
    }
    request.progress?.start(runId, request.recipientIds);
    try {
      if (queueUrl === undefined) {
        await runInProcess(ctx, runId);
      } else {
        const connection = { redisUrl: queueUrl, prefix: runtime.env.queuePrefix };
        const workers = startWorkers(ctx, connection);
        try {
          await enqueueRun(connection, runId, { wait: true });
        } finally {
          await workers.close();
        }
      }
    } finally {
      await request.progress?.stop();
    }
  } catch (error) {
    // Only this process could carry on with a run of its own (the shared queues' runs have the pool).
    if (owner.execution !== 'shared-queue') {
      await closeAbandonedRun(ctx, runId, `the export stopped: ${messageOf(error)}`, { from: owner }).catch(
        (closing: unknown) =>
          ctx.logger.error(
            { runId, err: messageOf(closing) },
            'could not close the stopped run; the next command recovers it',
          ),
      );
    }
    throw error;
  }
  const run = await findRun(runtime.hub.db, runId);
  return {
    runId,
    status: run?.status ?? 'unknown',
    feeds: await reportFeeds(runtime, runId, request.recipientIds),
  };
}

async function reportFeeds(
  runtime: Runtime,
  runId: string,
  recipientIds: readonly string[],
): Promise<FeedReport[]> {
  const ids = runIds(runId);
  const reports: FeedReport[] = [];
  for (const recipientId of recipientIds) {
    const feed = await findFeed(runtime.hub.db, ids.feedId(recipientId));
    const transfer = await findTransfer(runtime.hub.db, ids.transferId(recipientId));
    reports.push({
      recipient: recipientId,
      kind: runtime.context.recipients.get(recipientId)?.kind ?? 'unknown',
      status: transfer?.status ?? 'unknown',
      type: feed?.feed_type ?? 'full',
      added: feed?.added ?? 0,
      changed: feed?.changed ?? 0,
      deleted: feed?.deleted ?? 0,
      file: transfer?.location ?? null,
      persons: feed?.persons ?? 0,
      groups: feed?.groups ?? 0,
      memberships: feed?.memberships ?? 0,
      bytes: Number(feed?.size_bytes ?? 0),
      sha256: feed?.sha256_hex ?? null,
      seconds: (feed?.write_ms ?? 0) / 1000,
      error: transfer?.error ?? feed?.error ?? null,
    });
  }
  return reports;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
