import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import { HubError } from '../../../src/errors/index.js';
import { findRun, finishRun, startRun } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { captureLogger, hubContext, recipient } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';

describe('a run whose snapshot fails for good', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
  });
  afterAll(async () => database.destroy());

  it('ends failed, saying the snapshot failed, with every transfer failed', async () => {
    const { logger } = captureLogger('silent');
    const hub = hubContext(database.db, {
      logger,
      recipients: (dir) => [recipient('itslearning', 'lms', join(dir, 'lms'))],
    });
    const ctx = {
      ...hub,
      source: {
        ...hub.source,
        openSnapshot: () =>
          Promise.reject(new HubError('PIFU_SOURCE_INVALID', 'records.person: unmappable row')),
      },
    };
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const workers = startWorkers(ctx, connection);
    try {
      const runId = await startRun(ctx, {
        recipientIds: ['itslearning'],
        trigger: 'operator',
        feedType: 'full',
      });
      await expect(enqueueRun(connection, runId, { wait: true })).rejects.toThrow(/unmappable row/);
      expect(await findRun(ctx.db, runId)).toMatchObject({
        status: 'failed',
        error:
          'snapshot failed: PIFU_SOURCE_INVALID: records.person: unmappable row; not delivered to itslearning',
      });
      expect((await listRunTransfers(ctx.db, runId)).map((transfer) => transfer.status)).toEqual(['failed']);
    } finally {
      await workers.close();
    }
  });

  it('of a run its database does not hold (enqueued by a process on another database) reports no outcome', async () => {
    const { logger, lines } = captureLogger('info');
    const ctx = hubContext(database.db, {
      logger,
      recipients: (dir) => [recipient('itslearning', 'lms', join(dir, 'lms'))],
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const workers = startWorkers(ctx, connection);
    const runId = 'run-20260101T000000Z-000000';
    try {
      await expect(enqueueRun(connection, runId, { wait: true })).rejects.toThrow(/PIFU_RUN_UNKNOWN/);
    } finally {
      await workers.close();
    }
    const messages = lines.map(
      (line) => JSON.parse(line) as { msg: string; runId?: string; status?: string },
    );
    expect(messages.filter((line) => line.msg === 'run finished')).toEqual([]);
    expect(messages).toContainEqual(
      expect.objectContaining({
        runId,
        msg: 'snapshot failed for good: the run is not in this hub database (does every process share DATABASE_URL?)',
      }),
    );
    await expect(finishRun(ctx, runId)).rejects.toThrow(
      `PIFU_RUN_UNKNOWN: run ${runId} does not exist in this hub database`,
    );
  });
});
