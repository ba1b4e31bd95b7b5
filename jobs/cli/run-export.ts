import { requireSharedServices } from '../../src/config/index.js';
import { HubError } from '../../src/errors/index.js';
import { findFeed } from '../../src/feed/index.js';
import type { FeedType } from '../../src/model/index.js';
import type { TransferTrigger } from '../../src/transfer/index.js';
import { finishRun, findRun, runIds, startRun } from '../../src/run/index.js';
import { findTransfer, listRunTransfers, recordTransferFailed } from '../../src/transfer/index.js';
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
  if (request.detach === true) {
    // A detached run is done by the worker pool, which must see it: refused before it is recorded.
    requireSharedServices(runtime.env, 'export --detach', { withoutThem: 'run the export without --detach' });
  }
  const ctx = runtime.context;
  const runId = await startRun(ctx, {
    recipientIds: request.recipientIds,
    trigger: request.trigger ?? 'operator',
    feedType: request.feedType ?? 'full',
    requestedBy: request.requestedBy,
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...(request.resync === undefined ? {} : { resync: request.resync }),
  });
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
      await runOnQueues(runtime, queueUrl, runId);
    }
  } finally {
    await request.progress?.stop();
  }
  const run = await findRun(runtime.hub.db, runId);
  return {
    runId,
    status: run?.status ?? 'unknown',
    feeds: await reportFeeds(runtime, runId, request.recipientIds),
  };
}

/**
 * Runs the run's steps through the queues with workers in this process. If the private redis-server
 * dies meanwhile, the queues are gone with whatever they held: the workers are dropped, the steps
 * running here finish, every transfer still pending is recorded failed with the reason and the run is
 * closed `failed`, and the command ends with one line, within seconds, instead of reconnecting for ever.
 */
async function runOnQueues(runtime: Runtime, redisUrl: string, runId: string): Promise<void> {
  const ctx = runtime.context;
  const connection = { redisUrl, prefix: runtime.env.queuePrefix };
  const lost = runtime.queueLost();
  const workers = startWorkers(ctx, connection, lost === undefined ? {} : { errorGraceMs: 1_000 });
  const abort = new AbortController();
  let lostReason: string | undefined;
  let settled = false;
  void lost?.then((reason) => {
    // After the run: nothing is lost, but closing the workers would wait for it for ever.
    if (settled) {
      void workers.abandon();
      return;
    }
    lostReason = reason;
    abort.abort(new HubError('PIFU_QUEUE_UNAVAILABLE', reason));
  });
  try {
    await enqueueRun(connection, runId, { wait: true, signal: abort.signal });
  } catch (error) {
    if (lostReason === undefined) throw error;
  } finally {
    settled = true;
    if (lostReason === undefined) await workers.close();
    else await workers.abandon();
  }
  if (lostReason === undefined) return;
  const error = `${lostReason} during the run; its queued steps are lost`;
  for (const transfer of await listRunTransfers(ctx.db, runId)) {
    if (transfer.status === 'pending') await recordTransferFailed(ctx.db, transfer.id, error);
  }
  await finishRun(ctx, runId);
  throw new HubError(
    'PIFU_QUEUE_UNAVAILABLE',
    `${error}: run ${runId} is recorded failed (\`pifu-hub run show ${runId}\`); export again to deliver ` +
      'what it did not',
    { retryable: false },
  );
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
