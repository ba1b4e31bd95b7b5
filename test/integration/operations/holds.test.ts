import { join } from 'node:path';
import { sql } from 'kysely';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { decideHold, listHolds, startExport, type Hold } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  actors,
  attempt,
  expectDenied,
  expectRefused,
  faultAtCommit,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

describe('listHolds and decideHold', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let holdA: Hold;
  let holdB: Hold;
  const reason = 'class changes after the term start';
  const stateOf = async (id: string) =>
    (
      await sql<{ transfer_id: string }>`SELECT transfer_id FROM hub.recipient_state
        WHERE recipient_id = ${id}`.execute(database.db)
    ).rows[0]?.transfer_id;
  const holdRow = async (transferId: string) =>
    (
      await sql<{ decision: string | null; decided_by: string | null }>`SELECT decision, decided_by
        FROM hub.hold WHERE transfer_id = ${transferId}`.execute(database.db)
    ).rows[0];

  beforeAll(async () => {
    database = await seededDatabase();
    // Any change at all is held: the safety valve with no slack.
    const feed = { safety: { maxDeletePercent: 0, maxChangePercent: 0 } };
    ops = operationsOver(database.db, (dir) => [
      recipient('lms-a', 'lms', join(dir, 'a'), { feed }),
      recipient('lms-b', 'lms', join(dir, 'b'), { feed }),
    ]);
    await startExport(ops, actors.operator, { all: true });
    await mutateMunicipality(database.db, { percent: 5, seed: 31 });
    const delta = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(delta.feeds.map((feed) => feed.status)).toEqual(['held', 'held']);
  });
  afterAll(async () => database.destroy());

  it('lists undecided holds for a viewer, with counts and no audit row (no personal data)', async () => {
    const { result, rows } = await succeeds(database.db, () => listHolds(ops, actors.viewer));
    expect(result.map((hold) => [hold.recipientId, hold.decision]).sort()).toEqual([
      ['lms-a', null],
      ['lms-b', null],
    ]);
    for (const hold of result) expect(hold.added + hold.changed + hold.deleted).toBeGreaterThan(0);
    expect(rows).toEqual([]);
    holdA = result.find((hold) => hold.recipientId === 'lms-a')!;
    holdB = result.find((hold) => hold.recipientId === 'lms-b')!;
  });

  it('refuses listing to an actor with no role, audited as denied', async () => {
    await expectDenied(database.db, () => listHolds(ops, actors.nobody), {
      actor: actors.nobody,
      action: 'holds',
      role: 'viewer',
    });
  });

  it('refuses a decision by an actor without the operator role, audited as denied; the hold stays open', async () => {
    await expectDenied(
      database.db,
      () => decideHold(ops, actors.viewer, { transfer: holdA.transferId, decision: 'approve', reason }),
      { actor: actors.viewer, action: 'hold-approve', role: 'operator' },
    );
    await expectDenied(
      database.db,
      () => decideHold(ops, actors.privacyAdmin, { transfer: holdA.transferId, decision: 'reject', reason }),
      { actor: actors.privacyAdmin, action: 'hold-reject', role: 'operator' },
    );
    expect(await holdRow(holdA.transferId)).toEqual({ decision: null, decided_by: null });
  });

  it('a decision that does not commit leaves no done row, and the hold open', async () => {
    const lift = await faultAtCommit(database.db, 'hub.hold', 'UPDATE');
    let outcome;
    try {
      outcome = await attempt(database.db, () =>
        decideHold(ops, actors.operator, { transfer: holdA.transferId, decision: 'approve', reason }),
      );
    } finally {
      await lift();
    }
    expect((outcome.error as Error).message).toContain('fault injected by the test at commit');
    expect(outcome.rows).toEqual([]);
    expect(await holdRow(holdA.transferId)).toEqual({ decision: null, decided_by: null });
  });

  it('approve delivers exactly the held delta; the decision and its done row commit together', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      decideHold(ops, actors.operator, { transfer: holdA.transferId, decision: 'approve', reason }),
    );
    expect(result.hold).toMatchObject({
      decision: 'approved',
      decidedBy: 'test:olga',
      decisionReason: reason,
    });
    expect(result.delivery?.alreadyDelivered).toBe(false);
    expect(await stateOf('lms-a')).toBe(holdA.transferId);
    expect(rows).toEqual([
      {
        actor: 'test:olga',
        action: 'hold-approve',
        outcome: 'done',
        subject: holdA.transferId,
        detail: reason,
        source: 'local',
      },
    ]);
  });

  it('B5: deciding an already decided hold is refused with a refused row, never a done row', async () => {
    for (const decision of ['approve', 'reject'] as const) {
      await expectRefused(
        database.db,
        () =>
          decideHold(ops, actors.operator, {
            transfer: holdA.transferId,
            decision,
            reason: 'second thoughts here',
          }),
        {
          code: 'PIFU_HOLD_DECIDED',
          message: /was already approved by test:olga/,
          row: {
            actor: 'test:olga',
            action: `hold-${decision}`,
            subject: holdA.transferId,
            detail: 'second thoughts here (PIFU_HOLD_DECIDED)',
          },
        },
      );
    }
    expect(await holdRow(holdA.transferId)).toEqual({ decision: 'approved', decided_by: 'test:olga' });
    expect(await stateOf('lms-a')).toBe(holdA.transferId);
  });

  it('reject delivers nothing and leaves delivered state as it was', async () => {
    const before = await stateOf('lms-b');
    const { result, rows } = await succeeds(database.db, () =>
      decideHold(ops, actors.operator, { transfer: holdB.transferId, decision: 'reject', reason }),
    );
    expect(result.hold).toMatchObject({ decision: 'rejected', decidedBy: 'test:olga' });
    expect(result.delivery).toBeUndefined();
    expect(await stateOf('lms-b')).toBe(before);
    expect(rows.map((row) => [row.action, row.outcome, row.subject, row.detail])).toEqual([
      ['hold-reject', 'done', holdB.transferId, reason],
    ]);
    const all = await listHolds(ops, actors.viewer, { all: true });
    expect(all.map((hold) => [hold.recipientId, hold.decision]).sort()).toEqual([
      ['lms-a', 'approved'],
      ['lms-b', 'rejected'],
    ]);
    expect(await listHolds(ops, actors.viewer)).toEqual([]);
  });

  it('refuses an unknown hold and bad input, naming the field', async () => {
    const unknown = `transfer-20260101T000000Z-abc123-lms-a`;
    await expectRefused(
      database.db,
      () => decideHold(ops, actors.operator, { transfer: unknown, decision: 'approve', reason }),
      {
        code: 'PIFU_HOLD_UNKNOWN',
        message: /no hold for transfer transfer-20260101T000000Z-abc123-lms-a/,
        row: { actor: 'test:olga', action: 'hold-approve', subject: unknown },
      },
    );
    await expectRefused(
      database.db,
      () =>
        decideHold(ops, actors.operator, { transfer: holdB.transferId, decision: 'approve', reason: '!!' }),
      {
        code: 'PIFU_USAGE_INVALID',
        message: /reason: say why in words/,
        row: { actor: 'test:olga', action: 'hold-approve', subject: null },
      },
    );
    await expectRefused(
      database.db,
      () => decideHold(ops, actors.operator, { transfer: 'hold-1', decision: 'reject', reason }),
      {
        code: 'PIFU_USAGE_INVALID',
        message: /transfer: a transfer id such as/,
        row: { actor: 'test:olga', action: 'hold-reject', subject: null },
      },
    );
  });
});
