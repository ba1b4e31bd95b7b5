import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  checkRetention,
  listDisclosures,
  runRetention,
  startExport,
  type OperationContext,
} from '../../../src/operations/index.js';
import { createScheduler } from '../../../jobs/scheduler.js';
import { runDailyRetention } from '../../../src/retention/index.js';
import { testRedisUrl } from '../../setup/services.js';
import { hubContext, operationContext, recipient } from '../../helpers/hub-fixture.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  activePupils,
  actors,
  expectDenied,
  seededDatabase,
  succeeds,
} from '../operations/operations-fixture.js';

const DAY = 86_400_000;

/** Every file under `dir`, relative. */
function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

describe('retention of what the hub holds (R3)', () => {
  let database: TestDatabase;
  let ops: OperationContext & { dropDir: string };
  const clock = { now: new Date('2026-01-12T02:00:00Z') };
  const t0 = clock.now.getTime();
  let runId: string;
  let failedRunId: string;
  let pupil: string;
  const at = (ms: number) => (clock.now = new Date(t0 + ms));
  const runFiles = (id: string) => filesUnder(join(ops.spoolDir, 'runs', id));

  beforeAll(async () => {
    database = await seededDatabase();
    const ctx = hubContext(database.db, {
      recipients: (dir) => {
        // A file where the drop directory should be: every delivery to "broken" fails.
        writeFileSync(join(dir, 'not-a-directory'), '');
        return [
          recipient('lms', 'lms', join(dir, 'lms')),
          recipient('broken', 'staff', join(dir, 'not-a-directory', 'broken')),
        ];
      },
    });
    ops = { ...operationContext({ ...ctx, now: () => clock.now }), dropDir: ctx.dropDir };
    const report = await startExport(ops, actors.operator, { recipients: ['lms'] });
    runId = report.runId;
    at(DAY / 24);
    failedRunId = (await startExport(ops, actors.operator, { recipients: ['broken'] })).runId;
    [pupil = ''] = await activePupils(database.db, 1);
  });
  afterAll(async () => database.destroy());

  const sweep = () => succeeds(database.db, () => runRetention(ops, actors.privacyAdmin));

  // The roster snapshot stays too: lms's delivered state is its view, the base of lms's next delta.
  const deliveredRun = [
    'feeds/lms.xml',
    'feeds/lms.xml.disclosed.copy',
    'feeds/lms.xml.members.copy',
    'feeds/lms.xml.state.copy',
    'roster/groups.frames',
    'roster/manifest.json',
    'roster/memberships.frames',
    'roster/persons.frames',
  ];

  const failedRun = [
    'feeds/broken.xml',
    'feeds/broken.xml.disclosed.copy',
    'feeds/broken.xml.members.copy',
    'feeds/broken.xml.state.copy',
    'roster/changed-persons.keys',
    'roster/groups.frames',
    'roster/manifest.json',
    'roster/memberships.frames',
    'roster/persons.frames',
  ];

  it('keeps a delivered run whole through the grace period', async () => {
    expect(runFiles(runId).sort()).toEqual(deliveredRun);
    at(2 * DAY - 60_000);
    const { result, rows } = await sweep();
    expect(result).toMatchObject({ dryRun: false, summary: { runs: 0, feedFiles: 0, reducedRows: 0 } });
    expect(runFiles(runId).sort()).toEqual(deliveredRun);
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'retention',
        outcome: 'done',
        actor: actors.privacyAdmin.name,
        detail: expect.stringContaining('0 run snapshots and manifests removed'),
      }),
    ]);
  });

  it('removes the manifests after the grace, keeps the delivered feed file for the feed period', async () => {
    at(2 * DAY + 60_000);
    const dry = await runRetention(ops, actors.privacyAdmin, { dryRun: true });
    expect(dry.dryRun && dry.due.runs.map((run) => run.runId)).toEqual([runId]);
    expect(runFiles(runId).sort()).toEqual(deliveredRun);
    const { result } = await sweep();
    expect(result).toMatchObject({ summary: { runs: 1, feedFiles: 0 } });
    expect(runFiles(runId)).toEqual(['feeds/lms.xml']);
    // The failed transfer may still be retried: its run keeps everything, its roster snapshot too (the
    // latest, so the next run's snapshot starts from it; read from lms's, as nothing changed since).
    expect(runFiles(failedRunId).sort()).toEqual(failedRun);
  });

  it('deletes the delivered feed file after the feed period, and the run directory with it', async () => {
    at(7 * DAY + 60_000);
    const { result } = await sweep();
    expect(result).toMatchObject({ summary: { feedFiles: 1 } });
    expect(existsSync(join(ops.spoolDir, 'runs', runId))).toBe(false);
    const { rows } = await sql<{ removed: Date | null }>`SELECT f.file_removed_at AS removed FROM hub.feed f
      WHERE f.run_id = ${runId}`.execute(database.db);
    expect(rows[0]?.removed).toEqual(clock.now);
  });

  it('lets a failed transfer die after the retry window, then clears its run after the grace', async () => {
    // Failed one hour after t0: retryable until t0 + 1 h + 7 days, then dead; grace 2 days after that.
    at(DAY / 24 + 9 * DAY - 60_000);
    await sweep();
    expect(runFiles(failedRunId).sort()).toEqual(failedRun);
    at(DAY / 24 + 9 * DAY + 60_000);
    const { result } = await sweep();
    expect(result).toMatchObject({ summary: { runs: 1, feedFiles: 1 } });
    expect(existsSync(join(ops.spoolDir, 'runs', failedRunId))).toBe(false);
  });

  it('retention-check reports what the hub keeps past its policy until a sweep removes it', async () => {
    const again = await startExport(ops, actors.operator, { recipients: ['lms'], feedType: 'full' });
    expect(again.feeds[0]?.status).toBe('delivered');
    at(DAY / 24 + 9 * DAY + 9 * DAY);
    const check = await checkRetention(ops, actors.privacyAdmin, {});
    expect(check.hub).toMatchObject({ runs: 1, feedFiles: 1, disclosureTransfers: 0 });
    await sweep();
    expect((await checkRetention(ops, actors.privacyAdmin, {})).hub).toMatchObject({ runs: 0, feedFiles: 0 });
  });

  it('reduces disclosures older than the period to counts per transfer', async () => {
    const before = await listDisclosures(ops, actors.privacyAdmin, { person: pupil });
    expect(before.disclosures.length).toBe(2);
    // Newest first: the first full opened a span per person; the later one re-confirmed them unchanged.
    const [newer, older] = before.disclosures.map((answer) => answer.transferId);
    const { rows: counted } = await sql<{ n: number }>`SELECT count(*)::int AS n
      FROM (${carriedByTransfer(older!)}) carried`.execute(database.db);
    // Five years after the first delivery: its rows go; the later full's stay a while longer.
    clock.now = new Date('2031-01-12T02:00:01Z');
    const { result } = await sweep();
    expect(result).toMatchObject({ summary: { reducedTransfers: 1, reducedRows: counted[0]?.n } });
    const after = await listDisclosures(ops, actors.privacyAdmin, { person: pupil });
    expect(after.disclosures.map((answer) => answer.transferId)).toEqual([newer]);
    const { rows } = await sql<{
      persons: number;
      categories: Record<string, number>;
    }>`SELECT persons, categories
      FROM hub.disclosure_summary WHERE transfer_id = ${older}`.execute(database.db);
    expect(rows[0]?.persons).toBe(counted[0]?.n);
    expect(rows[0]?.categories['name']).toBeGreaterThan(0);
    expect(Object.values(rows[0]!.categories).every((n) => n <= counted[0]!.n)).toBe(true);
  });

  it('counts the persons a full re-confirmed unchanged when it reduces that full', async () => {
    const { rows: reconfirmed } = await sql<{ transfer_id: string; persons: number }>`SELECT transfer_id,
      persons FROM hub.disclosure_reconfirmation ORDER BY seq`.execute(database.db);
    const later = reconfirmed.find((row) => row.persons > 0)!;
    // Those it carried unchanged (its reconfirmation's count) and those it opened spans for.
    const { rows: own } = await sql<{ n: number }>`SELECT count(*)::int AS n
      FROM hub.disclosure_span WHERE opened_by = ${later.transfer_id}`.execute(database.db);
    clock.now = new Date('2031-01-25T02:00:01Z');
    await sweep();
    const { rows } = await sql<{ persons: number; categories: Record<string, number> }>`SELECT persons,
      categories FROM hub.disclosure_summary WHERE transfer_id = ${later.transfer_id}`.execute(database.db);
    expect(rows[0]?.persons).toBe(later.persons + own[0]!.n);
    expect(rows[0]?.categories['name']).toBe(later.persons + own[0]!.n);
    expect((await listDisclosures(ops, actors.privacyAdmin, { person: pupil })).disclosures).toEqual([]);
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.disclosure_reconfirmation
      WHERE transfer_id = ${later.transfer_id}`.execute(database.db);
    expect(left.rows[0]?.n).toBe(0);
  });

  it('the daily sweep runs once a day however many schedulers try, as the scheduler', async () => {
    clock.now = new Date('2031-02-01T03:00:00Z'); // 04:00 in Oslo: before the slot
    expect(await runDailyRetention(ops, clock.now)).toBeUndefined();
    clock.now = new Date('2031-02-01T03:50:00Z'); // 04:50 in Oslo
    const results = await Promise.all([runDailyRetention(ops, clock.now), runDailyRetention(ops, clock.now)]);
    expect(results.filter((summary) => summary !== undefined)).toHaveLength(1);
    const { rows } = await sql<{ id: string; finished_at: Date | null }>`SELECT id, finished_at
      FROM hub.retention_sweep`.execute(database.db);
    expect(rows).toEqual([{ id: 'retention-2031-02-01', finished_at: clock.now }]);
    const audit = await sql<{ actor: string; subject: string }>`SELECT actor, subject FROM hub.audit
      WHERE action = 'retention' AND actor = 'scheduler'`.execute(database.db);
    expect(audit.rows).toEqual([{ actor: 'scheduler', subject: 'retention-2031-02-01' }]);
  });

  it("two schedulers' ticks sweep once for the day, after 04:45 in Oslo", async () => {
    const connection = { redisUrl: testRedisUrl(), prefix: 'retention-test' };
    const since = new Date('2031-03-01T02:00:00Z');
    const schedulers = [1, 2].map(() => createScheduler(ops, connection, { since, now: () => clock.now }));
    clock.now = new Date('2031-03-01T03:40:00Z'); // 04:40 in Oslo
    await Promise.all(schedulers.map((scheduler) => scheduler.tick(clock.now)));
    clock.now = new Date('2031-03-01T03:46:00Z'); // 04:46
    await Promise.all(schedulers.map((scheduler) => scheduler.tick(clock.now)));
    clock.now = new Date('2031-03-01T10:00:00Z');
    await Promise.all(schedulers.map((scheduler) => scheduler.tick(clock.now)));
    const { rows } = await sql<{ subject: string }>`SELECT subject FROM hub.audit
      WHERE action = 'retention' AND actor = 'scheduler' AND subject LIKE 'retention-2031-03%'`.execute(
      database.db,
    );
    expect(rows).toEqual([{ subject: 'retention-2031-03-01' }]);
  });

  it('is refused without the privacy-admin role', async () => {
    await expectDenied(database.db, () => runRetention(ops, actors.operator), {
      actor: actors.operator,
      action: 'retention',
      role: 'privacy-admin',
    });
  });
});
