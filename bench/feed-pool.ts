import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HubError } from '../src/errors/index.js';
import type { HubContext } from '../src/run/index.js';
import { feedAndDeliver, type FeedFigures } from './feed-step.js';

export type ToWorker = { type: 'feed'; runId: string; recipientId: string } | { type: 'exit' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; figures: FeedFigures }
  | { type: 'failed'; recipientId: string; message: string }
  | { type: 'exited'; peakRssMb: number };

export interface FeedPool {
  /** Every recipient's feed and delivery of the run; the wall time of all of them. */
  run(runId: string, recipientIds: readonly string[]): Promise<{ figures: FeedFigures[]; seconds: number }>;
  /** Ends the worker processes; their peak RSS (MB), 0 in process. */
  close(): Promise<number>;
}

/**
 * Runs a run's feed and deliver steps: in this process one recipient after another (`workers` 1), or in
 * `workers` forked processes on the same PostgreSQL database and spool directory, each taking the next
 * recipient when it is free, biggest feeds first (by the last run's sizes), as queue workers would.
 */
export async function openFeedPool(
  ctx: HubContext,
  options: { workers: number; databaseUrl?: string; workDir: string },
): Promise<FeedPool> {
  const lastMb = new Map<string, number>();
  const ordered = (ids: readonly string[]) =>
    [...ids].sort((a, b) => (lastMb.get(b) ?? 0) - (lastMb.get(a) ?? 0));
  const remember = (figures: FeedFigures[]) => {
    for (const figure of figures) if (figure.mb > 0) lastMb.set(figure.id, figure.mb);
    return figures.sort((a, b) => a.id.localeCompare(b.id));
  };
  if (options.workers <= 1) {
    return {
      run: async (runId, recipientIds) => {
        const started = performance.now();
        const figures: FeedFigures[] = [];
        for (const id of ordered(recipientIds)) figures.push(await feedAndDeliver(ctx, runId, id));
        return { figures: remember(figures), seconds: (performance.now() - started) / 1000 };
      },
      close: () => Promise.resolve(0),
    };
  }
  if (options.databaseUrl === undefined) {
    throw new HubError('PIFU_USAGE_INVALID', 'bench: --workers above 1 needs PostgreSQL, not PGlite');
  }
  const script = fileURLToPath(new URL('./bench-worker.js', import.meta.url));
  const children = Array.from({ length: options.workers }, () =>
    fork(script, [options.databaseUrl ?? '', options.workDir], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  await Promise.all(children.map((child) => next(child, 'ready')));
  return {
    run: async (runId, recipientIds) => {
      const started = performance.now();
      const queue = ordered(recipientIds);
      const figures: FeedFigures[] = [];
      await Promise.all(
        children.map(async (child) => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            child.send({ type: 'feed', runId, recipientId: id } satisfies ToWorker);
            const answer = await next(child, 'done');
            if (answer.type === 'done') figures.push(answer.figures);
          }
        }),
      );
      return { figures: remember(figures), seconds: (performance.now() - started) / 1000 };
    },
    close: async () => {
      const peaks = await Promise.all(
        children.map(async (child) => {
          child.send({ type: 'exit' } satisfies ToWorker);
          const answer = await next(child, 'exited');
          return answer.type === 'exited' ? answer.peakRssMb : 0;
        }),
      );
      return Math.max(0, ...peaks);
    },
  };
}

/** The worker's next message of `type`; a failure or an early exit rejects. */
function next(child: ChildProcess, type: FromWorker['type']): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type !== type && message.type !== 'failed') return;
      cleanup();
      if (message.type === 'failed') {
        reject(new HubError('PIFU_INTERNAL', `bench worker: ${message.recipientId}: ${message.message}`));
      } else resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new HubError('PIFU_INTERNAL', `bench worker exited ${code} while waiting for ${type}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
