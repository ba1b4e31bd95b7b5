import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { migrateRecordsStore } from '../../../connectors/sources/records-db/index.js';
import { createTransport } from '../../../connectors/transports/registry.js';
import { retryTransfer } from '../../../src/operations/index.js';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import { migrateHub } from '../../../src/db/index.js';
import { writeRecipientFeed } from '../../../src/feed/index.js';
import type { TransportFactory } from '../../../src/ports/index.js';
import { findRun, runIds, startRun, takeSnapshot, type HubContext } from '../../../src/run/index.js';
import { decideHold, deliverTransfer, findTransfer, listHolds } from '../../../src/transfer/index.js';
import { hubContext, operationContext, recipient, seed, testActor } from '../../helpers/hub-fixture.js';
import { commitRecordsChange } from '../../helpers/records-change.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { waitForRun } from '../faults/support/run-checks.js';

/** Any change holds a delta: what makes the old hold. */
const strictSafety = { feed: { safety: { maxDeletePercent: 0, maxChangePercent: 0 } } };
const approval = { decision: 'approve', by: 'test:alice', reason: 'checked the changes' } as const;

interface Written {
  readonly runId: string;
  readonly transferId: string;
}

/** Everything the hub holds about one recipient's deliveries, to compare before and after a refusal. */
async function deliveredRecord(db: Kysely<unknown>, recipientId: string) {
  const rows = async (query: ReturnType<typeof sql>) => (await query.execute(db)).rows;
  return {
    state: await rows(sql`select transfer_id, objects from hub.recipient_state
      where recipient_id = ${recipientId}`),
    objects: await rows(sql`select object_type, object_key, hash, transfer_id from hub.delivered_object
      where recipient_id = ${recipientId} order by object_type, object_key`),
    transfers: await rows(sql`select id, status from hub.transfer
      where recipient_id = ${recipientId} and status = 'delivered' order by id`),
    disclosures: await rows(sql`select transfer_id, count(*)::int as n from hub.disclosure
      where recipient_id = ${recipientId} group by transfer_id order by transfer_id`),
  };
}

async function disclosuresOf(db: Kysely<unknown>, transferId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from hub.disclosure where transfer_id = ${transferId}`.execute(db);
  return rows[0]?.n ?? 0;
}

async function objectsFrom(db: Kysely<unknown>, transferId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from hub.delivered_object where transfer_id = ${transferId}`.execute(db);
  return rows[0]?.n ?? 0;
}

/** The feed files a recipient's file drop holds for a run. */
function droppedFor(ctx: HubContext & { dropDir: string }, runId: string): string[] {
  const name = runIds(runId).feedFileName('lms', 'delta');
  return readdirSync(ctx.dropDir).filter((file) => file.startsWith(name));
}

/** A run whose feed is written and whose transfer waits for its delivery (in flight). */
async function writeOnly(ctx: HubContext, feedType: 'full' | 'delta', recipientId = 'lms'): Promise<Written> {
  const runId = await startRun(ctx, { recipientIds: [recipientId], trigger: 'operator', feedType });
  await takeSnapshot(ctx, runId);
  await writeRecipientFeed(ctx, runIds(runId).feedId(recipientId));
  return { runId, transferId: runIds(runId).transferId(recipientId) };
}

async function runAll(ctx: HubContext, feedType: 'full' | 'delta'): Promise<Written> {
  const runId = await startRun(ctx, { recipientIds: ['lms'], trigger: 'operator', feedType });
  await runInProcess(ctx, runId);
  return { runId, transferId: runIds(runId).transferId('lms') };
}

/**
 * Renames a pupil through ordinary SQL and dates the change one second after the latest earlier one
 * (as delta-scenarios does), so the next snapshot is newer.
 */
async function renamePupil(db: Kysely<unknown>, index: number): Promise<void> {
  await commitRecordsChange(db, async (trx) => {
    await sql`update records.person set given_name = ${`Omdøpt${index}`} where id = (
        select p.id from records.person p
        join records.pupil_enrolment e on e.person_id = p.id and e.ends is null
        where p.status = 'active' and p.address_protection = 'none'
        order by p.id offset ${index} limit 1)`.execute(trx);
  });
}

/**
 * The scenario of the race: the recipient got a full; a delta over its safety threshold was held (the
 * old hold); then, under a wider threshold, a newer delta was written against the same delivered state
 * and is on its way. Both are computed against the full.
 */
