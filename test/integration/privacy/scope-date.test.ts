import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { readFeed } from '../../../src/pifu/index.js';
import { startExport, type OperationContext } from '../../../src/operations/index.js';
import type { ScopeClock } from '../../../src/run/index.js';
import { hubContext, operationContext, recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { actors, seededDatabase } from '../operations/operations-fixture.js';

/**
 * Ages, end dates and date windows are read on the run's scope date, the Europe/Oslo day the run was
 * made for, so a store that stays quiet for days still sends what the new day changes.
 */
describe('the run-level scope date', () => {
  let database: TestDatabase;
  let pupil: string;
  let guardians: string[];
  const today = '2025-09-10';
  const tomorrow = '2025-09-11';

  beforeAll(async () => {
    database = await seededDatabase();
    // An active pupil (under 18) with guardians holding parental responsibility; from tomorrow on, 18.
    const { rows } = await sql<{ id: string }>`SELECT e.person_id::text AS id
      FROM records.pupil_enrolment e JOIN records.person p ON p.id = e.person_id
      WHERE p.status = 'active' AND e.ends IS NULL
        AND (SELECT count(*) FROM records.guardian_relation g JOIN records.person gp ON gp.id = g.guardian_id
             WHERE g.pupil_id = p.id AND g.has_parental_responsibility AND gp.status = 'active') >= 1
      ORDER BY e.person_id LIMIT 1`.execute(database.db);
    pupil = rows[0]!.id;
    await sql`UPDATE records.person SET birth_date = '2007-09-11' WHERE id = ${pupil}`.execute(database.db);
    // The records store dates its own changes; this one belongs to the synthetic school year too.
    await sql`UPDATE records.change_log SET changed_at = '2025-09-01T06:00:00Z'
      WHERE changed_at > '2025-09-01T06:00:00Z'`.execute(database.db);
  });
  afterAll(async () => database.destroy());

  function smsOver(clock: ScopeClock, at: { now: Date }): OperationContext & { dropDir: string } {
    const ctx = hubContext(database.db, {
      recipients: (dir) => [
        recipient('sms', 'sms', join(dir, 'sms'), { feed: { safety: { maxDeletePercent: 100 } } }),
      ],
    });
    return { ...operationContext({ ...ctx, scopeClock: clock, now: () => at.now }), dropDir: ctx.dropDir };
  }

  async function pupilIn(file: string | null): Promise<{ guardianKeys: readonly string[] } | undefined> {
    const document = await readFeed(readFileSync(file!, 'utf8'));
    for await (const { object } of document.persons()) if (object.key === pupil) return object;
    return undefined;
  }

  async function personKeysIn(file: string | null): Promise<Map<string, string | undefined>> {
    const document = await readFeed(readFileSync(file!, 'utf8'));
    const keys = new Map<string, string | undefined>();
    for await (const { object, change } of document.persons()) keys.set(object.key, change);
    return keys;
  }

  it('a quiet store, a pupil who turns 18 tomorrow: the delta run tomorrow removes the guardian links', async () => {
    const at = { now: new Date(`${today}T08:00:00+02:00`) };
    const ops = smsOver('wall', at);
    const full = await startExport(ops, actors.operator, { all: true });
    const links = (await pupilIn(full.feeds[0]!.file))?.guardianKeys ?? [];
    expect(links.length).toBeGreaterThan(0);
    guardians = [...links];

    // Later the same day, nothing changed: a quiet skip, no merge.
    at.now = new Date(`${today}T14:00:00+02:00`);
    const sameDay = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(sameDay.feeds[0]).toMatchObject({ status: 'skipped' });

    // Tomorrow, the store still untouched: the day changed, so the delta is computed and sent.
    at.now = new Date(`${tomorrow}T00:30:00+02:00`);
    const delta = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(delta.feeds[0]).toMatchObject({ status: 'delivered', type: 'delta' });
    expect((await pupilIn(delta.feeds[0]!.file))?.guardianKeys).toEqual([]);
    const changes = await personKeysIn(delta.feeds[0]!.file);
    expect(changes.get(pupil)).toBe('change');
    // A guardian brought in only by this pupil is deleted with the link (R8).
    const { rows } = await sql<{ guardian_id: string }>`SELECT g.guardian_id::text AS guardian_id
      FROM records.guardian_relation g WHERE g.guardian_id = ANY(${guardians}::uuid[])
      GROUP BY g.guardian_id HAVING count(*) = 1`.execute(database.db);
    for (const { guardian_id } of rows) expect(changes.get(guardian_id)).toBe('delete');

    const runDays = await sql<{ scope_date: string }>`SELECT scope_date FROM hub.run
      WHERE id IN (${full.runId}, ${delta.runId}) ORDER BY created_at`.execute(database.db);
    expect(runDays.rows.map((row) => row.scope_date)).toEqual([today, tomorrow]);
    const state = await sql<{ scope_date: string }>`SELECT scope_date FROM hub.recipient_state
      WHERE recipient_id = 'sms'`.execute(database.db);
    expect(state.rows[0]?.scope_date).toBe(tomorrow);

    // The day after, still quiet: one merge confirms nothing changed, later deltas that day are skipped.
    at.now = new Date('2025-09-12T06:00:00+02:00');
    const nextDay = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(nextDay.feeds[0]).toMatchObject({ status: 'skipped' });
    const confirmed = await sql<{ scope_date: string; checked_at: Date | null }>`SELECT scope_date, checked_at
      FROM hub.recipient_state WHERE recipient_id = 'sms'`.execute(database.db);
    expect(confirmed.rows[0]).toMatchObject({ scope_date: '2025-09-12', checked_at: expect.any(Date) });
    at.now = new Date('2025-09-12T12:00:00+02:00');
    const reasons = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(reasons.feeds[0]?.error).toMatch(/no change in the source, the day or the profile/);
  });

  it('on the source clock a synthetic store keeps its own school year, whatever the wall clock says', async () => {
    const at = { now: new Date('2026-11-27T12:00:00+01:00') };
    const ops = smsOver('auto', at);
    const report = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    const { rows } = await sql<{ scope_date: string; snapshot_at: Date }>`SELECT scope_date, snapshot_at
      FROM hub.run WHERE id = ${report.runId}`.execute(database.db);
    // The store's latest change is dated 1 September 2025, in its own school year.
    expect(rows[0]?.snapshot_at.toISOString()).toBe('2025-09-01T06:00:00.000Z');
    expect(rows[0]?.scope_date).toBe('2025-09-01');
    expect(report.feeds[0]?.memberships).toBeGreaterThan(0);
  });

  it('a retried snapshot step keeps the day the run was first given', async () => {
    const { takeSnapshot, startRun } = await import('../../../src/run/index.js');
    const at = { now: new Date('2025-10-01T23:30:00+02:00') };
    const ops = smsOver('wall', at);
    const runId = await startRun(ops, { recipientIds: ['sms'], trigger: 'operator', feedType: 'delta' });
    await takeSnapshot(ops, runId);
    at.now = new Date('2025-10-02T09:00:00+02:00');
    await takeSnapshot(ops, runId);
    const { rows } = await sql<{ scope_date: string }>`SELECT scope_date FROM hub.run
      WHERE id = ${runId}`.execute(database.db);
    expect(rows[0]?.scope_date).toBe('2025-10-01');
  });
});
