import { join } from 'node:path';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { listHolds, showHold, startExport, type Hold } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  attempt,
  actors,
  codeOf,
  expectDenied,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

/** Each word to its first character and three stars, separators kept, as operators see names. */
const masked = (plain: string): string => plain.replace(/[^\s-]+/gu, (word) => `${Array.from(word)[0]}***`);

describe('showHold', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let hold: Hold;
  beforeAll(async () => {
    database = await seededDatabase();
    const feed = { safety: { maxDeletePercent: 0, maxChangePercent: 0 } };
    ops = operationsOver(database.db, (dir) => [recipient('lms', 'lms', join(dir, 'lms'), { feed })]);
    await startExport(ops, actors.operator, { all: true });
    await mutateMunicipality(database.db, { percent: 5, seed: 41 });
    await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    [hold] = (await listHolds(ops, actors.viewer)) as [Hold];
  });
  afterAll(async () => database.destroy());

  it('B7: lists the held objects, names plain for a privacy admin and masked for an operator, both audited', async () => {
    const plain = await succeeds(database.db, () =>
      showHold(ops, actors.privacyAdmin, { transfer: hold.transferId, limit: 10_000 }),
    );
    const operator = await succeeds(database.db, () =>
      showHold(ops, actors.operator, { transfer: hold.transferId, limit: 10_000 }),
    );
    expect(plain.result.hold).toEqual(hold);
    expect(plain.result.truncated).toBe(false);
    const total = (kind: 'add' | 'change' | 'delete') =>
      Object.values(plain.result.counts).reduce((sum, perType) => sum + perType[kind], 0);
    expect([total('add'), total('change'), total('delete')]).toEqual([
      hold.added,
      hold.changed,
      hold.deleted,
    ]);
    expect(plain.result.objects).toHaveLength(hold.added + hold.changed + hold.deleted);

    const named = plain.result.objects.filter((object) => object.type === 'person' && object.label !== '');
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((object) => !object.label?.includes('***'))).toBe(true);
    expect(operator.result.counts).toEqual(plain.result.counts);
    expect(operator.result.objects.map((object) => [object.type, object.change, object.key])).toEqual(
      plain.result.objects.map((object) => [object.type, object.change, object.key]),
    );
    // A delete record carries no name: nothing to show, plain or masked.
    for (const object of plain.result.objects.filter((o) => o.type === 'person' && o.change === 'delete')) {
      expect(object.label).toBe('');
    }
    for (const [index, object] of plain.result.objects.entries()) {
      const seen = operator.result.objects[index];
      if (object.type === 'person') expect(seen?.label).toBe(masked(object.label ?? ''));
      else expect(seen?.label).toBe(object.label);
    }

    const row = { outcome: 'done', subject: hold.transferId, source: 'local', action: 'hold-show' };
    expect(plain.rows).toEqual([{ ...row, actor: 'test:pia', detail: 'objects shown in full' }]);
    expect(operator.rows).toEqual([{ ...row, actor: 'test:olga', detail: 'objects shown masked' }]);
  });

  it('shows a viewer the counts only, no objects, and writes no audit row', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      showHold(ops, actors.viewer, { transfer: hold.transferId }),
    );
    expect(result.objects).toEqual([]);
    expect(result.truncated).toBe(false);
    const full = await showHold(ops, actors.operator, { transfer: hold.transferId });
    expect(result.counts).toEqual(full.counts);
    expect(rows).toEqual([]);
  });

  it('stops at the limit and says so', async () => {
    const { objects, truncated } = await showHold(ops, actors.operator, {
      transfer: hold.transferId,
      limit: 2,
    });
    expect([objects.length, truncated]).toEqual([2, true]);
  });

  it('refuses an actor with no role, audited as denied', async () => {
    await expectDenied(database.db, () => showHold(ops, actors.nobody, { transfer: hold.transferId }), {
      actor: actors.nobody,
      action: 'hold-show',
      role: 'viewer',
    });
  });

  it('refuses an unknown hold and bad input naming the field, and never writes a done row', async () => {
    const unknown = await attempt(database.db, () =>
      showHold(ops, actors.operator, { transfer: 'transfer-20260101T000000Z-abc123-lms' }),
    );
    expect(codeOf(unknown)).toMatchObject({
      code: 'PIFU_HOLD_UNKNOWN',
      message: expect.stringContaining('no hold for transfer transfer-20260101T000000Z-abc123-lms'),
    });
    expect(unknown.rows.filter((row) => row.outcome === 'done')).toEqual([]);
    for (const [input, field] of [
      [{ transfer: 'nope' }, /transfer: a transfer id/],
      [{ transfer: hold.transferId, limit: 0 }, /limit: /],
    ] as const) {
      const bad = await attempt(database.db, () => showHold(ops, actors.operator, input));
      expect(codeOf(bad)).toMatchObject({
        code: 'PIFU_USAGE_INVALID',
        message: expect.stringMatching(field),
      });
      expect(bad.rows.filter((row) => row.outcome === 'done')).toEqual([]);
    }
  });
});
