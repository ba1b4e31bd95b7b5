import pLimit from 'p-limit';
import { applyHeapSettings } from '../src/config/heap-settings.js';
import { openDatabase, type HubDatabase } from '../src/db/index.js';
import { skipUnchangedRun, takeSnapshot } from '../src/run/index.js';
import { recipientLockFor } from '../src/transfer/index.js';
import { benchContext } from './bench-context.js';
import { deliverFeed, writeFeed } from './feed-step.js';
import type { FromHub, ToHub } from './hub-pool.js';
import { startPeakRssSampler } from './peak-rss.js';

/**
 * A hub process of `bench --recipients`, as a queue worker (`pifu-hub worker --concurrency N`) on its own
 * connection pool: takes a run's snapshot, or recipients' feeds, from the bench process, at most N at once
 * (the bench process gives no more), and delivers each written feed beside the feeds after it, at most N
 * deliveries at once and the others waiting in the order written, as the worker's deliver queue takes the
 * deliver job a feed job's end releases. Feed and delivery hold the recipient's lock, as the jobs' do.
 * It answers `written` when a feed is written (the bench then gives it the next) and `done` when it is
 * delivered. Every answer carries the process's peak RSS since its previous answer and its CPU so far, so
 * the bench reports the hub's memory and CPU, not its own (the generator's). Forked by hub-pool.ts; not a
 * product process.
 */
// As bin/launch.js does in every process of the hub.
applyHeapSettings();
const rss = startPeakRssSampler();
const cpuS = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};
const send = (message: FromHub): void => void process.send?.(message);

const [databaseUrl, workDir, concurrencyArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
if (databaseUrl === undefined || workDir === undefined || !(concurrency >= 1)) {
  process.stderr.write('hub-process: expects DATABASE_URL WORK_DIR CONCURRENCY\n');
  process.exit(2);
}
// The bench process going away ends its hub processes too.
process.on('disconnect', () => process.exit(0));
const open = await openDatabase<HubDatabase>({ kind: 'postgres', url: databaseUrl });
const ctx = benchContext(open.db, workDir, open.kind === 'postgres' ? { pool: open.pool } : undefined);
const lock = await recipientLockFor(open.db);
// At most `concurrency` deliveries at once, the others waiting in the order their feeds were written.
const delivering = pLimit(concurrency);
const running = new Set<Promise<void>>();
const track = (step: string, work: () => Promise<void>): void => {
  const done: Promise<void> = work()
    .catch((error: unknown) => send({ type: 'failed', step, message: String(error) }))
    .finally(() => running.delete(done));
  running.add(done);
};

process.on('message', (message: ToHub) => {
  if (message.type === 'exit') {
    const before = [...running];
    track('exit', async () => {
      await Promise.allSettled(before);
      await open.close();
      send({ type: 'exited', peakRssMb: rss.stop(), cpuS: cpuS() });
      process.disconnect();
    });
  } else if (message.type === 'snapshot') {
    track('snapshot', async () => {
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
    });
  } else {
    const { runId, recipientId } = message;
    track(`feed ${recipientId}`, async () => {
      const peak = rss.window();
      const written = await writeFeed(ctx, lock, runId, recipientId);
      send({ type: 'written', recipientId, lapRssMb: rss.lap(), cpuS: cpuS() });
      const figures = await delivering(() => deliverFeed(ctx, lock, runId, written));
      send({ type: 'done', figures, peakRssMb: peak(), lapRssMb: rss.lap(), cpuS: cpuS() });
    });
  }
});
send({ type: 'ready', lapRssMb: rss.lap(), cpuS: cpuS() });
