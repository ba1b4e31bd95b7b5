import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { startWorkers, enqueueRun } from '../../../jobs/workers.js';
import { queueNames } from '../../../src/queue/index.js';
import { startRun } from '../../../src/run/index.js';
import { findTransfer, listRunTransfers } from '../../../src/transfer/index.js';
import { captureLogger, hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';
import { testRedisUrl } from '../../setup/services.js';
import { waitForRun } from './support/run-checks.js';

describe('a recipient that stays down', () => {
  const database = seededDatabase('tiny');

  it('ends after its own attempts: transfer failed, job in the failed set, one error line, nothing marked delivered', async () => {
    const { logger, lines } = captureLogger('info');
    const ctx = hubContext(database.db, {
      logger,
      recipients: (dir) => {
        // A file drop whose directory can never exist: its parent is a regular file.
        writeFileSync(join(dir, 'not-a-directory'), '');
        return [
          recipient('itslearning', 'lms', join(dir, 'not-a-directory', 'lms'), {
            delivery: { attempts: 2, backoffSeconds: 0.1 },
          }),
          recipient('websak', 'archive', join(dir, 'archive')),
        ];
      },
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `down-${randomUUID()}` };
    const workers = startWorkers(ctx, connection, { concurrency: 2 });
    const redis = new Redis(connection.redisUrl, { maxRetriesPerRequest: null });
    const deliverQueue = new Queue(queueNames.deliver, { connection: redis, prefix: connection.prefix });
    try {
      const runId = await startRun(ctx, {
        recipientIds: ['itslearning', 'websak'],
        trigger: 'operator',
        feedType: 'full',
      });
      const started = Date.now();
      await enqueueRun(connection, runId, { wait: true });
      const run = await waitForRun(ctx.db, runId, 10_000);
      expect(run.status).toBe('failed');
      expect(run.error).toBe('not delivered to itslearning');
      // Two attempts 0.1 s (with jitter, at most) apart: no five-attempt default, no long backoff.
      expect(Date.now() - started).toBeLessThan(10_000);

      const [down, up] = await listRunTransfers(ctx.db, runId);
      expect([down?.recipientId, down?.status, down?.attempts]).toEqual(['itslearning', 'failed', 2]);
      expect(down?.error).toMatch(
        /^PIFU_TRANSPORT_FAILED: file drop for itslearning: cannot write .*not-a-directory/,
      );
      expect([up?.recipientId, up?.status]).toEqual(['websak', 'delivered']);

      // The dead letter: BullMQ keeps the job in its failed set, with the reason and both attempts.
      const job = await deliverQueue.getJob(down!.id);
      expect(await job?.getState()).toBe('failed');
      expect(job?.attemptsMade).toBe(2);
      expect(job?.failedReason).toBe(down?.error);
      expect(await deliverQueue.getFailedCount()).toBe(1);

      // One error line names the recipient and the reason.
      const errors = lines
        .map((line) => JSON.parse(line) as { level: number; msg: string; recipientId?: string; err?: string })
        .filter((line) => line.level >= 50 && line.recipientId !== undefined);
      expect(errors).toEqual([
        expect.objectContaining({
          msg: 'transfer failed for good',
          recipientId: 'itslearning',
          err: down?.error,
        }),
      ]);

      // Decision 2: nothing about the failed transfer counts as delivered.
      const counts = await sql<{ disclosures: number; objects: number; states: number }>`
        SELECT
          (SELECT count(*)::int FROM hub.disclosure WHERE transfer_id = ${down!.id}) AS disclosures,
          (SELECT count(*)::int FROM hub.delivered_object WHERE recipient_id = 'itslearning') AS objects,
          (SELECT count(*)::int FROM hub.recipient_state WHERE recipient_id = 'itslearning') AS states
      `.execute(database.db);
      expect(counts.rows).toEqual([{ disclosures: 0, objects: 0, states: 0 }]);
      expect((await findTransfer(ctx.db, up!.id))?.deliveredAt).not.toBeNull();
    } finally {
      await deliverQueue.close();
      redis.disconnect();
      await workers.close();
    }
  });
});
