import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HubError, type ErrorCode } from '../errors/index.js';
import type { PersonsThread } from '../ports/source-connector.js';
import type { RosterSpoolCounts, SnapshotCounter } from './snapshot-counter.js';

/**
 * The persons of a snapshot read, mapped and encoded in a thread of their own (person-thread-worker.ts),
 * when the source says how (RosterSnapshot.personsThread): at Oslo scale they are most of a snapshot's
 * CPU, and the groups and memberships then take the writer's own thread, so a snapshot uses two cores.
 * The worker encodes with the same encodePerson, so the frames are the bytes the writer's own thread
 * would write. Memory: the worker's heap (its young generation sized for the garbage a person leaves),
 * and at most `blocksAhead` blocks of frames on their way to the file.
 */

/** Blocks of frames the worker may encode ahead of the file being written. */
export const blocksAhead = 4;
/**
 * The worker's young generation, MB: mapping a person leaves a few KB of short-lived objects, and a
 * young generation this size lets them die young instead of being promoted (measured at Oslo scale: a
 * quarter less CPU than the default's).
 */
const youngGenerationMb = 64;

export type FromPersonThread =
  | ({ kind: 'block'; bytes: ArrayBuffer; offset: number; size: number } & Pick<
      RosterSpoolCounts,
      'persons' | 'schools'
    >)
  | { kind: 'done' }
  | { kind: 'failed'; code: ErrorCode | undefined; message: string };

/** The compiled worker beside this file; none when the hub runs from its TypeScript sources (tests). */
const workerFile = new URL('./person-thread-worker.js', import.meta.url);

/** How the worker is started: a test gives the TypeScript file and a loader for it. */
export interface PersonThreadStart {
  readonly file: URL;
  readonly execArgv?: readonly string[];
}

/** Whether the persons can be read in a thread here: the source says how, and the worker is built. */
export function personThreadStart(
  thread: PersonsThread | undefined,
  start: PersonThreadStart | undefined = existsSync(fileURLToPath(workerFile))
    ? { file: workerFile }
    : undefined,
): PersonThreadStart | undefined {
  return thread === undefined ||
    !thread.module.startsWith('file:') ||
    !existsSync(fileURLToPath(thread.module))
    ? undefined
    : start;
}

/**
 * The person frames in blocks, as the worker encodes them, each block's persons counted into `counter`.
 * Stopping early (or failing) ends the worker, and with it its connections to the source.
 */
export async function* personBlocksInThread(
  thread: PersonsThread,
  start: PersonThreadStart,
  counter: SnapshotCounter,
): AsyncGenerator<Buffer> {
  const worker = new Worker(start.file, {
    workerData: thread,
    ...(start.execArgv === undefined ? {} : { execArgv: [...start.execArgv] }),
    resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb },
  });
  const inbox: FromPersonThread[] = [];
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const arrived = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (message: FromPersonThread) => {
    inbox.push(message);
    arrived();
  });
  worker.on('error', (error) => {
    failure ??= { error };
    arrived();
  });
  worker.on('exit', () => {
    failure ??= { error: new Error('the person thread ended before its persons') };
    arrived();
  });
  try {
    for (;;) {
      const message = inbox.shift();
      if (message === undefined) {
        if (failure !== undefined) throw threadFailure(failure.error);
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (message.kind === 'done') return;
      if (message.kind === 'failed')
        throw message.code === undefined
          ? threadFailure(message.message)
          : new HubError(message.code, message.message);
      counter.personsCounted(message);
      yield Buffer.from(message.bytes, message.offset, message.size);
      // The writer has taken the block: the worker may encode one more.
      worker.postMessage('more');
    }
  } finally {
    await worker.terminate();
  }
}

const threadFailure = (cause: unknown): HubError =>
  new HubError('PIFU_SOURCE_UNAVAILABLE', 'reading the persons in their own thread failed; retry the run', {
    cause,
  });
