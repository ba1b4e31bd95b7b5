import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import type { RecipientConfig } from '../../../src/config/index.js';
import type { SourceConnector } from '../../../src/ports/index.js';
import { findRun, runSpoolPaths, startRun, type HubContext } from '../../../src/run/index.js';
import { decideHold, listHolds, listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import { commitRecordsChange } from '../../helpers/records-change.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/** Every file under `dir` (recursively): feeds written, spools, deliveries. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * A delta on hold waits for an operator; until the source, the day, the profile, the forgotten or the
 * restricted persons change, the next delta would be that same delta again. A delta run then writes no
 * file, reads no snapshot and leaves the hold as it was (docs/requirements.md#f2).
 */
describe('a delta run while the same delta is on hold', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase({ seeded: 'mini' });
  }, 180_000);
  afterEach(async () => database.destroy());

  /** `lms` holds any change at all (the safety valve with no slack); `sms` takes every delta. */
  const strict = (maxChangePercent: number) => (dir: string) => [
    recipient('lms', 'lms', join(dir, 'lms'), {
      feed: { safety: { maxDeletePercent: 0, maxChangePercent } },
    }),
    recipient('sms', 'sms', join(dir, 'sms')),
  ];

  function contextOf(
    recipients: (dir: string) => RecipientConfig[],
  ): HubContext & { dropDir: string; opened: () => number } {
    const hub = hubContext(database.db, { recipients });
    let opened = 0;
    const source: SourceConnector = {
      ...hub.source,
      openSnapshot: (options) => {
        opened += 1;
        return hub.source.openSnapshot(options);
      },
    };
    return { ...hub, source, opened: () => opened };
  }

  async function deltaRun(ctx: HubContext): Promise<Map<string, { status: string; error: string | null }>> {
    const runId = await startRun(ctx, {
      recipientIds: ['lms', 'sms'],
      trigger: 'operator',
      feedType: 'delta',
    });
    await runInProcess(ctx, runId);
    // A run that read a snapshot keeps it as the latest, the base of the next run's (kept-spools.ts);
    // one that found its delta on hold read none.
    expect(existsSync(runSpoolPaths(ctx.spoolDir, runId).rosterDir)).toBe(
      (await findRun(ctx.db, runId))?.spoolPath !== null,
    );
    const transfers = await listRunTransfers(ctx.db, runId);
    return new Map(transfers.map((t) => [t.recipientId, { status: t.status, error: t.error }]));
  }

  /** Commits one change to a pupil in the records store, dated a second after its latest change. */
  async function changeOnePupil(offset: number): Promise<void> {
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.person set family_name = family_name || 'x'
        where id = (select p.id from records.person p
          join records.pupil_enrolment e on e.person_id = p.id and e.ends is null
          where p.status = 'active' and p.address_protection = 'none' order by p.id
          offset ${offset} limit 1)`.execute(trx);
    });
  }

  const undecided = async (ctx: HubContext) =>
    (await listHolds(ctx.db)).map((hold) => [hold.recipientId, hold.transferId]);

  it('writes no file, reads no snapshot and keeps the hold; a change or an approval moves on', async () => {
    const ctx = contextOf(strict(0));
    await runInProcess(
      ctx,
      await startRun(ctx, { recipientIds: ['lms', 'sms'], trigger: 'operator', feedType: 'full' }),
    );
    await changeOnePupil(0);
    const first = await deltaRun(ctx);
    expect([first.get('lms')?.status, first.get('sms')?.status]).toEqual(['held', 'delivered']);
    expect(ctx.opened()).toBe(2);
    const [[, held]] = (await undecided(ctx)) as [[string, string]];
    const files = [...filesUnder(ctx.dropDir), ...filesUnder(ctx.spoolDir)];

    const again = await deltaRun(ctx);
    expect(ctx.opened()).toBe(2);
    expect([...filesUnder(ctx.dropDir), ...filesUnder(ctx.spoolDir)]).toEqual(files);
    expect(again.get('lms')).toEqual({ status: 'skipped', error: expect.stringContaining(held) as string });
    expect(again.get('sms')?.status).toBe('skipped');
    expect(await undecided(ctx)).toEqual([['lms', held]]);

    // A change in the source: the delta is computed again, and the new hold supersedes the old one.
    await changeOnePupil(1);
    const changed = await deltaRun(ctx);
    expect(ctx.opened()).toBe(3);
    expect([changed.get('lms')?.status, changed.get('sms')?.status]).toEqual(['held', 'delivered']);
    const [[, newer]] = (await undecided(ctx)) as [[string, string]];
    expect(newer).not.toBe(held);

    // Approved, the recipient holds that snapshot: quiet again.
    await decideHold(ctx, newer, { decision: 'approve', by: 'test:olga', reason: 'expected changes' });
    const quiet = await deltaRun(ctx);
    expect(ctx.opened()).toBe(3);
    expect([quiet.get('lms')?.status, quiet.get('sms')?.status]).toEqual(['skipped', 'skipped']);
  }, 180_000);

  it('computes the delta again when the recipient’s thresholds would now let it through', async () => {
    const ctx = contextOf(strict(0));
    await runInProcess(
      ctx,
      await startRun(ctx, { recipientIds: ['lms', 'sms'], trigger: 'operator', feedType: 'full' }),
    );
    await changeOnePupil(0);
    expect((await deltaRun(ctx)).get('lms')?.status).toBe('held');

    const configs = strict(100)(ctx.dropDir);
    const relaxed = { ...ctx, recipients: new Map(configs.map((config) => [config.id, config])) };
    const after = await deltaRun(relaxed);
    expect(ctx.opened()).toBe(3);
    expect(after.get('lms')?.status).toBe('delivered');
  }, 180_000);

  it('computes the delta again after the hold was rejected (the next delta proposes the same changes)', async () => {
    const ctx = contextOf(strict(0));
    await runInProcess(
      ctx,
      await startRun(ctx, { recipientIds: ['lms', 'sms'], trigger: 'operator', feedType: 'full' }),
    );
    await changeOnePupil(0);
    await deltaRun(ctx);
    const [[, held]] = (await undecided(ctx)) as [[string, string]];
    await decideHold(ctx, held, { decision: 'reject', by: 'test:olga', reason: 'not before the term' });
    const after = await deltaRun(ctx);
    expect(ctx.opened()).toBe(3);
    expect(after.get('lms')?.status).toBe('held');
  }, 180_000);
});
