import { applyHeapSettings } from '../src/config/heap-settings.js';
import { openDatabase, type HubDatabase } from '../src/db/index.js';
import { skipUnchangedRun, takeSnapshot } from '../src/run/index.js';
import { benchContext } from './bench-context.js';
import { feedAndDeliver } from './feed-step.js';
import type { FromHub, ToHub } from './hub-pool.js';
import { startPeakRssSampler } from './peak-rss.js';

/**
 * A hub process of `bench --recipients`: takes a run's snapshot, or one recipient's feed and delivery,
 * at a time from the bench process, as a queue worker takes snapshot, feed and deliver jobs, on its own
 * connection pool. Every answer carries the process's peak RSS since its previous answer and its CPU so
 * far, so the bench reports the hub's memory and CPU, not its own (the generator's). Forked by
 * hub-pool.ts; not a product process.
 */
// As bin/launch.js does in every process of the hub.
applyHeapSettings();
const rss = startPeakRssSampler();
const cpuS = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};
const send = (message: FromHub): void => void process.send?.(message);

const [databaseUrl, workDir] = process.argv.slice(2);
if (databaseUrl === undefined || workDir === undefined) {
  process.stderr.write('hub-process: expects DATABASE_URL WORK_DIR\n');
  process.exit(2);
}
// The bench process going away ends its hub processes too.
process.on('disconnect', () => process.exit(0));
const open = await openDatabase<HubDatabase>({ kind: 'postgres', url: databaseUrl });
const ctx = benchContext(open.db, workDir, open.kind === 'postgres' ? { pool: open.pool } : undefined);
let queue: Promise<void> = Promise.resolve();
process.on('message', (message: ToHub) => {
  queue = queue.then(async () => {
    if (message.type === 'exit') {
      await open.close();
      send({ type: 'exited', peakRssMb: rss.stop(), cpuS: cpuS() });
      process.disconnect();
      return;
    }
    try {
      if (message.type === 'snapshot') {
        // As the run executors do: a run with nothing to send to anyone reads no snapshot.
        const unchanged = await skipUnchangedRun(ctx, message.runId);
        const rereadPersons = unchanged
          ? undefined
          : (await takeSnapshot(ctx, message.runId)).incremental?.persons;
        send({
          type: 'snapshotted',
          unchanged,
          ...(rereadPersons === undefined ? {} : { rereadPersons }),
          lapRssMb: rss.lap(),
          cpuS: cpuS(),
        });
      } else {
        const figures = await feedAndDeliver(ctx, message.runId, message.recipientId);
        send({ type: 'done', figures, lapRssMb: rss.lap(), cpuS: cpuS() });
      }
    } catch (error) {
      const step = message.type === 'feed' ? `feed ${message.recipientId}` : message.type;
      send({ type: 'failed', step, message: String(error) });
    }
  });
});
send({ type: 'ready', lapRssMb: rss.lap(), cpuS: cpuS() });
