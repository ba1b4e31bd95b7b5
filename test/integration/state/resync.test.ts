import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { listPersonDisclosures } from '../../../src/disclosure/index.js';
import { readFeed } from '../../../src/pifu/index.js';
import { startRun, type HubContext, type RunRequest } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipient, seededDatabase } from '../../helpers/hub-fixture.js';

async function sent(ctx: HubContext, request: Omit<RunRequest, 'recipientIds'>) {
  const runId = await startRun(ctx, { recipientIds: ['lms'], ...request });
  await runInProcess(ctx, runId);
  const [transfer] = await listRunTransfers(ctx.db, runId);
  const persons: [string, string | undefined][] = [];
  const groups: [string, string | undefined, string][] = [];
  let memberships = 0;
  if (transfer?.status === 'delivered') {
    const document = await readFeed(readFileSync(transfer.location ?? '', 'utf8'));
    for await (const { object, change } of document.persons()) persons.push([object.key, change]);
    for await (const { object, change } of document.groups())
      groups.push([object.key, change, object.schoolKey ?? '']);
    for await (const _ of document.memberships()) memberships++;
  }
  return { transfer, persons, groups, memberships };
}

describe('operator resync', () => {
  const database = seededDatabase('mini');

  it('sends a person, or a school, again as new, with trigger resync and the reason in the disclosure log', async () => {
    const ctx = hubContext(database.db, { recipients: (dir) => [recipient('lms', 'lms', join(dir, 'lms'))] });
    const full = await sent(ctx, { trigger: 'operator', feedType: 'full' });
    const pupil = full.persons[0]?.[0] ?? '';
    expect((await sent(ctx, { trigger: 'operator', feedType: 'delta' })).transfer?.status).toBe('skipped');

    const one = await sent(ctx, {
      trigger: 'resync',
      feedType: 'delta',
      reason: 'LMS lost the account in a migration',
      resync: { person: pupil },
    });
    expect(one.persons).toEqual([[pupil, 'add']]);
    expect(one.groups).toEqual([]);
    const [latest] = await listPersonDisclosures(ctx.db, pupil);
    expect(latest).toMatchObject({
      trigger: 'resync',
      reason: 'LMS lost the account in a migration',
      recipientId: 'lms',
    });

    const school = (
      await sql<{ id: string; org: string }>`select id::text as id, organization_number as org
      from records.school order by id limit 1`.execute(database.db)
    ).rows[0];
    const whole = await sent(ctx, {
      trigger: 'resync',
      feedType: 'delta',
      reason: 'school re-imported',
      resync: { school: school?.org ?? '' },
    });
    expect(whole.groups.length).toBeGreaterThan(1);
    for (const [key, change, schoolKey] of whole.groups) {
      expect(change).toBe('add');
      expect(key === school?.id || schoolKey === school?.id).toBe(true);
    }
    expect(whole.persons.every(([, change]) => change === 'add')).toBe(true);
    expect(whole.memberships).toBeGreaterThan(0);
    await expect(
      startRun(ctx, { recipientIds: ['lms'], trigger: 'resync', feedType: 'delta' }),
    ).rejects.toThrow('a resync needs a reason');
  }, 180_000);
});
