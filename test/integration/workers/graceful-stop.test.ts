import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import { startRun } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipientFile, seededDatabase } from '../../helpers/hub-fixture.js';
import { testRedisUrl } from '../../setup/services.js';
import { parseRecipients, spawnWorker, type ChildWorker } from '../faults/support/child-worker.js';
import { expectDeliveredOnce, waitForRun } from '../faults/support/run-checks.js';

describe('SIGTERM / SIGINT to a worker process (stopGracefully)', () => {
  const database = seededDatabase('tiny');

  const spawned: ChildWorker[] = [];
  afterEach(async () => {
    await Promise.all(spawned.splice(0).map((worker) => worker.kill()));
  });

  async function setUp(deliverDelayMs: number) {
    const files = (dir: string) => [
      recipientFile('itslearning', 'lms', { kind: 'file-drop', directory: join(dir, 'lms') }),
      recipientFile('websak', 'archive', { kind: 'file-drop', directory: join(dir, 'archive') }),
    ];
    const ctx = hubContext(database.db, { recipients: (dir) => parseRecipients(files(dir)) });
    const connection = { redisUrl: testRedisUrl(), prefix: `stop-${randomUUID()}` };
    // Default BullMQ lock (60 s): a job left behind by this worker would sit for a minute, so a quick
    // finish below shows the job was finished or handed back, not taken over after a stall.
    const child = await spawnWorker({
      databaseUrl: database.url,
      ...connection,
      spoolDir: ctx.spoolDir,
      recipients: files(ctx.dropDir),
      concurrency: 1,
      deliverDelayMs,
      logLevel: 'info',
    });
    spawned.push(child);
    const delivering = new Promise<string>((resolve) =>
      child.onMessage((message) => {
        if (message.type === 'delivering') resolve(message.transferId);
      }),
    );
    const runId = await startRun(ctx, {
      recipientIds: ['itslearning', 'websak'],
      trigger: 'operator',
      feedType: 'full',
    });
    await enqueueRun(connection, runId, { wait: false });
    return { ctx, connection, child, runId, delivering };
  }

  it('stops taking jobs, lets the running delivery finish, and exits 0', async () => {
    const { ctx, connection, child, runId, delivering } = await setUp(1_000);
    const transferId = await delivering;
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.output()).toContain('worker stopping: no new jobs');
    const transfers = await listRunTransfers(ctx.db, runId);
    // The delivery under way when the signal came was finished and acknowledged; the other one was
    // not started (concurrency 1), so it waits for the next worker.
    expect(transfers.map((t) => [t.id === transferId, t.status])).toEqual(
      expect.arrayContaining([
        [true, 'delivered'],
        [false, 'pending'],
      ]),
    );
    const workers = startWorkers(ctx, connection);
    try {
      expect((await waitForRun(ctx.db, runId, 15_000)).status).toBe('completed');
      await expectDeliveredOnce(ctx.db, runId, { fileDrop: true });
    } finally {
      await workers.close();
    }
  }, 180_000);

  it('on a second signal releases the running job to another worker at once and exits 0', async () => {
    const { ctx, connection, child, runId, delivering } = await setUp(20_000);
    await delivering;
    child.process.kill('SIGTERM');
    await sleep(200);
    child.process.kill('SIGINT');
    const stopped = Date.now();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopped).toBeLessThan(5_000);
    expect(child.output()).toContain('released running jobs to other workers');
    const workers = startWorkers(ctx, connection);
    try {
      // Well inside the 60 s BullMQ lock: the job was handed back, not found stalled.
      expect((await waitForRun(ctx.db, runId, 15_000)).status).toBe('completed');
      await expectDeliveredOnce(ctx.db, runId, { fileDrop: true });
    } finally {
      await workers.close();
    }
  }, 180_000);
});
