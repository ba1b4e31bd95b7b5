import { parentPort, workerData } from 'node:worker_threads';
import { isHubError } from '../errors/index.js';
import type { SharedSnapshotStreams } from '../ports/source-connector.js';
import { SnapshotCounter } from './snapshot-counter.js';
import type { SpoolWorkerData, SpoolWorkerFailure, SpoolWorkerMessage } from './spool-thread.js';
import { spoolGroupsAndMemberships } from './spool-writing.js';

/*
 * The worker thread of spool-thread.ts: opens the source's snapshot again, writes the groups and
 * memberships files into the staging directory and posts their counts (or what failed). It is ended by
 * its parent when the spool is stopped.
 */

function failure(error: unknown): SpoolWorkerFailure {
  if (isHubError(error)) return { message: error.message, hubCode: error.code, retryable: error.retryable };
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

async function spool({ shared, staging }: SpoolWorkerData): Promise<SpoolWorkerMessage> {
  const { openSharedSnapshot } = (await import(shared.module)) as {
    openSharedSnapshot: (data: unknown) => Promise<SharedSnapshotStreams>;
  };
  const streams = await openSharedSnapshot(shared.data);
  try {
    const counter = new SnapshotCounter();
    const writing = { signal: new AbortController().signal, digest: false } as const;
    await spoolGroupsAndMemberships(streams, staging, counter, writing);
    return { done: counter.counts() };
  } finally {
    await streams.close();
  }
}

const message = await spool(workerData as SpoolWorkerData).catch((error: unknown): SpoolWorkerMessage => ({
  failed: failure(error),
}));
parentPort?.postMessage(message);
