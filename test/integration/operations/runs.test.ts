import { join } from 'node:path';
import { listRuns, showRun, startExport, type RunReport } from '../../../src/operations/index.js';
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

describe('listRuns and showRun', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let first: RunReport;
  let second: RunReport;
  beforeAll(async () => {
    database = await seededDatabase();
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('hr', 'staff', join(dir, 'hr')),
    ]);
    first = await startExport(ops, actors.operator, { all: true });
    second = await startExport(ops, actors.operator, { recipients: ['lms'], feedType: 'delta' });
  });
  afterAll(async () => database.destroy());

  it('lists runs newest first with their transfers counted by outcome, for a viewer, unaudited', async () => {
    const { result, rows } = await succeeds(database.db, () => listRuns(ops, actors.viewer));
    expect(
      result.map((run) => [
        run.id,
        run.status,
        run.requestedBy,
        run.recipientIds,
        run.delivered,
        run.skipped,
      ]),
    ).toEqual([
      [second.runId, 'completed', 'test:olga', ['lms'], 0, 1],
      [first.runId, 'completed', 'test:olga', ['lms', 'hr'], 2, 0],
    ]);
    // Status only, no personal data: reading it leaves no row (R4 audits what shows personal data).
    expect(rows).toEqual([]);
    expect((await listRuns(ops, actors.viewer, { limit: 1 })).map((run) => run.id)).toEqual([second.runId]);
  });

  it('shows one run with its snapshot counts and one line per transfer', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      showRun(ops, actors.viewer, { run: first.runId }),
    );
    expect(result).toMatchObject({ id: first.runId, status: 'completed', trigger: 'operator', delivered: 2 });
    expect(result.persons).toBeGreaterThan(0);
    expect(result.transfers.map((transfer) => [transfer.recipientId, transfer.status]).sort()).toEqual([
      ['hr', 'delivered'],
      ['lms', 'delivered'],
    ]);
    expect(result.transfers.map((transfer) => transfer.transferId).sort()).toEqual(
      first.feeds.map((feed) => feed.transferId).sort(),
    );
    expect(rows).toEqual([]);
  });

  it('refuses an unknown run and bad input naming the field, leaving no done row', async () => {
    const unknown = await attempt(database.db, () =>
      showRun(ops, actors.viewer, { run: 'run-20260101T000000Z-abc123' }),
    );
    expect(codeOf(unknown)).toMatchObject({
      code: 'PIFU_RUN_UNKNOWN',
      message: expect.stringContaining('no run "run-20260101T000000Z-abc123"'),
    });
    expect(unknown.rows).toEqual([]);
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => showRun(ops, actors.viewer, { run: "run'; --" }), /run: a run id such as/],
      [() => showRun(ops, actors.viewer, { run: first.feeds[0]?.transferId ?? '' }), /run: a run id/],
      [() => listRuns(ops, actors.viewer, { limit: 0 }), /limit: at least 1/],
      [() => listRuns(ops, actors.viewer, { limit: 1001 }), /limit: at most 1000/],
    ];
    for (const [call, field] of cases) {
      const bad = await attempt(database.db, call);
      expect(codeOf(bad)).toMatchObject({
        code: 'PIFU_USAGE_INVALID',
        message: expect.stringMatching(field),
      });
      expect(bad.rows).toEqual([]);
    }
  });

  it('refuses an actor with no role, audited as denied', async () => {
    await expectDenied(database.db, () => listRuns(ops, actors.nobody), {
      actor: actors.nobody,
      action: 'runs',
      role: 'viewer',
    });
    await expectDenied(database.db, () => showRun(ops, actors.nobody, { run: first.runId }), {
      actor: actors.nobody,
      action: 'run-show',
      role: 'viewer',
    });
  });
});
