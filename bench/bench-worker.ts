import { openDatabase, type HubDatabase } from '../src/db/index.js';
import { benchContext } from './bench-context.js';
import { feedAndDeliver } from './feed-step.js';
import type { FromWorker, ToWorker } from './feed-pool.js';

/**
 * A bench worker process (`--workers N`): takes one recipient of a run at a time from the main bench
 * process, as a queue worker takes feed and deliver jobs, on its own connection pool. Forked by
 * feed-pool.ts; not a product process.
 */
const send = (message: FromWorker): void => void process.send?.(message);

const [databaseUrl, workDir] = process.argv.slice(2);
if (databaseUrl === undefined || workDir === undefined) {
  process.stderr.write('bench-worker: expects DATABASE_URL WORK_DIR\n');
  process.exit(2);
}
// The main bench process going away ends its workers too.
process.on('disconnect', () => process.exit(0));
const open = await openDatabase<HubDatabase>({ kind: 'postgres', url: databaseUrl });
const ctx = benchContext(open.db, workDir, open.kind === 'postgres' ? { pool: open.pool } : undefined);
let queue: Promise<void> = Promise.resolve();
process.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    if (message.type === 'exit') {
      await open.close();
      send({ type: 'exited', peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6 });
      process.disconnect();
      return;
    }
    try {
      send({ type: 'done', figures: await feedAndDeliver(ctx, message.runId, message.recipientId) });
    } catch (error) {
      send({ type: 'failed', recipientId: message.recipientId, message: String(error) });
    }
  });
});
send({ type: 'ready' });
