import { join } from 'node:path';
import { listTransfers, startExport, type RunReport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  actors,
  attempt,
  codeOf,
  expectDenied,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

describe('listTransfers', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let report: RunReport;
  beforeAll(async () => {
    database = await seededDatabase();
    const all = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('hr', 'staff', join(dir, 'hr')),
      recipient('retired', 'archive', join(dir, 'retired')),
    ]);
    report = await startExport(all, actors.operator, { all: true });
    // 'retired' has since been removed from the configuration; its transfers stay on record.
    ops = { ...all, recipients: new Map([...all.recipients].filter(([id]) => id !== 'retired')) };
  });
  afterAll(async () => database.destroy());

  it('lists transfers for a viewer, all or one recipient’s, unaudited', async () => {
    const { result, rows } = await succeeds(database.db, () => listTransfers(ops, actors.viewer));
    expect(result.map((transfer) => [transfer.recipientId, transfer.status, transfer.runId]).sort()).toEqual([
      ['hr', 'delivered', report.runId],
      ['lms', 'delivered', report.runId],
      ['retired', 'delivered', report.runId],
    ]);
    expect(rows).toEqual([]);
    const lms = await listTransfers(ops, actors.viewer, { recipient: 'lms' });
    expect(lms.map((transfer) => transfer.id)).toEqual([
      report.feeds.find((feed) => feed.recipient === 'lms')?.transferId,
    ]);
    expect(await listTransfers(ops, actors.viewer, { limit: 2 })).toHaveLength(2);
  });

  it('still answers for a recipient removed from the configuration that has transfers on record', async () => {
    const retired = await listTransfers(ops, actors.viewer, { recipient: 'retired' });
    expect(retired.map((transfer) => transfer.recipientId)).toEqual(['retired']);
  });

  it('refuses an unknown recipient (not an empty table) and bad input naming the field', async () => {
    const unknown = await attempt(database.db, () =>
      listTransfers(ops, actors.viewer, { recipient: 'nope' }),
    );
    expect(codeOf(unknown)).toMatchObject({
      code: 'PIFU_RECIPIENT_UNKNOWN',
      message: expect.stringContaining(
        'no recipient "nope" is configured or has transfers on record; configured: lms, hr',
      ),
    });
    expect(unknown.rows).toEqual([]);
    for (const [input, field] of [
      [{ recipient: 'NOPE' }, /recipient: a recipient id/],
      [{ limit: 1e20 }, /limit: at most 1000/],
      [{ limit: -1 }, /limit: at least 1/],
    ] as const) {
      const bad = await attempt(database.db, () => listTransfers(ops, actors.viewer, input));
      expect(codeOf(bad)).toMatchObject({
        code: 'PIFU_USAGE_INVALID',
        message: expect.stringMatching(field),
      });
      expect(bad.rows).toEqual([]);
    }
  });

  it('refuses an actor with no role, audited as denied', async () => {
    await expectDenied(database.db, () => listTransfers(ops, actors.nobody, { recipient: 'lms' }), {
      actor: actors.nobody,
      action: 'transfers',
      role: 'viewer',
    });
  });
});
