import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HubError, type ErrorCode } from '../errors/index.js';
import type { SharedSnapshot } from '../ports/source-connector.js';
import type { RosterSpoolCounts } from './snapshot-counter.js';

/*
 * The snapshot's groups and memberships spooled in a worker thread while this thread spools the persons:
 * the two halves of a snapshot are independent until the manifest, and each keeps a core busy (at Oslo
 * scale about 10 s of persons beside 5 s of groups and memberships). The worker opens the source's own
 * snapshot again (SharedSnapshot) and writes its two files with the same code as this thread would
 * (spoolGroupsAndMemberships), so the spool is byte for byte the same either way; only its counts come
 * back, as a message.
 */

/** What the worker is started with. */
export interface SpoolWorkerData {
  readonly shared: SharedSnapshot;
  readonly staging: string;
}

/** An error thrown in the worker, as it crosses the thread. */
export interface SpoolWorkerFailure {
  readonly message: string;
  /** A system error's code (`ENOSPC`), which callers may go by. */
  readonly code?: string;
  /** Set for a HubError. */
  readonly hubCode?: ErrorCode;
  readonly retryable?: boolean;
}

/** What the worker posts when it ends. */
export type SpoolWorkerMessage =
  { readonly done: RosterSpoolCounts } | { readonly failed: SpoolWorkerFailure };

const workerScript = new URL('./spool-worker.js', import.meta.url);

/**
 * The worker's young generation, capped: its objects (a chunk's rows, a batch of memberships) die
 * young, and V8's default let it grow to tens of MB for them. Exporting the `small` municipality
 * (test/integration/run/flat-memory.test.ts, built CLI) peaked at 224 MB with the default, 197 MB
 * capped at 8 MB, 193–197 MB with no worker at all; 4 MB was no leaner.
 */
const workerLimits = { maxYoungGenerationSizeMb: 8 } as const;

/**
 * Whether a worker thread can spool `shared`: only compiled code runs in one (sources run by a
 * TypeScript test runner have no spool-worker.js beside them, and spool in one thread).
 */
export function canSpoolInWorker(shared: SharedSnapshot | undefined): shared is SharedSnapshot {
  return shared !== undefined && workerScript.protocol === 'file:' && existsSync(fileURLToPath(workerScript));
}

/** An error as the worker reported it, as it was thrown there: a HubError stays one. */
function errorFrom({ message, code, hubCode, retryable }: SpoolWorkerFailure): Error {
  if (hubCode !== undefined) {
    const prefix = `${hubCode}: `;
    return new HubError(hubCode, message.startsWith(prefix) ? message.slice(prefix.length) : message, {
      ...(retryable === undefined ? {} : { retryable }),
    });
  }
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

/**
 * Spools the groups and memberships of `shared` into `staging` in a worker thread and resolves with
 * their counts. Aborting `signal` ends the worker (its files are left in the staging directory, which
 * the next attempt empties).
 */
export function spoolInWorker(
  shared: SharedSnapshot,
  staging: string,
  signal: AbortSignal,
): Promise<RosterSpoolCounts> {
  signal.throwIfAborted();
  const data: SpoolWorkerData = { shared, staging };
  const worker = new Worker(workerScript, { workerData: data, resourceLimits: workerLimits });
  return new Promise<RosterSpoolCounts>((resolve, reject) => {
    let outcome: { counts: RosterSpoolCounts } | { error: unknown } | undefined;
    const onAbort = (): void => {
      outcome ??= { error: signal.reason };
      void worker.terminate();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: SpoolWorkerMessage) => {
      outcome ??= 'done' in message ? { counts: message.done } : { error: errorFrom(message.failed) };
    });
    worker.on('error', (error) => {
      outcome ??= { error };
    });
    worker.on('exit', (exitCode) => {
      signal.removeEventListener('abort', onAbort);
      if (outcome === undefined)
        reject(
          new HubError(
            'PIFU_INTERNAL',
            `the snapshot's spool thread ended (exit code ${exitCode}) without a word`,
          ),
        );
      else if ('counts' in outcome) resolve(outcome.counts);
      else reject(outcome.error);
    });
  });
}
