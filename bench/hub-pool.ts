import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HubError } from '../src/errors/index.js';
import type { FeedFigures } from './feed-step.js';

export type ToHub =
  | { type: 'snapshot'; runId: string }
  | { type: 'feed'; runId: string; recipientId: string }
  | { type: 'exit' };
/** `lapRssMb`: the hub process's peak RSS since its previous answer; `cpuS`: its CPU so far. */
export type FromHub =
  | { type: 'ready'; lapRssMb: number; cpuS: number }
  | { type: 'snapshotted'; unchanged: boolean; rereadPersons?: number; lapRssMb: number; cpuS: number }
  | { type: 'done'; figures: FeedFigures; lapRssMb: number; cpuS: number }
  | { type: 'failed'; step: string; message: string }
  | { type: 'exited'; peakRssMb: number; cpuS: number };

/** A recipient's figures with the hub process's peak RSS (MB) while it wrote and delivered that feed. */
export type PoolFigures = FeedFigures & { readonly peak_rss_mb: number };

export interface HubPool {
  /**
   * Takes the run's snapshot in a hub process (unless nothing changed for anyone): whether skipped, and
   * the persons read again when the snapshot was incremental (undefined: read whole).
   */
  snapshot(runId: string): Promise<{ unchanged: boolean; rereadPersons?: number }>;
  /** Every recipient's feed and delivery of the run, in the order given, spread over the hub processes. */
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
 * started with `nodeFlags` as node's own flags: the first takes each run's snapshot, then each takes
 * the next recipient's feed, in the order given, when it is free, as queue workers take a run's feed
 * jobs. The hub's work never runs in the bench process, so the hub's memory is measured apart from the
 * generator's and the bench's.
 */
export async function openHubPool(options: {
  workers: number;
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
    fork(script, [options.databaseUrl, options.workDir], {
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
        children.map(async (child) => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            const answer = await ask(child, { type: 'feed', runId, recipientId: id }, 'done');
            if (answer.type === 'done') figures.push({ ...answer.figures, peak_rss_mb: answer.lapRssMb });
          }
        }),
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
