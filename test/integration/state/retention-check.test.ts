import { join } from 'node:path';
import { sql } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { findOverdueHoldings } from '../../../src/privacy/index.js';
import { startRun } from '../../../src/run/index.js';
import { hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';

describe('the R3 retention check', () => {
  const database = seededDatabase('small');

  it('reports inactive persons a recipient still holds past the limit, and not an archive keeping leavers', async () => {
    const ctx = hubContext(database.db, {
      recipients: (dir) => [
        recipient('hr', 'staff', join(dir, 'hr'), {
          override: { activeOnly: false, reason: 'HR keeps leavers until their final pay is settled' },
        }),
        recipient('websak', 'archive', join(dir, 'arc')),
        recipient('lms', 'lms', join(dir, 'lms')),
      ],
    });
    const runId = await startRun(ctx, {
      recipientIds: ['hr', 'websak', 'lms'],
      trigger: 'operator',
      feedType: 'full',
    });
    await runInProcess(ctx, runId);
    const snapshot = await ctx.source.openSnapshot();
    const on = snapshot.properties.snapshotAt.slice(0, 10);
    const overdue = await findOverdueHoldings(ctx.db, snapshot.persons(), {
      on,
      months: 1,
      recipients: [...ctx.recipients.values()],
    });
    await snapshot.close();
    const leftStaff = new Set(
      (
        await sql<{ id: string }>`select person_id::text as id from records.staff_employment
          where ends is not null and ends < ${on}::date - interval '1 month'`.execute(database.db)
      ).rows.map((row) => row.id),
    );
    expect(leftStaff.size).toBeGreaterThan(0);
    expect(overdue.length).toBeGreaterThan(0);
    expect(new Set(overdue.map((holding) => holding.recipientId))).toEqual(new Set(['hr']));
    for (const holding of overdue) expect(leftStaff.has(holding.personKey)).toBe(true);
    expect(await findOverdueHoldings(ctx.db, (async function* () {})(), { on, recipients: [] })).toEqual([]);
  }, 180_000);
});
