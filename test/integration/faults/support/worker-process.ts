/**
 * A worker process for the fault tests, run by child-worker.ts as
 * `node --import ./register-ts.mjs worker-process.ts` with its settings as JSON in PIFU_TEST_WORKER.
 * It does what `pifu-hub worker` does (listenForStop, startWorkers, then stopGracefully, then close), over the
 * test's database, Redis prefix, spool and recipients, and tells its parent over IPC when a delivery
 * starts and when the transport has finished (the window before the acknowledgement commits).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import {
  createRecordsDbSource,
  type SourceDatabase,
} from '../../../../connectors/sources/records-db/index.js';
import { createTransport } from '../../../../connectors/transports/registry.js';
import { listenForStop } from '../../../../jobs/stop-signals.js';
import { startWorkers, stopGracefully } from '../../../../jobs/workers.js';
import { loadRecipientConfigs, type RecipientConfig } from '../../../../src/config/index.js';
import { openDatabase, type HubDatabase } from '../../../../src/db/index.js';
import { createLogger } from '../../../../src/log/index.js';
import type { TransportFactory } from '../../../../src/ports/index.js';
import type { HubContext } from '../../../../src/run/index.js';
import { parseRecipients, toFileDrop } from './child-worker.js';

export interface WorkerProcessConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly spoolDir: string;
  /** Recipient files as JSON values, validated here as `pifu-hub` validates files. */
  readonly recipients?: readonly Record<string, unknown>[];
  /** Or a recipients directory (loadRecipientConfigs), every transport rewritten to a file drop here. */
  readonly recipientsDir?: { readonly dir: string; readonly dropDir: string };
  readonly concurrency?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly maxStalledCount?: number;
  /** Sleep this long before and after each real delivery, to widen the windows a kill should hit. */
  readonly deliverDelayMs?: number;
  readonly logLevel?: string;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'delivering'; readonly transferId: string }
  | { readonly type: 'transported'; readonly transferId: string };

function tell(message: WorkerMessage): void {
  process.send?.(message);
}

function recipientsOf(config: WorkerProcessConfig): RecipientConfig[] {
  if (config.recipientsDir !== undefined) {
    return toFileDrop(loadRecipientConfigs(config.recipientsDir.dir), config.recipientsDir.dropDir);
  }
  return parseRecipients(config.recipients ?? []);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env['PIFU_TEST_WORKER'] ?? '{}') as WorkerProcessConfig;
  const logger = createLogger({ level: config.logLevel ?? 'warn' });
  const stop = listenForStop();
  const open = await openDatabase<HubDatabase>({ kind: 'postgres', url: config.databaseUrl });
  const delay = config.deliverDelayMs ?? 0;
  const transportFor: TransportFactory = (transportConfig, recipientId) => {
    const transport = createTransport(transportConfig, recipientId);
    return {
      kind: transport.kind,
      deliver: async (feed, options) => {
        tell({ type: 'delivering', transferId: feed.transferId });
        if (delay > 0) await sleep(delay);
        const receipt = await transport.deliver(feed, options);
        tell({ type: 'transported', transferId: feed.transferId });
        if (delay > 0) await sleep(delay);
        return receipt;
      },
    };
  };
  const ctx: HubContext = {
    db: open.db,
    source: createRecordsDbSource(
      open.db as unknown as Kysely<SourceDatabase>,
      { source: 'pifu-hub' },
      open.kind === 'postgres' ? { pool: open.pool } : undefined,
    ),
    recipients: new Map(recipientsOf(config).map((recipient) => [recipient.id, recipient])),
    transportFor,
    spoolDir: config.spoolDir,
    logger,
    now: () => new Date(),
  };
  const workers = startWorkers(
    ctx,
    { redisUrl: config.redisUrl, prefix: config.prefix },
    {
      ...(config.concurrency === undefined ? {} : { concurrency: config.concurrency }),
      ...(config.lockDurationMs === undefined ? {} : { lockDurationMs: config.lockDurationMs }),
      ...(config.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: config.stalledIntervalMs }),
      ...(config.maxStalledCount === undefined ? {} : { maxStalledCount: config.maxStalledCount }),
    },
  );
  tell({ type: 'ready', pid: process.pid });
  // The lines `pifu-hub worker` needs: wait for a signal, finish or release the jobs, close.
  await stopGracefully(workers, logger, stop);
  await open.close();
  process.disconnect?.();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
  process.disconnect?.();
});
