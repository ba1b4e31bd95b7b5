import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { enqueueRun, startWorkers } from '../../../jobs/workers.js';
import type { RecipientConfig } from '../../../src/config/index.js';
import type { HubDatabase } from '../../../src/db/index.js';
import type { RosterProperties } from '../../../src/model/index.js';
import type { SourceConnector } from '../../../src/ports/index.js';
import {
  findRun,
  runSpoolPaths,
  startRun,
  type HubContext,
  type RunRequest,
  type ScopeClock,
} from '../../../src/run/index.js';
import { writeRosterSpool } from '../../../src/spool/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import { commitRecordsChange } from '../../helpers/records-change.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';

/** The source, with a count of the snapshots opened through it (the records store itself is real). */
function counted(source: SourceConnector): { source: SourceConnector; opened: () => number } {
  let opened = 0;
  return {
    opened: () => opened,
    source: {
      ...source,
      openSnapshot: (options) => {
        opened += 1;
        return source.openSnapshot(options);
      },
    },
  };
}

/** Every file under `dir` (recursively): feeds written, spools, deliveries. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

interface RecordedSkip {
  readonly recipientId: string;
  readonly transfer: string;
  readonly transferError: string | null;
  readonly feed: string;
  readonly feedType: string;
  readonly feedError: string | null;
  readonly persons: number | null;
  readonly sizeBytes: number | null;
  readonly filePath: string | null;
}

/** What a run recorded per recipient, ids and times left out, for comparing two runs. */
async function recorded(db: Kysely<HubDatabase>, runId: string): Promise<RecordedSkip[]> {
  const { rows } = await sql<RecordedSkip>`
    select t.recipient_id as "recipientId", t.status as transfer, t.error as "transferError",
      f.status as feed, f.feed_type as "feedType", f.error as "feedError", f.persons,
      f.size_bytes as "sizeBytes", f.file_path as "filePath"
    from hub.transfer t join hub.feed f on f.id = t.feed_id
    where t.run_id = ${runId} order by t.recipient_id`.execute(db);
  return rows;
}

/**
 * A delta run with nothing to send to any recipient reads no snapshot: the records store is asked only
 * for its latest change, and every recipient is recorded skipped as the feed step records it.
 */