async function oldHoldAndNewerDelta(db: Kysely<unknown>, options: { transportFor?: TransportFactory } = {}) {
  const strict = hubContext(db, {
    recipients: (dir) => [recipient('lms', 'lms', dir, strictSafety)],
    ...options,
  });
  const ctx = { ...strict, recipients: new Map([['lms', recipient('lms', 'lms', strict.dropDir)]]) };
  const full = await runAll(ctx, 'full');
  await renamePupil(db, 0);
  const held = await runAll(strict, 'delta');
  expect((await findTransfer(ctx.db, held.transferId))?.status).toBe('held');
  await renamePupil(db, 1);
  const newer = await writeOnly(ctx, 'delta');
  expect((await findTransfer(ctx.db, newer.transferId))?.status).toBe('pending');
  const { rows } = await sql<{ id: string; base: string | null }>`
    select id, based_on_transfer_id as base from hub.feed where id in (
      ${runIds(held.runId).feedId('lms')}, ${runIds(newer.runId).feedId('lms')}) order by created_at`.execute(
    db,
  );
  expect(rows.map((row) => row.base)).toEqual([full.transferId, full.transferId]);
  return { ctx, full, held, newer };
}

/**
 * A file drop that, once armed, lets the second of two deliveries through only when both have reached
 * it: both have passed the check before the transport, so only the acknowledgement can refuse one.
 */
function meetingTransport(): { transportFor: TransportFactory; arm: () => void } {
  let armed = false;
  let arrived = 0;
  let bothArrived: () => void = () => undefined;
  const barrier = new Promise<void>((resolve) => (bothArrived = resolve));
  return {
    arm: () => (armed = true),
    transportFor: (config, recipientId) => {
      const transport = createTransport(config, recipientId);
      return {
        kind: transport.kind,
        deliver: async (feed, options) => {
          const receipt = await transport.deliver(feed, options);
          if (!armed) return receipt;
          arrived += 1;
          if (arrived === 2) bothArrived();
          await barrier;
          return receipt;
        },
      };
    },
  };
}

const staleMessage = (transferId: string, basedOn: string, current: string): RegExp =>
  new RegExp(
    `^PIFU_TRANSFER_STALE: transfer ${transferId} for lms was computed against delivered state ${basedOn}, ` +
      `but lms's delivered state is now ${current}; .*; run a new delta: pifu-hub export --recipient lms --delta$`,
  );

