import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import { findFreePort, findRedisServer, waitForRedis } from '../../../src/queue/index.js';
import { findRun, runIds, startRun } from '../../../src/run/index.js';
import { findFeed } from '../../../src/feed/index.js';
import { captureLogger, hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';
import { expectDeliveredOnce, waitForRun } from './support/run-checks.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * A private redis-server of this test's own, persisting every write to its append-only file (as a
 * production Redis for BullMQ must: a Redis that forgets its queues on restart forgets the runs in them).
 */
function startRedis(binary: string, port: number, dir: string): ChildProcess {
  return spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

describe('Redis restarted in the middle of a run', () => {
  const database = seededDatabase('mini');

  it('the workers reconnect and the run completes, each recipient delivered once', async () => {
    const binary = findRedisServer();
    if (binary === undefined) throw new Error('redis-server is not on PATH');
    const port = await findFreePort();
    const dir = scratchDir('pifu-redis-');
    let redis = startRedis(binary, port, dir);
    const { logger, lines } = captureLogger('warn');
    try {
      await waitForRedis(port, 10_000);
      const ctx = hubContext(database.db, {
        logger,
        recipients: (drop) => [
          recipient('itslearning', 'lms', join(drop, 'lms')),
          recipient('websak', 'archive', join(drop, 'archive')),
          recipient('skole-sms', 'sms', join(drop, 'sms')),
        ],
      });
      const connection = { redisUrl: `redis://127.0.0.1:${port}`, prefix: `restart-${randomUUID()}` };
      const workers = startWorkers(ctx, connection, { concurrency: 2 });
      try {
        const runId = await startRun(ctx, {
          recipientIds: ['itslearning', 'websak', 'skole-sms'],
          trigger: 'operator',
          feedType: 'full',
        });
        await enqueueRun(connection, runId, { wait: false });
        // Restart while the feeds are being written: the snapshot is taken, no feed is written yet.
        const ids = runIds(runId);
        for (;;) {
          const feed = await findFeed(ctx.db, ids.feedId('itslearning'));
          const run = await findRun(ctx.db, runId);
          if (run?.snapshotAt != null || feed?.status !== 'pending') break;
          await sleep(20);
        }
        await stopRedis(redis);
        await sleep(1_500);
        // Nothing can finish without Redis: the run is still going when it comes back.
        expect((await findRun(ctx.db, runId))?.status).toBe('running');
        redis = startRedis(binary, port, dir);
        await waitForRedis(port, 10_000);

        // A job that was active when Redis went away may come back only through BullMQ's stalled-job
        // check (every 30 s, a job found stalled twice): alone this takes seconds, on a loaded machine
        // it once took longer than 45 s.
        const run = await waitForRun(ctx.db, runId, 150_000);
        expect(run.status).toBe('completed');
        await expectDeliveredOnce(ctx.db, runId, { fileDrop: true });
        // The outage was noticed (and logged), not silently swallowed.
        expect(lines.some((line) => line.includes('worker error'))).toBe(true);
      } finally {
        await workers.close();
      }
    } finally {
      await stopRedis(redis);
    }
  }, 180_000);
});
