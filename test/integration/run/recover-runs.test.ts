import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createTransport } from '../../../connectors/transports/registry.js';
import { sharedRunQueue } from '../../../jobs/shared-run-queue.js';
import { enqueueRun } from '../../../jobs/workers.js';
import { loadRecipientConfigs } from '../../../src/config/index.js';
import { writeRecipientFeed } from '../../../src/feed/index.js';
import type { TransportFactory } from '../../../src/ports/index.js';
import { jobIds, queueNames } from '../../../src/queue/index.js';
import {
  cancelRun,
  closeAbandonedRun,
  currentProcess,
  findRun,
  recoverRuns,
  runIds,
  runSpoolPaths,
  startRun,
  takeSnapshot,
  type HubContext,
  type ProcessIdentity,
  type RunOwner,
} from '../../../src/run/index.js';
import { stateManifestPath } from '../../../src/state/index.js';
import { deliverTransfer, findTransfer, listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, writeFileDropRecipients } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { runCli } from '../cli/run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';

/** A process that ran and has exited: the owner a kill -9 leaves behind. */
async function deadProcess(): Promise<ProcessIdentity> {
  const startedAt = new Date();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return { host: hostname(), pid: child.pid!, startedAt };
}

describe('crash recovery: runs whose owner is gone (real PostgreSQL and Redis)', () => {
  let database: TestDatabase;
  let base: string;
  let recipientsDir: string;
  const dropOf = (id: string) => join(base, 'drops', id);

  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
    base = scratchDir('pifu-recover-');
    recipientsDir = writeFileDropRecipients(
      base,
      [
        ['websak', 'archive'],
        ['itslearning', 'lms'],
        ['skole-sms', 'sms'],
      ],
      dropOf,
    );
  });
  afterAll(async () => {
    database.pool.on('error', () => undefined); // see cli/operator-runs.test.ts
    await database.destroy();
  });

  const context = (transportFor?: TransportFactory): HubContext =>
    hubContext(database.db, {
      recipients: () => loadRecipientConfigs(recipientsDir),
      ...(transportFor === undefined ? {} : { transportFor }),
    });

  /** Ends every run a test left running, so the next test's recovery sees only its own. */
  afterEach(async () => {
    const ctx = context();
    const { rows } = await sql<{ id: string }>`SELECT id FROM hub.run WHERE status = 'running'`.execute(
      database.db,
    );
    for (const { id } of rows) await cancelRun(ctx, id, { by: 'test', reason: 'end of test' });
  });

  it('closes an in-process run whose process died: the copy that reached the drop is acknowledged, the rest fail, leftovers go', async () => {
    const crashed = new Error('killed');
    // The process "dies" right after websak's copy, and halfway through itslearning's.
    const dying: TransportFactory = (config, recipientId) => {
      const real = createTransport(config, recipientId);
      return {
        kind: real.kind,
        deliver: async (feed) => {
          if (recipientId === 'websak') await real.deliver(feed);
          else writeFileSync(join(dropOf(recipientId), `${feed.fileName}.4242.1.partial`), '<?xml');
          throw crashed;
        },
      };
    };
    const before = context(dying);
    const owner: RunOwner = { execution: 'in-process', process: await deadProcess() };
    const runId = await startRun(before, {
      recipientIds: ['websak', 'itslearning', 'skole-sms'],
      trigger: 'operator',
      feedType: 'full',
      owner,
    });
    const ids = runIds(runId);
    mkdirSync(dropOf('itslearning'), { recursive: true });
    await takeSnapshot(before, runId);
    for (const id of ['websak', 'itslearning', 'skole-sms']) await writeRecipientFeed(before, ids.feedId(id));
    for (const id of ['websak', 'itslearning']) {
      await expect(deliverTransfer(before, ids.transferId(id))).rejects.toBe(crashed);
    }
    const feedsDir = join(runSpoolPaths(before.spoolDir, runId).runDir, 'feeds');
    writeFileSync(join(feedsDir, 'skole-sms.xml.4242.1.partial'), '<?xml');

    // The next command opens the hub in another process (here: another context with the real transports).
    const ctx = { ...context(), spoolDir: before.spoolDir };
    const report = await recoverRuns(ctx);

    const why = `its process (pid ${owner.process.pid} on host ${owner.process.host}, started ${owner.process.startedAt.toISOString()}) ended before the run finished`;
    expect(report.closed).toEqual([
      { runId, status: 'failed', delivered: 1, failed: 2, held: 0, offered: 0, skipped: 0 },
    ]);
    expect(report.stuck.size + report.resumed.length).toBe(0);
    const run = await findRun(ctx.db, runId);
    expect([run?.status, run?.error]).toEqual(['failed', `${why}; not delivered to itslearning, skole-sms`]);
    const transfers = await listRunTransfers(ctx.db, runId);
    expect(transfers.map((t) => [t.recipientId, t.status, t.error])).toEqual([
      ['itslearning', 'failed', `${why} (the recipient does not hold the feed)`],
      ['skole-sms', 'failed', why],
      ['websak', 'delivered', null],
    ]);
    const websak = transfers[2]!;
    const { rows } = await sql<{ disclosures: number; persons: number; state: string | null }>`
      SELECT (SELECT count(*)::int FROM (${carriedByTransfer(websak.id)}) c) AS disclosures,
        (SELECT persons FROM hub.feed WHERE id = ${websak.feedId}) AS persons,
        (SELECT transfer_id FROM hub.recipient_state WHERE recipient_id = 'websak') AS state`.execute(ctx.db);
    expect(rows[0]!.disclosures).toBeGreaterThan(0);
    expect(rows[0]).toEqual({ disclosures: rows[0]!.persons, persons: rows[0]!.persons, state: websak.id });
    expect(readdirSync(dropOf('itslearning'))).toEqual([]);
    expect(readdirSync(feedsDir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    const fileName = ids.feedFileName('websak', 'full');
    expect(readdirSync(dropOf('websak')).sort()).toEqual([fileName, `${fileName}.sha256`]);
  });

  it('after recovery, retry sends a transfer that was stuck pending (it refused before: "still under way")', async () => {
    const ctx = context();
    const runId = await startRun(ctx, {
      recipientIds: ['skole-sms'],
      trigger: 'operator',
      feedType: 'full',
      owner: { execution: 'private-queue', process: await deadProcess() },
    });
    await takeSnapshot(ctx, runId);
    await writeRecipientFeed(ctx, runIds(runId).feedId('skole-sms'));
    const transferId = runIds(runId).transferId('skole-sms');

    const retried = await runCli(['retry', transferId], {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: join(base, 'data'),
      PIFU_HUB_SPOOL_DIR: ctx.spoolDir,
      PIFU_HUB_RECIPIENTS_DIR: recipientsDir,
      LOG_LEVEL: 'silent',
    });
    expect([retried.exitCode, retried.stderr]).toEqual([0, '']);
    expect(retried.stdout).toBe(
      `${transferId} delivered to ${join(dropOf('skole-sms'), runIds(runId).feedFileName('skole-sms', 'full'))}\n` +
        `run ${runId} completed\n`,
    );
    expect((await findTransfer(ctx.db, transferId))?.status).toBe('delivered');
  });

  it('runs shows a run it could not recover as stuck, with why, and leaves it to the next command', async () => {
    const before = context((config, recipientId) => {
      const real = createTransport(config, recipientId);
      return {
        kind: real.kind,
        deliver: async (feed) => {
          await real.deliver(feed);
          throw new Error('killed');
        },
      };
    });
    const owner: RunOwner = { execution: 'private-queue', process: await deadProcess() };
    const runId = await startRun(before, {
      recipientIds: ['websak'],
      trigger: 'operator',
      feedType: 'full',
      owner,
    });
    await takeSnapshot(before, runId);
    const feed = await writeRecipientFeed(before, runIds(runId).feedId('websak'));
    await expect(deliverTransfer(before, runIds(runId).transferId('websak'))).rejects.toThrow('killed');
    // The file reached the recipient, but what its acknowledgement needs is damaged in the spool.
    writeFileSync(stateManifestPath(feed.filePath), '{}\n');

    const env = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: join(base, 'data'),
      PIFU_HUB_SPOOL_DIR: before.spoolDir,
      PIFU_HUB_RECIPIENTS_DIR: recipientsDir,
      LOG_LEVEL: 'silent',
    };
    const shown = await runCli(['runs'], env);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout.split('\n').find((line) => line.startsWith(runId))).toMatch(
      new RegExp(`^${runId} +operator +stuck +`),
    );
    expect(shown.stderr).toBe(
      `${runId} is stuck: its process (pid ${owner.process.pid} on host ${owner.process.host}, started ` +
        `${owner.process.startedAt.toISOString()}) ended before the run finished; recovering it failed: ` +
        `${stateManifestPath(feed.filePath)} has no state manifest header\n`,
    );
    const json = await runCli(['runs', '--json', '--limit', '1'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      id: runId,
      status: 'running',
      stuck: expect.any(String),
    });
    const run = await findRun(database.db, runId);
    expect([run?.status, run?.ownerPid]).toEqual(['running', owner.process.pid]);
  });

  it('leaves a run whose owner lives, and reports one it cannot check (another host, no owner recorded)', async () => {
    const ctx = context();
    const start = (owner?: RunOwner) =>
      startRun(ctx, {
        recipientIds: ['websak'],
        trigger: 'operator',
        feedType: 'full',
        ...(owner === undefined ? {} : { owner }),
      });
    const mine = await start({ execution: 'in-process', process: currentProcess() });
    const elsewhere = await start({
      execution: 'private-queue',
      process: { ...currentProcess(), host: 'worker-7' },
    });
    const ownerless = await start();

    const report = await recoverRuns(ctx);
    expect(report.closed).toEqual([]);
    expect([...report.unchecked]).toEqual([
      [elsewhere, 'its process runs on host worker-7; a command there can tell whether it still runs'],
      [ownerless, 'its owner was not recorded (a run from before owners were)'],
    ]);
    for (const runId of [mine, elsewhere, ownerless]) {
      expect((await findRun(ctx.db, runId))?.status).toBe('running');
    }
  });

  it('two processes recovering the same run at once: exactly one closes it', async () => {
    const ctx = context();
    const owner: RunOwner = { execution: 'in-process', process: await deadProcess() };
    const runId = await startRun(ctx, {
      recipientIds: ['websak', 'skole-sms'],
      trigger: 'operator',
      feedType: 'full',
      owner,
    });
    const outcomes = await Promise.all(
      [1, 2].map((n) =>
        closeAbandonedRun(ctx, runId, 'gone', { from: owner, here: { ...currentProcess(), pid: n } }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome !== undefined)).toHaveLength(1);
    expect((await findRun(ctx.db, runId))?.status).toBe('failed');
  });

  describe('on the shared queues', () => {
    const connection = { redisUrl: testRedisUrl(), prefix: `recover-${randomUUID()}` };
    let redis: Redis;
    let runQueue: Queue;
    beforeAll(() => {
      redis = new Redis(connection.redisUrl, { maxRetriesPerRequest: null });
      runQueue = new Queue(queueNames.run, { connection: redis, prefix: connection.prefix });
    });
    afterAll(async () => {
      await runQueue.close();
      redis.disconnect();
    });

    it('enqueues again a run the queue lost, leaves one with a live job, closes one whose jobs all ended', async () => {
      const ctx = context();
      const start = () =>
        startRun(ctx, {
          recipientIds: ['websak'],
          trigger: 'schedule',
          feedType: 'full',
          owner: { execution: 'shared-queue', process: currentProcess() },
        });
      const lost = await start();
      const ended = await start();
      await enqueueRun(connection, ended, { wait: false });
      // A worker that completes the snapshot job without adding the rest of the flow (as if it were lost).
      const workerRedis = new Redis(connection.redisUrl, { maxRetriesPerRequest: null });
      const worker = new Worker(queueNames.run, async () => 'done', {
        connection: workerRedis,
        prefix: connection.prefix,
      });
      await new Promise<void>((resolve) => worker.on('completed', () => resolve()));
      await worker.close();
      workerRedis.disconnect();
      const waiting = await start();
      await enqueueRun(connection, waiting, { wait: false });

      const queue = sharedRunQueue(connection);
      try {
        expect(await queue.state({ runId: lost, recipientIds: ['websak'] })).toBe('absent');
        const report = await recoverRuns(ctx, { queue });
        expect(report.resumed).toEqual([lost]);
        expect(report.closed.map((outcome) => [outcome.runId, outcome.status])).toEqual([[ended, 'failed']]);
        expect(report.unchecked.size + report.stuck.size).toBe(0);
      } finally {
        await queue.close();
      }
      expect(await runQueue.getJobState(jobIds.snapshot(lost))).toBe('waiting');
      expect((await findRun(ctx.db, waiting))?.status).toBe('running');
      expect((await findRun(ctx.db, ended))?.error).toBe(
        'its jobs on the shared queue ended without finishing it; not delivered to websak',
      );
      // Without the queues at hand, a shared-queue run is not judged at all.
      const withoutQueue = await recoverRuns(ctx);
      expect(withoutQueue.unchecked.get(lost)).toBe(
        'its jobs are on the shared queues (REDIS_URL), not reachable here',
      );
    });

    it('an unreachable Redis leaves the run unchecked with the reason, and the command goes on', async () => {
      const ctx = context();
      const runId = await startRun(ctx, {
        recipientIds: ['websak'],
        trigger: 'schedule',
        feedType: 'full',
        owner: { execution: 'shared-queue', process: currentProcess() },
      });
      const queue = sharedRunQueue({ redisUrl: 'redis://127.0.0.1:1', prefix: connection.prefix });
      try {
        const report = await recoverRuns(ctx, { queue });
        expect(report.unchecked.get(runId)).toMatch(
          /^its owner could not be checked: PIFU_QUEUE_UNAVAILABLE: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
        );
      } finally {
        await queue.close();
      }
    });
  });

  it('a shared-queue run taken up again drops a transfer whose written feed a later delivery overtook', async () => {
    const ctx = context();
    const owner: RunOwner = { execution: 'shared-queue', process: currentProcess() };
    const old = await startRun(ctx, {
      recipientIds: ['websak'],
      trigger: 'schedule',
      feedType: 'full',
      owner,
    });
    await takeSnapshot(ctx, old);
    await writeRecipientFeed(ctx, runIds(old).feedId('websak'));
    const newer = await startRun(ctx, { recipientIds: ['websak'], trigger: 'operator', feedType: 'full' });
    await takeSnapshot(ctx, newer);
    await writeRecipientFeed(ctx, runIds(newer).feedId('websak'));
    await deliverTransfer(ctx, runIds(newer).transferId('websak'));

    const resumed: string[] = [];
    await recoverRuns(ctx, {
      queue: { state: async () => 'absent', resume: async (runId) => void resumed.push(runId) },
    });
    expect(resumed).toEqual([old]);
    const transfer = await findTransfer(ctx.db, runIds(old).transferId('websak'));
    expect([transfer?.status, transfer?.error]).toEqual([
      'failed',
      `overtaken: websak received ${runIds(newer).transferId('websak')} after this feed was written`,
    ]);
    expect(existsSync(join(dropOf('websak'), runIds(old).feedFileName('websak', 'full')))).toBe(false);
  });
});