describe('a feed is delivered only on top of the delivered state it was computed against', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
  }, 180_000);
  afterEach(async () => {
    database.pool.on('error', () => undefined); // see cli/operator-runs.test.ts
    await database.destroy();
  });

  it('refuses to approve an old hold once a newer delta was delivered: hold superseded, nothing else changes', async () => {
    const { ctx, full, held, newer } = await oldHoldAndNewerDelta(database.db);
    await runInProcess(ctx, newer.runId);
    expect((await findTransfer(ctx.db, newer.transferId))?.status).toBe('delivered');
    const before = await deliveredRecord(database.db, 'lms');

    const refused = decideHold(ctx, held.transferId, approval);
    await expect(refused).rejects.toMatchObject({
      code: 'PIFU_TRANSFER_STALE',
      message: expect.stringMatching(staleMessage(held.transferId, full.transferId, newer.transferId)),
    });
    expect(await deliveredRecord(database.db, 'lms')).toEqual(before);
    expect(droppedFor(ctx, held.runId)).toEqual([]);
    const transfer = await findTransfer(ctx.db, held.transferId);
    expect([transfer?.status, transfer?.attempts, transfer?.error]).toEqual([
      'failed',
      0,
      expect.stringMatching(/^PIFU_TRANSFER_STALE: /),
    ]);
    const [hold] = (await listHolds(ctx.db, { all: true })).filter((h) => h.transferId === held.transferId);
    expect([hold?.decision, hold?.decidedBy, hold?.decisionReason]).toEqual([
      'superseded',
      'pifu-hub',
      `lms's delivered state moved from ${full.transferId} to ${newer.transferId} since this delta was computed`,
    ]);
    // The held run counted its transfer as held; now it says the feed never reached lms.
    expect(await findRun(ctx.db, held.runId)).toMatchObject({
      status: 'failed',
      error: 'not delivered to lms',
    });

    // Neither a second approval nor a retry can deliver it now.
    await expect(decideHold(ctx, held.transferId, approval)).rejects.toMatchObject({
      code: 'PIFU_HOLD_DECIDED',
    });
    await expect(
      retryTransfer(operationContext(ctx), testActor(), { transfer: held.transferId }),
    ).rejects.toThrow(/delivering it now would send out-of-date data/);
    expect(await deliveredRecord(database.db, 'lms')).toEqual(before);
  }, 180_000);

  it('refuses the newer delta in the queue once the old hold was approved, before its transport is called', async () => {
    const { ctx, full, held, newer } = await oldHoldAndNewerDelta(database.db);
    const approved = await decideHold(ctx, held.transferId, approval);
    expect([approved.hold.decision, approved.delivery?.alreadyDelivered]).toEqual(['approved', false]);
    const before = await deliveredRecord(database.db, 'lms');
    expect(before.state).toMatchObject([{ transfer_id: held.transferId }]);

    const connection = { redisUrl: testRedisUrl(), prefix: `stale-${randomUUID()}` };
    const workers = startWorkers(ctx, connection);
    try {
      await enqueueRun(connection, newer.runId, { wait: false });
      expect(await waitForRun(ctx.db, newer.runId, 20_000)).toMatchObject({
        status: 'failed',
        error: 'not delivered to lms',
      });
    } finally {
      await workers.close();
    }
    const transfer = await findTransfer(ctx.db, newer.transferId);
    expect([transfer?.status, transfer?.attempts]).toEqual(['failed', 0]);
    expect(transfer?.error).toMatch(staleMessage(newer.transferId, full.transferId, held.transferId));
    expect(transfer?.error).toContain('it was not delivered');
    expect(droppedFor(ctx, newer.runId)).toEqual([]);
    expect(await deliveredRecord(database.db, 'lms')).toEqual(before);
    await expect(
      retryTransfer(operationContext(ctx), testActor(), { transfer: newer.transferId }),
    ).rejects.toThrow(/delivering it now would send out-of-date data/);
    expect(await deliveredRecord(database.db, 'lms')).toEqual(before);
  }, 180_000);

  it('delivers exactly one when the old hold is approved while a worker delivers the newer delta', async () => {
    const { ctx, full, held, newer } = await oldHoldAndNewerDelta(database.db);
    const connection = { redisUrl: testRedisUrl(), prefix: `race-${randomUUID()}` };
    const workers = startWorkers(ctx, connection);
    let outcomes: PromiseSettledResult<unknown>[];
    try {
      outcomes = await Promise.allSettled([
        decideHold(ctx, held.transferId, approval),
        enqueueRun(connection, newer.runId, { wait: false }).then(() =>
          waitForRun(ctx.db, newer.runId, 30_000),
        ),
      ]);
    } finally {
      await workers.close();
    }
    const statuses = [
      (await findTransfer(ctx.db, held.transferId))?.status,
      (await findTransfer(ctx.db, newer.transferId))?.status,
    ];
    expect([...statuses].sort()).toEqual(['delivered', 'failed']);
    const [winner, loser] = statuses[0] === 'delivered' ? [held, newer] : [newer, held];
    expect((await findTransfer(ctx.db, loser.transferId))?.error).toMatch(
      staleMessage(loser.transferId, full.transferId, winner.transferId),
    );
    if (loser === held) {
      expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { code: 'PIFU_TRANSFER_STALE' } });
    } else {
      expect(outcomes[0]).toMatchObject({ status: 'fulfilled' });
    }
    const record = await deliveredRecord(database.db, 'lms');
    expect(record.state).toMatchObject([{ transfer_id: winner.transferId }]);
    expect(record.transfers.map((row) => (row as { id: string }).id).sort()).toEqual(
      [full.transferId, winner.transferId].sort(),
    );
    expect(await disclosuresOf(database.db, winner.transferId)).toBeGreaterThan(0);
    expect(await disclosuresOf(database.db, loser.transferId)).toBe(0);
    expect(await objectsFrom(database.db, winner.transferId)).toBeGreaterThan(0);
    expect(await objectsFrom(database.db, loser.transferId)).toBe(0);
    expect(droppedFor(ctx, loser.runId)).toEqual([]);
  }, 180_000);

  it('acknowledges only one of two deltas computed against one state, even when both reached the transport', async () => {
    // Both deliveries run without the recipient lock (as no caller in the hub does) and meet after the
    // transport, so the acknowledgement transaction alone must refuse the second.
    const meeting = meetingTransport();
    const ctx = hubContext(database.db, {
      recipients: (dir) => [recipient('lms', 'lms', dir)],
      transportFor: meeting.transportFor,
    });
    const full = await runAll(ctx, 'full');
    await renamePupil(database.db, 0);
    const first = await writeOnly(ctx, 'delta');
    await renamePupil(database.db, 1);
    const second = await writeOnly(ctx, 'delta');
    meeting.arm();
    const outcomes = await Promise.allSettled([
      deliverTransfer(ctx, first.transferId),
      deliverTransfer(ctx, second.transferId),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const [winner, loser] = outcomes[0]?.status === 'fulfilled' ? [first, second] : [second, first];
    const refusal = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refusal.reason).toMatchObject({
      code: 'PIFU_TRANSFER_STALE',
      message: expect.stringMatching(staleMessage(loser.transferId, full.transferId, winner.transferId)),
    });
    expect((refusal.reason as Error).message).toContain('the transport had it, but it is not acknowledged');
    const record = await deliveredRecord(database.db, 'lms');
    expect(record.state).toMatchObject([{ transfer_id: winner.transferId }]);
    expect(await findTransfer(ctx.db, loser.transferId)).toMatchObject({
      status: 'failed',
      deliveredAt: null,
    });
    expect(await disclosuresOf(database.db, loser.transferId)).toBe(0);
    expect(await objectsFrom(database.db, loser.transferId)).toBe(0);
    expect(await disclosuresOf(database.db, winner.transferId)).toBeGreaterThan(0);
  }, 180_000);

  it('acknowledges only one of two first fulls, though the recipient had no delivered state to lock', async () => {
    const meeting = meetingTransport();
    const ctx = hubContext(database.db, {
      recipients: (dir) => [recipient('lms', 'lms', dir)],
      transportFor: meeting.transportFor,
    });
    const first = await writeOnly(ctx, 'full');
    const second = await writeOnly(ctx, 'full');
    meeting.arm();
    const outcomes = await Promise.allSettled([
      deliverTransfer(ctx, first.transferId),
      deliverTransfer(ctx, second.transferId),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const [winner, loser] = outcomes[0]?.status === 'fulfilled' ? [first, second] : [second, first];
    const refusal = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect((refusal.reason as Error).message).toMatch(
      new RegExp(
        `^PIFU_TRANSFER_STALE: transfer ${loser.transferId} for lms was computed against an empty delivered state, ` +
          `but lms's delivered state is now ${winner.transferId}; `,
      ),
    );
    const record = await deliveredRecord(database.db, 'lms');
    expect(record.state).toEqual([{ transfer_id: winner.transferId, objects: record.objects.length }]);
    expect(await disclosuresOf(database.db, loser.transferId)).toBe(0);
    expect(await findTransfer(ctx.db, loser.transferId)).toMatchObject({ status: 'failed' });
  }, 180_000);
});

describe('on the embedded database (PGlite, one process, in-process recipient lock)', () => {
  it('delivers exactly one when the old hold is approved during an in-process delivery of the newer delta', async () => {
    const pglite = new PGlite();
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
    try {
      await migrateRecordsStore(db);
      await migrateHub(db);
      await seed({ kind: 'pglite', pglite }, 'tiny');
      const { ctx, full, held, newer } = await oldHoldAndNewerDelta(db);
      const outcomes = await Promise.allSettled([
        runInProcess(ctx, newer.runId),
        decideHold(ctx, held.transferId, approval),
      ]);
      const statuses = [
        (await findTransfer(ctx.db, held.transferId))?.status,
        (await findTransfer(ctx.db, newer.transferId))?.status,
      ];
      expect([...statuses].sort()).toEqual(['delivered', 'failed']);
      const [winner, loser] = statuses[0] === 'delivered' ? [held, newer] : [newer, held];
      expect((await findTransfer(ctx.db, loser.transferId))?.error).toMatch(
        staleMessage(loser.transferId, full.transferId, winner.transferId),
      );
      expect(outcomes[1]?.status).toBe(loser === held ? 'rejected' : 'fulfilled');
      const record = await deliveredRecord(db, 'lms');
      expect(record.state).toMatchObject([{ transfer_id: winner.transferId }]);
      expect(await disclosuresOf(db, loser.transferId)).toBe(0);
      expect(await objectsFrom(db, loser.transferId)).toBe(0);
      expect(droppedFor(ctx, loser.runId)).toEqual([]);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
