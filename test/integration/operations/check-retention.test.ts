import { join } from 'node:path';
import { sql } from 'kysely';
import { checkRetention, startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  activePupils,
  actors,
  expectDenied,
  expectRefused,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

describe('checkRetention', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let leaver: string;
  beforeAll(async () => {
    database = await seededDatabase();
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      // Keeps leavers on purpose (archive act): never reported.
      recipient('websak', 'archive', join(dir, 'websak')),
    ]);
    await startExport(ops, actors.operator, { all: true });
    // A pupil who left five months ago, still held by both, since no feed went out since.
    [leaver = ''] = await activePupils(database.db);
    await sql`UPDATE records.pupil_enrolment SET ends = current_date - 150
      WHERE person_id = ${leaver}`.execute(database.db);
  });
  afterAll(async () => database.destroy());

  it('lists persons inactive past the limit whom a recipient still holds, audited with the count', async () => {
    const { result, rows } = await succeeds(database.db, () => checkRetention(ops, actors.privacyAdmin));
    expect(result.months).toBe(3);
    expect(result.overdue).toEqual([
      { recipientId: 'lms', personKey: leaver, inactiveSince: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    ]);
    expect(rows).toEqual([
      {
        actor: 'test:pia',
        action: 'retention-check',
        outcome: 'done',
        subject: null,
        detail:
          "1 overdue holdings (more than 3 months inactive); hub: 0 runs, 0 feed files, 0 transfers' disclosures overdue",
        source: 'local',
      },
    ]);
    const { result: longer, rows: again } = await succeeds(database.db, () =>
      checkRetention(ops, actors.privacyAdmin, { months: 6 }),
    );
    expect(longer).toMatchObject({ months: 6, overdue: [], hub: { runs: 0, feedFiles: 0 } });
    expect(again.map((row) => row.detail)).toEqual([
      "0 overdue holdings (more than 6 months inactive); hub: 0 runs, 0 feed files, 0 transfers' disclosures overdue",
    ]);
  });

  it('refuses months out of bounds or not whole, naming the field, with a refused row', async () => {
    for (const months of [0, 1.5, 121]) {
      await expectRefused(database.db, () => checkRetention(ops, actors.privacyAdmin, { months }), {
        code: 'PIFU_USAGE_INVALID',
        message: /months: /,
        row: { actor: 'test:pia', action: 'retention-check', subject: null },
      });
    }
  });

  it('refuses an actor without the privacy-admin role, audited as denied', async () => {
    for (const actor of [actors.operator, actors.viewer]) {
      await expectDenied(database.db, () => checkRetention(ops, actor), {
        actor,
        action: 'retention-check',
        role: 'privacy-admin',
      });
    }
  });
});
