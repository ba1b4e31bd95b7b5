import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { removeSchool } from '../../../fixtures/generator/index.js';
import type { RecipientConfig } from '../../../src/config/index.js';
import { writeRecipientFeed } from '../../../src/feed/index.js';
import {
  finishRun,
  runIds,
  runSpoolPaths,
  startRun,
  takeSnapshot,
  type HubContext,
} from '../../../src/run/index.js';
import { findRecipientState } from '../../../src/state/index.js';
import { deliverTransfer } from '../../../src/transfer/index.js';
import { commitRecordsChange } from '../../helpers/records-change.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/**
 * When a delta is merged incrementally and when the whole view is (src/feed/incremental-delta.ts): each
 * condition the incremental merge rests on, broken alone, makes the next delta merge the whole view,
 * and says why; the spool a recipient's state is the view of stays on disk until no state is.
 */
describe('incremental deltas fall back to the whole merge when their basis does not hold', () => {
  let database: TestDatabase;
  const lms = (dir: string, extra: Record<string, unknown> = {}): RecipientConfig =>
    recipient('lms', 'lms', join(dir, 'lms'), {
      feed: { safety: { maxDeletePercent: 100, maxChangePercent: 100 } },
      ...extra,
    });

  beforeEach(async () => {
    database = await createTestDatabase({ seeded: 'mini' });
  }, 180_000);
  afterEach(async () => database.destroy());

  /** One run for lms: snapshot, feed, delivery, close; the feed's merge (undefined: not a delta). */
  async function run(
    ctx: HubContext,
    feedType: 'full' | 'delta',
    acceptSourceDrop?: { reason: string },
  ): Promise<{ runId: string; merge?: string }> {
    const runId = await startRun(ctx, {
      recipientIds: ['lms'],
      trigger: 'operator',
      feedType,
      ...(acceptSourceDrop === undefined ? {} : { acceptSourceDrop }),
    });
    await takeSnapshot(ctx, runId);
    const summary = await writeRecipientFeed(ctx, runIds(runId).feedId('lms'));
    if (summary.status === 'written') await deliverTransfer(ctx, runIds(runId).transferId('lms'));
    await finishRun(ctx, runId);
    return { runId, ...(summary.merge === undefined ? {} : { merge: summary.merge }) };
  }

  /** A class renamed: a change every lms delta sees. */
  async function renameAGroup(suffix: string): Promise<void> {
    await commitRecordsChange(
      database.db,
      sql`update records.roster_group set short_name = short_name || ${suffix}
        where id = (select id from records.roster_group where group_type = 'basisgruppe' order by id limit 1)`,
    );
  }

  const setBasis = (change: ReturnType<typeof sql>) => change.execute(database.db);

  it('merges incrementally when nothing but the source changed (not a resync), and keeps only the spool a state is the view of', async () => {
    const ctx = hubContext(database.db, { recipients: (dir) => [lms(dir)] });
    const full = await run(ctx, 'full');
    expect(existsSync(runSpoolPaths(ctx.spoolDir, full.runId).rosterDir)).toBe(true);
    await renameAGroup(' a');
    const first = await run(ctx, 'delta');
    expect(first.merge).toBe('incremental');
    expect((await findRecipientState(ctx.db, 'lms'))?.viewBasis?.runId).toBe(first.runId);
    // The full's spool is nobody's base any more; the delta's is.
    expect(existsSync(runSpoolPaths(ctx.spoolDir, full.runId).rosterDir)).toBe(false);
    expect(existsSync(runSpoolPaths(ctx.spoolDir, first.runId).rosterDir)).toBe(true);
    await renameAGroup(' b');
    expect((await run(ctx, 'delta')).merge).toBe('incremental');
    // A resync sends again what the recipient holds: every person is merged.
    const resync = await startRun(ctx, {
      recipientIds: ['lms'],
      trigger: 'resync',
      feedType: 'delta',
      reason: 'the recipient lost data',
      resync: {},
    });
    await takeSnapshot(ctx, resync);
    expect((await writeRecipientFeed(ctx, runIds(resync).feedId('lms'))).merge).toBe('a resync');
  }, 120_000);

  it('merges the whole view without a basis, for other code, another scope day, or a spool that is gone', async () => {
    const ctx = hubContext(database.db, { recipients: (dir) => [lms(dir)] });
    const cases: [string, () => Promise<unknown>][] = [
      [
        'the delivered state has no view basis',
        () => setBasis(sql`update hub.recipient_state set view_basis = null`),
      ],
      [
        'the delivered state was computed by other code',
        () =>
          setBasis(
            sql`update hub.recipient_state set view_basis = jsonb_set(view_basis::jsonb, '{code}', '"0.0.0"')::text`,
          ),
      ],
      ['another scope date', () => setBasis(sql`update hub.recipient_state set scope_date = '2001-01-01'`)],
      [
        'no spool of the delivered state to compare with',
        async () => {
          const basis = (await findRecipientState(ctx.db, 'lms'))?.viewBasis;
          await rm(runSpoolPaths(ctx.spoolDir, basis?.runId ?? '').rosterDir, { recursive: true });
        },
      ],
    ];
    await run(ctx, 'full');
    for (const [index, [reason, breakBasis]] of cases.entries()) {
      await breakBasis();
      await renameAGroup(` ${index}`);
      expect((await run(ctx, 'delta')).merge).toBe(reason);
      // The whole merge gave the state a basis again: the next delta is incremental.
      await renameAGroup(` ${index}${index}`);
      expect([reason, (await run(ctx, 'delta')).merge]).toEqual([reason, 'incremental']);
    }
  }, 300_000);

  it('merges the whole view after a person was forgotten or a restriction placed, and for another profile', async () => {
    const ctx = hubContext(database.db, { recipients: (dir) => [lms(dir)] });
    await run(ctx, 'full');
    const { rows } = await sql<{
      id: string;
    }>`select id::text as id from records.person order by id limit 2`.execute(database.db);
    await sql`insert into hub.forgotten_person (person_key, reason, requested_by, forgotten_at)
      values (${rows[0]?.id ?? ''}, 'test', 'test', now())`.execute(database.db);
    await renameAGroup(' f');
    expect((await run(ctx, 'delta')).merge).toBe('forgotten or restricted persons changed');
    await sql`insert into hub.restriction (person_key, recipient_id, reason, requested_by, restricted_at)
      values (${rows[1]?.id ?? ''}, 'lms', 'test', 'test', now())`.execute(database.db);
    await renameAGroup(' r');
    expect((await run(ctx, 'delta')).merge).toBe('forgotten or restricted persons changed');

    const narrowed = hubContext(database.db, {
      recipients: (dir) => [lms(dir, { profile: { fields: ['name'] } })],
    });
    await renameAGroup(' p');
    expect((await run({ ...narrowed, spoolDir: ctx.spoolDir }, 'delta')).merge).toBe('another profile');
  }, 300_000);

  it('merges the whole view when the schools in scope change', async () => {
    const ctx = hubContext(database.db, { recipients: (dir) => [lms(dir)] });
    await run(ctx, 'full');
    const { rows } = await sql<{
      id: string;
    }>`select id::text as id from records.school order by id limit 1`.execute(database.db);
    await removeSchool(database.db, rows[0]?.id ?? '');
    expect((await run(ctx, 'delta', { reason: 'a school closed' })).merge).toBe(
      'the schools in scope changed',
    );
  }, 120_000);
});
