import type pg from 'pg';
import { HubError } from '../../../src/errors/index.js';
import { streamOfBatches } from '../../../src/model/index.js';
import type { SharedSnapshot, SharedSnapshotStreams } from '../../../src/ports/source-connector.js';
import type { CopySnapshot } from './copy-rows.js';
import { copyGroupBatches, copyMembershipBatches } from './read-by-copy.js';

/*
 * A COPY snapshot opened again in a worker thread (SharedSnapshot): what crosses the thread is how to
 * connect and the exported snapshot's id; the worker's COPY streams import that snapshot on connections
 * of their own, exactly as this thread's do (copy-rows.ts), so they see the same rows.
 */

interface SharedCopyData {
  readonly connection: pg.ClientConfig;
  readonly snapshotId: string;
}

/**
 * The connection options as plain values: a pool's options may hold functions (a custom stream, a
 * password callback), which no structured clone carries. A pool that needs one of those is not shared,
 * and its snapshot is read in one thread.
 */
function cloneableConnection(connection: pg.ClientConfig): pg.ClientConfig | undefined {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(connection)) {
    if (value === undefined) continue;
    if (typeof value === 'function') return undefined;
    plain[name] = value;
  }
  try {
    structuredClone(plain);
  } catch {
    return undefined;
  }
  return plain as pg.ClientConfig;
}

/** How a worker thread opens `copy` again, or undefined when its connection cannot cross a thread. */
export function sharedCopySnapshot(copy: CopySnapshot): SharedSnapshot | undefined {
  const connection = cloneableConnection(copy.connection);
  if (connection === undefined) return undefined;
  const data: SharedCopyData = { connection, snapshotId: copy.snapshotId };
  return { module: import.meta.url, data };
}

/** In the worker thread: the snapshot's groups and memberships, read by COPY (see SharedSnapshot). */
export async function openSharedSnapshot(data: unknown): Promise<SharedSnapshotStreams> {
  const { connection, snapshotId } = (data ?? {}) as Partial<SharedCopyData>;
  if (typeof snapshotId !== 'string' || typeof connection !== 'object')
    throw new HubError('PIFU_INTERNAL', 'a shared records store snapshot came without its connection');
  let closed = false;
  const copy: CopySnapshot = {
    connection,
    snapshotId,
    ensureOpen: () => {
      if (closed)
        throw new HubError('PIFU_SOURCE_UNAVAILABLE', 'the records store snapshot is closed; open a new one');
    },
    clients: new Set(),
  };
  return {
    groups: () => streamOfBatches(() => copyGroupBatches(copy)),
    memberships: () => streamOfBatches(() => copyMembershipBatches(copy)),
    close: async () => {
      closed = true;
      await Promise.allSettled([...copy.clients].map((client) => client.end()));
    },
  };
}
