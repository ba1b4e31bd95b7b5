import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HubError } from '../src/errors/index.js';
import type { FeedFigures } from './feed-step.js';

export type ToHub =
  | { type: 'snapshot'; runId: string }
  | { type: 'feed'; runId: string; recipientId: string }
  | { type: 'exit' };
/**
 * `lapRssMb`: the hub process's peak RSS since its previous answer; `cpuS`: its CPU so far. `written`: a
 * recipient's feed is written (its delivery follows); `done`: it is delivered, with `peakRssMb` the
 * process's peak from the feed's start to the delivery's end.
 */
export type FromHub =
  | { type: 'ready'; lapRssMb: number; cpuS: number }
  | { type: 'snapshotted'; unchanged: boolean; rereadPersons?: number; lapRssMb: number; cpuS: number }
  | { type: 'written'; recipientId: string; lapRssMb: number; cpuS: number }
  | { type: 'done'; figures: FeedFigures; peakRssMb: number; lapRssMb: number; cpuS: number }
  | { type: 'failed'; step: string; message: string }
  | { type: 'exited'; peakRssMb: number; cpuS: number };

/**
 * A recipient's figures with the hub process's peak RSS (MB) from its feed's start to its delivery's end
 * (beside whatever else the process ran meanwhile).
 */
export type PoolFigures = FeedFigures & { readonly peak_rss_mb: number };

export interface HubPool {
  /**
   * Takes the run's snapshot in a hub process (unless nothing changed for anyone): whether skipped, and
   * the persons read again when the snapshot was incremental (undefined: read whole).
   */
  snapshot(runId: string): Promise<{ unchanged: boolean; rereadPersons?: number }>;
  /**
   * Every recipient's feed and delivery of the run, the feeds in the order given, spread over the hub
   * processes; resolves once every feed is delivered.
   */
  run(runId: string, recipientIds: readonly string[]): Promise<PoolFigures[]>;
  /** The hub processes' highest peak RSS (MB) since the previous lap (or the start). */
  lap(): number;
  /** CPU seconds all hub processes have used so far. */
  cpuS(): number;
  /** Ends the hub processes: each one's peak RSS over its life (MB), in order. */
  close(): Promise<number[]>;
}

/**
 * `workers` forked hub processes (at least one) on the same PostgreSQL database and spool directory,
 * started with `nodeFlags` as node's own flags, each taking `concurrency` jobs at once per step, as a
 * `pifu-hub worker --concurrency N` does per queue: the first takes each run's snapshot, then each takes
 * the next recipient's feed, in the order given, while it writes fewer than `concurrency`, as queue
 * workers take a run's feed jobs, and delivers the feeds it wrote beside its next ones. The hub's work
 * never runs in the bench process, so the hub's memory is measured apart from the generator's and the
 * bench's.
 */
export async function openHubPool(options: {
  workers: number;
  concurrency: number;
  databaseUrl: string;
  workDir: string;
  nodeFlags: readonly string[];
}): Promise<HubPool> {
  let lapMb = 0;
  const cpu = new Map<ChildProcess, number>();
  const heard = (child: ChildProcess, answer: FromHub): FromHub => {
    if ('lapRssMb' in answer) lapMb = Math.max(lapMb, answer.lapRssMb);
    if ('cpuS' in answer) cpu.set(child, answer.cpuS);
    return answer;
  };
  const script = fileURLToPath(new URL('./hub-process.js', import.meta.url));
  const children = Array.from({ length: Math.max(1, options.workers) }, () =>
    fork(script, [options.databaseUrl, options.workDir, String(Math.max(1, options.concurrency))], {
      execArgv: [...process.execArgv, ...options.nodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const ask = async (child: ChildProcess, message: ToHub, type: FromHub['type']) => {
    const answer = next(child, type);
    child.send(message);
    return heard(child, await answer);
  };
  await Promise.all(children.map(async (child) => heard(child, await next(child, 'ready'))));
  const [first] = children as [ChildProcess];
  return {
    snapshot: async (runId) => {
      const answer = await ask(first, { type: 'snapshot', runId }, 'snapshotted');
      if (answer.type !== 'snapshotted') return { unchanged: false };
      return {
        unchanged: answer.unchanged,
        ...(answer.rereadPersons === undefined ? {} : { rereadPersons: answer.rereadPersons }),
      };
    },
    run: async (runId, recipientIds) => {
      const queue = [...recipientIds];
      const figures: PoolFigures[] = [];
      await Promise.all(
        children.map((child) =>
          feedAll(child, runId, queue, Math.max(1, options.concurrency), (answer) => {
            heard(child, answer);
            if (answer.type === 'done') figures.push({ ...answer.figures, peak_rss_mb: answer.peakRssMb });
          }),
        ),
      );
      return figures.sort((a, b) => a.id.localeCompare(b.id));
    },
    lap: () => {
      const peak = lapMb;
      lapMb = 0;
      return peak;
    },
    cpuS: () => [...cpu.values()].reduce((sum, seconds) => sum + seconds, 0),
    close: () =>
      Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || !child.connected) return 0;
          const answer = await ask(child, { type: 'exit' }, 'exited');
          return answer.type === 'exited' ? Number(answer.peakRssMb.toFixed(1)) : 0;
        }),
      ),
  };
}

/** The hub process's next message of `type`; a failure or an early exit rejects. */
function next(child: ChildProcess, type: FromHub['type']): Promise<FromHub> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromHub) => {
      if (message.type !== type && message.type !== 'failed') return;
      cleanup();
      if (message.type === 'failed') {
        reject(new HubError('PIFU_INTERNAL', `bench hub process: ${message.step}: ${message.message}`));
      } else resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new HubError('PIFU_INTERNAL', `bench hub process exited ${code} while waiting for ${type}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Gives the hub process the queue's next recipient whenever it writes fewer than `concurrency` feeds
 * (the queue is shared by every hub process), and resolves once every feed it took is delivered; a
 * failure or an early exit rejects.
 */
function feedAll(
  child: ChildProcess,
  runId: string,
  queue: string[],
  concurrency: number,
  heard: (answer: FromHub) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let writing = 0;
    let undelivered = 0;
    const give = (): void => {
      while (writing < concurrency) {
        const recipientId = queue.shift();
        if (recipientId === undefined) break;
        writing += 1;
        undelivered += 1;
        child.send({ type: 'feed', runId, recipientId } satisfies ToHub);
      }
      if (undelivered === 0) {
        cleanup();
        resolve();
      }
    };
    const onMessage = (message: FromHub) => {
      if (message.type === 'failed') {
        cleanup();
        reject(new HubError('PIFU_INTERNAL', `bench hub process: ${message.step}: ${message.message}`));
        return;
      }
      if (message.type !== 'written' && message.type !== 'done') return;
      heard(message);
      if (message.type === 'written') writing -= 1;
      else undelivered -= 1;
      give();
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new HubError('PIFU_INTERNAL', `bench hub process exited ${code} while writing feeds`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    give();
  });
}