describe('a delta run with no change', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase({ seeded: 'mini' });
  }, 180_000);
  afterEach(async () => database.destroy());

  function contextOf(
    recipients: (dir: string) => RecipientConfig[],
    clock: { now: Date; scopeClock?: ScopeClock } = { now: new Date() },
  ): HubContext & { dropDir: string; opened: () => number } {
    const hub = hubContext(database.db, { recipients });
    const { source, opened } = counted(hub.source);
    return {
      ...hub,
      source,
      opened,
      now: () => clock.now,
      ...(clock.scopeClock === undefined ? {} : { scopeClock: clock.scopeClock }),
    };
  }

  const twoRecipients = (dir: string): RecipientConfig[] => [
    recipient('lms', 'lms', join(dir, 'lms')),
    recipient('sms', 'sms', join(dir, 'sms')),
  ];

  async function runOnce(
    ctx: HubContext,
    feedType: 'full' | 'delta',
    extra: Partial<RunRequest> = {},
  ): Promise<string> {
    const runId = await startRun(ctx, {
      recipientIds: [...ctx.recipients.keys()],
      trigger: 'operator',
      feedType,
      ...extra,
    });
    await runInProcess(ctx, runId);
    return runId;
  }

  /** Commits one change to the records store, dated a second after its latest, as deltas see it. */
  async function changeOneRow(): Promise<void> {
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.person set family_name = family_name || 'x'
        where id = (select p.id from records.person p
          join records.pupil_enrolment e on e.person_id = p.id and e.ends is null
          where p.status = 'active' and p.address_protection = 'none' order by p.id limit 1)`.execute(trx);
    });
  }

  it('takes no snapshot, writes no file and records each recipient skipped as the feed step does', async () => {
    const ctx = contextOf(twoRecipients);
    await runOnce(ctx, 'full');
    expect(ctx.opened()).toBe(1);
    const filesBefore = [...filesUnder(ctx.dropDir), ...filesUnder(ctx.spoolDir)].sort();

    const runId = await runOnce(ctx, 'delta');
    expect(ctx.opened()).toBe(1);
    expect(existsSync(runSpoolPaths(ctx.spoolDir, runId).runDir)).toBe(false);
    expect([...filesUnder(ctx.dropDir), ...filesUnder(ctx.spoolDir)].sort()).toEqual(filesBefore);
    expect(await findRun(ctx.db, runId)).toMatchObject({ status: 'completed', error: null, persons: null });
    const quiet = await recorded(ctx.db, runId);
    expect(quiet.map((row) => [row.recipientId, row.transfer, row.feed])).toEqual([
      ['lms', 'skipped', 'empty'],
      ['sms', 'skipped', 'empty'],
    ]);
    expect(quiet[0]?.transferError).toMatch(/^no change in the source, the day or the profile/);

    // The same run through a source that cannot tell (as a PIFU file): a snapshot, the same records.
    const { peekSnapshot: _unused, ...fileLike } = ctx.source;
    const snapshotting = { ...ctx, source: fileLike };
    const compared = await runOnce(snapshotting, 'delta');
    expect(ctx.opened()).toBe(2);
    expect(await recorded(ctx.db, compared)).toEqual(quiet);
  }, 180_000);

  it('the records store tells, without a snapshot, exactly the properties its snapshot would have', async () => {
    const ctx = contextOf(twoRecipients);
    // The marker is the PostgreSQL snapshot of the moment, which other transactions move on; what it
    // saw is what counts, and changedSince tells that.
    const withoutMarker = ({ sourceMarker, ...properties }: RosterProperties) => {
      expect(sourceMarker).toMatch(/^\d+:\d+:/);
      return properties;
    };
    const propertiesOfSnapshot = async () => {
      const snapshot = await ctx.source.openSnapshot();
      await snapshot.close();
      return withoutMarker(snapshot.properties);
    };
    const before = await ctx.source.peekSnapshot!();
    expect(withoutMarker(before)).toEqual(await propertiesOfSnapshot());
    expect(await ctx.source.changedSince!(before.sourceMarker!)).toBe(false);
    await changeOneRow();
    const changed = await ctx.source.peekSnapshot!();
    expect(withoutMarker(changed)).toEqual(await propertiesOfSnapshot());
    expect(changed).toMatchObject({ synthetic: true });
    expect(await ctx.source.changedSince!(before.sourceMarker!)).toBe(true);
    expect(await ctx.source.changedSince!(changed.sourceMarker!)).toBe(false);
    expect(await ctx.source.changedSince!('not a snapshot')).toBe(true);
  }, 180_000);

  it('a change that commits late, dated before the last change a delivery saw, still goes out with the next delta', async () => {
    const ctx = contextOf(twoRecipients);
    await runOnce(ctx, 'full');
    // T1 changes a pupil and stays open; its change-log rows are dated before T2's.
    const t1 = await database.db.startTransaction().execute();
    const { rows } = await sql<{ id: string }>`
      update records.person set family_name = family_name || 'sen'
      where id = (select p.id from records.person p
        join records.pupil_enrolment e on e.person_id = p.id and e.ends is null
        where p.status = 'active' and p.address_protection = 'none' order by p.id offset 1 limit 1)
      returning id::text as id`.execute(t1);
    await sql`update records.change_log set changed_at = (
        select max(changed_at) from records.change_log where txid <> txid_current()) + interval '500 milliseconds'
      where txid = txid_current()`.execute(t1);
    // T2 commits first, a second after the latest change it sees; a delta delivers it.
    await changeOneRow();
    const seenT2 = await runOnce(ctx, 'delta');
    expect((await listRunTransfers(ctx.db, seenT2)).find((t) => t.recipientId === 'lms')?.status).toBe(
      'delivered',
    );
    await t1.commit().execute();
    // The latest change is still T2's, so the snapshot time is as that delivery's: only the source's
    // marker tells that T1 committed since.
    const runId = await runOnce(ctx, 'delta');
    expect(ctx.opened()).toBe(3);
    const lms = (await listRunTransfers(ctx.db, runId)).find((t) => t.recipientId === 'lms');
    expect(lms?.status).toBe('delivered');
    const { rows: names } = await sql<{ family_name: string }>`
      select family_name from records.person where id = ${rows[0]!.id}::uuid`.execute(database.db);
    expect(readFileSync(lms!.location!, 'utf8')).toContain(`<family>${names[0]!.family_name}</family>`);
    // Then quiet again.
    await runOnce(ctx, 'delta');
    expect(ctx.opened()).toBe(3);
  }, 180_000);

  it('after one changed row in the records store, the next delta run snapshots and delivers', async () => {
    const ctx = contextOf(twoRecipients);
    await runOnce(ctx, 'full');
    await changeOneRow();
    const runId = await runOnce(ctx, 'delta');
    expect(ctx.opened()).toBe(2);
    const transfers = await listRunTransfers(ctx.db, runId);
    expect(transfers.find((transfer) => transfer.recipientId === 'lms')).toMatchObject({
      status: 'delivered',
    });
    // Then quiet again.
    await runOnce(ctx, 'delta');
    expect(ctx.opened()).toBe(2);
  }, 180_000);

  it('on the wall clock, a new day snapshots; on a synthetic store’s own clock it does not', async () => {
    const clock = { now: new Date('2026-03-10T10:00:00+01:00'), scopeClock: 'wall' as ScopeClock };
    const ctx = contextOf(twoRecipients, clock);
    await runOnce(ctx, 'full');
    clock.now = new Date('2026-03-10T16:00:00+01:00');
    await runOnce(ctx, 'delta');
    expect(ctx.opened()).toBe(1);
    clock.now = new Date('2026-03-11T00:30:00+01:00');
    await runOnce(ctx, 'delta');
    expect(ctx.opened()).toBe(2);

    // The test store says it is synthetic: `auto` reads its days on the source's clock, which stood still.
    const synthetic = { now: new Date('2026-03-12T10:00:00+01:00'), scopeClock: 'auto' as ScopeClock };
    const auto = contextOf(twoRecipients, synthetic);
    await runOnce(auto, 'full');
    synthetic.now = new Date('2026-03-13T10:00:00+01:00');
    await runOnce(auto, 'delta');
    expect(auto.opened()).toBe(1);
  }, 180_000);

  it('a changed profile snapshots', async () => {
    const ctx = contextOf(twoRecipients);
    await runOnce(ctx, 'full');
    const { rows } = await sql<{ org: string }>`
      select organization_number as org from records.school order by id limit 1`.execute(database.db);
    const narrower = contextOf((dir) => [
      recipient('lms', 'lms', join(dir, 'lms'), { profile: { schools: [rows[0]!.org] } }),
      recipient('sms', 'sms', join(dir, 'sms')),
    ]);
    await runOnce(narrower, 'delta');
    expect(narrower.opened()).toBe(1);
  }, 180_000);

  it('a run whose roster is spooled before it executes (an import) goes on with that roster', async () => {
    const ctx = contextOf(twoRecipients);
    await runOnce(ctx, 'full');
    const runId = await startRun(ctx, {
      recipientIds: ['lms', 'sms'],
      trigger: 'operator',
      feedType: 'delta',
    });
    // As `import` does with the file's roster (here the store's own, for brevity).
    const snapshot = await ctx.source.openSnapshot();
    try {
      await writeRosterSpool(snapshot, runSpoolPaths(ctx.spoolDir, runId).rosterDir);
    } finally {
      await snapshot.close();
    }
    await runInProcess(ctx, runId);
    expect(await findRun(ctx.db, runId)).toMatchObject({ status: 'completed', sourceCheck: 'passed' });
    expect((await findRun(ctx.db, runId))?.persons).toBeGreaterThan(0);
  }, 180_000);

  it('a run with one full recipient snapshots', async () => {
    const ctx = contextOf(twoRecipients);
    await runOnce(ctx, 'full');
    const runId = await runOnce(ctx, 'delta', { feedTypes: { sms: 'full' } });
    expect(ctx.opened()).toBe(2);
    const statuses = (await listRunTransfers(ctx.db, runId)).map((t) => [t.recipientId, t.status]);
    expect(statuses).toEqual([
      ['lms', 'skipped'],
      ['sms', 'delivered'],
    ]);
  }, 180_000);

  it('through the queues too: the snapshot step finishes the run without a snapshot or a flow', async () => {
    const ctx = contextOf(twoRecipients);
    await runOnce(ctx, 'full');
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const workers = startWorkers(ctx, connection);
    try {
      const runId = await startRun(ctx, {
        recipientIds: ['lms', 'sms'],
        trigger: 'operator',
        feedType: 'delta',
      });
      await enqueueRun(connection, runId, { wait: true });
      expect(ctx.opened()).toBe(1);
      expect(await findRun(ctx.db, runId)).toMatchObject({ status: 'completed' });
      expect((await listRunTransfers(ctx.db, runId)).map((t) => t.status)).toEqual(['skipped', 'skipped']);
      expect(existsSync(runSpoolPaths(ctx.spoolDir, runId).runDir)).toBe(false);
    } finally {
      await workers.close();
    }
  }, 180_000);
});
