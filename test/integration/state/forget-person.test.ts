import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { readFeed } from '../../../src/pifu/index.js';
import { listAudit } from '../../../src/audit/index.js';
import { forgetPerson } from '../../../src/privacy/index.js';
import { startRun, type HubContext } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';

async function personsSent(
  ctx: HubContext,
  feedType: 'full' | 'delta',
): Promise<Map<string, [string, string | undefined][]>> {
  const runId = await startRun(ctx, {
    recipientIds: [...ctx.recipients.keys()],
    trigger: 'operator',
    feedType,
  });
  await runInProcess(ctx, runId);
  const sent = new Map<string, [string, string | undefined][]>();
  for (const transfer of await listRunTransfers(ctx.db, runId)) {
    const entries: [string, string | undefined][] = [];
    if (transfer.status === 'delivered') {
      const document = await readFeed(readFileSync(transfer.location ?? '', 'utf8'));
      for await (const { object, change } of document.persons()) entries.push([object.key, change]);
    }
    sent.set(transfer.recipientId, entries);
  }
  return sent;
}

describe('forgetting a person (R3)', () => {
  const database = seededDatabase('tiny');

  it('deletes them at every recipient holding them, keeps them out of later feeds, and audits the request', async () => {
    const ctx = hubContext(database.db, {
      recipients: (dir) => [
        recipient('lms', 'lms', join(dir, 'lms')),
        recipient('hr', 'staff', join(dir, 'hr')),
      ],
    });
    const full = await personsSent(ctx, 'full');
    const pupil =
      (
        await sql<{ id: string }>`select e.person_id::text as id from records.pupil_enrolment e
        join records.person p on p.id = e.person_id where p.status = 'active' and e.ends is null
        order by e.person_id limit 1`.execute(database.db)
      ).rows[0]?.id ?? '';
    expect(full.get('lms')?.map(([key]) => key)).toContain(pupil);
    expect(full.get('hr')?.map(([key]) => key)).not.toContain(pupil);

    const { recipientIds } = await forgetPerson(ctx.db, {
      personKey: pupil,
      reason: 'Erasure request 2026/117',
      by: 'test:privacy-admin',
      at: new Date(),
    });
    expect(recipientIds).toEqual(['lms']);
    const delta = await personsSent(ctx, 'delta');
    // The pupil goes, and with them any guardian the lms only had through this pupil (R8).
    const guardians = new Set(
      (
        await sql<{ id: string }>`select guardian_id::text as id from records.guardian_relation
          where pupil_id = ${pupil}`.execute(database.db)
      ).rows.map((row) => row.id),
    );
    expect(delta.get('lms')).toContainEqual([pupil, 'delete']);
    for (const [key, change] of delta.get('lms') ?? []) {
      expect([change, key === pupil || guardians.has(key)]).toEqual(['delete', true]);
    }
    const again = await personsSent(ctx, 'full');
    expect(again.get('lms')?.map(([key]) => key)).not.toContain(pupil);
    expect(await listAudit(ctx.db, { subject: pupil })).toEqual([
      expect.objectContaining({
        actor: 'test:privacy-admin',
        action: 'forget',
        detail: 'Erasure request 2026/117',
      }),
    ]);
    await expect(
      forgetPerson(ctx.db, { personKey: '01010112345', reason: 'x', by: 'test', at: new Date() }),
    ).rejects.toThrow('national identity number');
  }, 180_000);
});
