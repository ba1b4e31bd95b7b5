import { join } from 'node:path';
import { sql } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { startRun, type HubContext } from '../../../src/run/index.js';
import { findRecipientState } from '../../../src/state/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';
import { commitRecordsChange } from '../../helpers/records-change.js';

async function run(
  ctx: HubContext,
  feedType: 'full' | 'delta',
): Promise<{ status: string; error: string | null }> {
  const runId = await startRun(ctx, { recipientIds: ['inspera'], trigger: 'operator', feedType });
  await runInProcess(ctx, runId);
  const [transfer] = await listRunTransfers(ctx.db, runId);
  return { status: transfer?.status ?? 'none', error: transfer?.error ?? null };
}

describe('freeze windows', () => {
  const database = seededDatabase('tiny');

  it('queue deltas without sending inside the window; the first delta after it catches up', async () => {
    let today = new Date('2026-06-10T08:00:00Z');
    const ctx = {
      ...hubContext(database.db, {
        recipients: (dir) => [
          recipient('inspera', 'assessment', join(dir, 'inspera'), {
            feed: { freeze: [{ from: '2026-06-15', to: '2026-06-19', reason: 'national tests' }] },
          }),
        ],
      }),
      now: () => today,
    };
    expect((await run(ctx, 'full')).status).toBe('delivered');
    const before = await findRecipientState(ctx.db, 'inspera');
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.person set given_name = given_name || 'x'
        where id = (select person_id from records.pupil_enrolment where ends is null order by person_id limit 1)`.execute(
        trx,
      );
    });
    today = new Date('2026-06-16T08:00:00Z');
    expect(await run(ctx, 'delta')).toEqual({
      status: 'skipped',
      error: 'frozen until 2026-06-19: national tests',
    });
    expect(await findRecipientState(ctx.db, 'inspera')).toEqual(before);
    today = new Date('2026-06-20T08:00:00Z');
    expect((await run(ctx, 'delta')).status).toBe('delivered');
    expect((await findRecipientState(ctx.db, 'inspera'))?.transferId).not.toBe(before?.transferId);
  }, 180_000);
});
