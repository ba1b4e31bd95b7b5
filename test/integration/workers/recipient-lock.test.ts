import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import { openDatabase, type HubDatabase } from '../../../src/db/index.js';
import { HubError } from '../../../src/errors/index.js';
import { findFeed } from '../../../src/feed/index.js';
import { queueNames } from '../../../src/queue/index.js';
import { runIds, startRun } from '../../../src/run/index.js';
import {
  advisoryRecipientLock,
  findTransfer,
  inProcessRecipientLock,
  recipientLockFor,
  recipientLockKey,
} from '../../../src/transfer/index.js';
import type { Transport } from '../../../src/ports/index.js';
import { createTransport } from '../../../connectors/transports/registry.js';
import { hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';
import { testRedisUrl } from '../../setup/services.js';
import { waitForRun } from '../faults/support/run-checks.js';

describe('the recipient lock: at most one feed per recipient in flight, across processes', () => {
  const database = seededDatabase('tiny');

  /** A second, independent connection pool: what another worker process would have. */
  async function otherProcess() {
    return openDatabase<HubDatabase>({ kind: 'postgres', url: database.url });
  }

  it('excludes a holder on another connection pool, and is free again once released', async () => {
    const other = await otherProcess();
    try {
      const here = advisoryRecipientLock(database.db);
      const there = advisoryRecipientLock(other.db);
      const inside = await here.tryWith('itslearning', async () => {
        const attempt = await there.tryWith('itslearning', async () => 'ran');
        const elsewhere = await there.tryWith('websak', async () => 'ran');
        return { attempt, elsewhere };
      });
      expect(inside).toEqual({
        acquired: true,
        value: { attempt: { acquired: false, reason: 'held' }, elsewhere: { acquired: true, value: 'ran' } },
      });
      expect(await there.tryWith('itslearning', async () => 'ran')).toEqual({ acquired: true, value: 'ran' });
    } finally {
      await other.close();
    }
  });

  it('is released when its holder dies (the session ends), with no unlock', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    holder.on('error', () => undefined);
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [recipientLockKey('skole-sms')]);
    const lock = advisoryRecipientLock(database.db);
    expect(await lock.tryWith('skole-sms', async () => 'ran')).toEqual({ acquired: false, reason: 'held' });
    // What kill -9 does to the holder's connection: the socket goes away without a goodbye.
    (holder as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    let outcome = await lock.tryWith('skole-sms', async () => 'ran');
    for (let tries = 0; !outcome.acquired && tries < 50; tries += 1) {
      await sleep(100);
      outcome = await lock.tryWith('skole-sms', async () => 'ran');
    }
    expect(outcome).toEqual({ acquired: true, value: 'ran' });
  });

  it('answers busy instead of taking every pooled connection', async () => {
    const lock = advisoryRecipientLock(database.db, { maxHeld: 1 });
    const nested = await lock.tryWith('a', () => lock.tryWith('b', async () => 'ran'));
    expect(nested).toEqual({ acquired: true, value: { acquired: false, reason: 'busy' } });
  });

  it('is advisory on PostgreSQL and in-process on PGlite (one process owns its data directory)', async () => {
    expect((await recipientLockFor(database.db)).kind).toBe('advisory');
    const lite = await openDatabase<HubDatabase>({ kind: 'pglite', dataDir: undefined });
    try {
      const lock = await recipientLockFor(lite.db);
      expect(lock.kind).toBe('in-process');
      const again = inProcessRecipientLock(lite.db);
      const nested = await lock.tryWith('itslearning', async () => ({
        same: await again.tryWith('itslearning', async () => 'ran'),
        other: await again.tryWith('websak', async () => 'ran'),
        // The work itself can still use the database's single connection while the lock is held.
        query: (await lite.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute())[0],
      }));
      expect(nested).toEqual({
        acquired: true,
        value: {
          same: { acquired: false, reason: 'held' },
          other: { acquired: true, value: 'ran' },
          query: { one: 1 },
        },
      });
    } finally {
      await lite.close();
    }
  }, 180_000);

  it('makes a job whose recipient is held wait without spending an attempt', async () => {
    const ctx = hubContext(database.db, {
      recipients: (dir) => [
        recipient('itslearning', 'lms', dir, { delivery: { attempts: 1, backoffSeconds: 0.1 } }),
      ],
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `lock-${randomUUID()}` };
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [recipientLockKey('itslearning')]);
    const workers = startWorkers(ctx, connection);
    const redis = new Redis(connection.redisUrl, { maxRetriesPerRequest: null });
    const feeds = new Queue(queueNames.feed, { connection: redis, prefix: connection.prefix });
    try {
      const runId = await startRun(ctx, {
        recipientIds: ['itslearning'],
        trigger: 'operator',
        feedType: 'full',
      });
      const ids = runIds(runId);
      await enqueueRun(connection, runId, { wait: false });
      await sleep(2_500);
      // Held by "another process" for a while: the feed job waited (and asked again), nothing failed.
      const job = await feeds.getJob(ids.feedId('itslearning'));
      expect(await job?.getState()).toMatch(/^(delayed|waiting|active)$/);
      expect(job?.attemptsMade).toBe(0);
      expect((await findFeed(ctx.db, ids.feedId('itslearning')))?.status).toBe('pending');
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [recipientLockKey('itslearning')]);
      expect((await waitForRun(ctx.db, runId, 10_000)).status).toBe('completed');
      const transfer = await findTransfer(ctx.db, ids.transferId('itslearning'));
      expect([transfer?.status, transfer?.attempts]).toEqual(['delivered', 1]);
      // Its one attempt (attempts: 1) ran once the lock was free: the waits spent none of it.
      expect((await feeds.getJob(ids.feedId('itslearning')))?.attemptsMade).toBe(1);
    } finally {
      await feeds.close();
      redis.disconnect();
      await workers.close();
      await holder.end();
    }
  }, 180_000);

  it('writes a newer run feed for a recipient only once the earlier run has delivered to it', async () => {
    // The earlier run's first delivery fails; while it waits out its backoff it holds no lock, and the
    // newer run must still not overtake it (its feed would be written against state about to change).
    const failedOnce = new Set<string>();
    let earlierTransfer = '';
    const flaky = (config: { readonly kind: string }, recipientId: string): Transport => {
      const transport = createTransport(config, recipientId);
      return {
        kind: transport.kind,
        deliver: async (feed, options) => {
          if (feed.transferId === earlierTransfer && !failedOnce.has(feed.transferId)) {
            failedOnce.add(feed.transferId);
            throw new HubError('PIFU_TRANSPORT_FAILED', 'recipient briefly down');
          }
          return transport.deliver(feed, options);
        },
      };
    };
    const ctx = hubContext(database.db, {
      transportFor: flaky,
      recipients: (dir) => [
        recipient('websak', 'archive', join(dir, 'websak'), { delivery: { attempts: 3, backoffSeconds: 1 } }),
      ],
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `order-${randomUUID()}` };
    const workers = startWorkers(ctx, connection, { concurrency: 4 });
    try {
      const first = await startRun(ctx, { recipientIds: ['websak'], trigger: 'operator', feedType: 'full' });
      earlierTransfer = runIds(first).transferId('websak');
      await sleep(5);
      const second = await startRun(ctx, { recipientIds: ['websak'], trigger: 'operator', feedType: 'full' });
      await enqueueRun(connection, first, { wait: false });
      await enqueueRun(connection, second, { wait: false });
      await waitForRun(ctx.db, first, 15_000);
      await waitForRun(ctx.db, second, 15_000);
      const firstTransfer = await findTransfer(ctx.db, earlierTransfer);
      const secondFeed = await findFeed(ctx.db, runIds(second).feedId('websak'));
      const secondTransfer = await findTransfer(ctx.db, runIds(second).transferId('websak'));
      expect([firstTransfer?.status, firstTransfer?.attempts]).toEqual(['delivered', 2]);
      expect(secondTransfer?.status).toBe('delivered');
      expect(new Date(secondFeed!.writtenAt!).getTime()).toBeGreaterThanOrEqual(
        new Date(firstTransfer!.deliveredAt!).getTime(),
      );
    } finally {
      await workers.close();
    }
  }, 180_000);
});
