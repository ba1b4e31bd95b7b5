import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import { readFeed, validateFeedFile } from '../../../src/pifu/index.js';
import { findRun, startRun } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import { testRedisUrl } from '../../setup/services.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';

describe('a run through the BullMQ queues on real PostgreSQL and Redis', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
  });
  afterAll(async () => database.destroy());

  it('writes, delivers and acknowledges one valid feed per recipient, with a disclosure per person sent', async () => {
    const ctx = hubContext(database.db, {
      recipients: (dir) => [
        recipient('itslearning', 'lms', join(dir, 'lms')),
        recipient('websak', 'archive', join(dir, 'arc')),
      ],
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const workers = startWorkers(ctx, connection, { concurrency: 2 });
    try {
      const runId = await startRun(ctx, {
        recipientIds: ['itslearning', 'websak'],
        trigger: 'operator',
        feedType: 'full',
      });
      await enqueueRun(connection, runId, { wait: true });

      expect((await findRun(ctx.db, runId))?.status).toBe('completed');
      const transfers = await listRunTransfers(ctx.db, runId);
      expect(transfers.map((t) => [t.recipientId, t.status, t.attempts])).toEqual([
        ['itslearning', 'delivered', 1],
        ['websak', 'delivered', 1],
      ]);
      for (const transfer of transfers) {
        const file = transfer.location!;
        expect(readdirSync(join(file, '..')).sort()).toEqual([
          file.split('/').at(-1),
          `${file.split('/').at(-1)}.sha256`,
        ]);
        expect(readFileSync(`${file}.sha256`, 'utf8')).toBe(
          `${transfer.sha256Hex}  ${file.split('/').at(-1)}\n`,
        );
        expect(await validateFeedFile(file)).toEqual({ valid: true, errors: [] });

        const document = await readFeed(readFileSync(file, 'utf8'));
        const sent: string[] = [];
        for await (const entry of document.persons()) sent.push(entry.object.key);
        const { rows } = await sql<{ person_key: string; categories: string[] }>`
          SELECT person_key, categories FROM (${carriedByTransfer(transfer.id)}) c ORDER BY person_key`.execute(
          database.db,
        );
        expect(rows.map((row) => row.person_key)).toEqual([...sent].sort());
        expect(rows.every((row) => row.categories.includes('name'))).toBe(true);
        expect(rows.some((row) => row.categories.includes('memberships'))).toBe(true);
      }
    } finally {
      await workers.close();
    }
  });

  it('treats enqueueing the same run twice as one run: nothing is delivered twice', async () => {
    const ctx = hubContext(database.db, { recipients: (dir) => [recipient('skole-sms', 'sms', dir)] });
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const workers = startWorkers(ctx, connection);
    try {
      const runId = await startRun(ctx, {
        recipientIds: ['skole-sms'],
        trigger: 'operator',
        feedType: 'full',
      });
      await Promise.all([
        enqueueRun(connection, runId, { wait: true }),
        enqueueRun(connection, runId, { wait: true }),
      ]);
      const transfers = await listRunTransfers(ctx.db, runId);
      expect(transfers.map((t) => [t.status, t.attempts])).toEqual([['delivered', 1]]);
      expect(readdirSync(ctx.dropDir).filter((name) => name.endsWith('.xml'))).toHaveLength(1);
    } finally {
      await workers.close();
    }
  });
});
