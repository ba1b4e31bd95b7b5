import { join } from 'node:path';
import { startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  actors,
  attempt,
  codeOf,
  expectDenied,
  expectRefused,
  faultAtCommit,
  hubCounts,
  operationsOver,
  seededDatabase,
  sha256Of,
  succeeds,
} from './operations-fixture.js';

describe('startExport', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  beforeAll(async () => {
    database = await seededDatabase();
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('hr', 'staff', join(dir, 'hr')),
    ]);
  });
  afterAll(async () => database.destroy());

  it('delivers a full feed and records the run with its done row in one transaction', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      startExport(ops, actors.operator, { recipients: ['lms'] }),
    );
    expect(result.status).toBe('completed');
    expect(result.feeds).toEqual([
      expect.objectContaining({ recipient: 'lms', status: 'delivered', type: 'full' }),
    ]);
    const [feed] = result.feeds;
    expect(feed?.file?.startsWith(join(ops.dropDir, 'lms'))).toBe(true);
    expect(sha256Of(feed?.file ?? '')).toBe(feed?.sha256);
    expect(rows).toEqual([
      {
        actor: 'test:olga',
        action: 'export',
        outcome: 'done',
        subject: null,
        detail: `${result.runId}: full to lms`,
        source: 'local',
      },
    ]);
    expect(await hubCounts(database.db)).toMatchObject({ runs: 1, transfers: 1 });
  });

  it('a run that does not commit leaves no done row: the row is written in the run’s own transaction', async () => {
    const before = await hubCounts(database.db);
    const lift = await faultAtCommit(database.db, 'hub.run', 'INSERT');
    let outcome;
    try {
      outcome = await attempt(database.db, () => startExport(ops, actors.operator, { recipients: ['lms'] }));
    } finally {
      await lift();
    }
    expect((outcome.error as Error).message).toContain('fault injected by the test at commit');
    expect(outcome.rows).toEqual([]);
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('with all, exports to every configured recipient; a delta sends only what changed', async () => {
    const all = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    expect(all.feeds.map((feed) => [feed.recipient, feed.type]).sort()).toEqual([
      ['hr', 'full'], // holds nothing yet, so its delta is a full
      ['lms', 'delta'],
    ]);
    expect(all.feeds.find((feed) => feed.recipient === 'lms')?.status).toBe('skipped');
  });

  it('refuses an actor without the operator role, audited as denied, and starts no run', async () => {
    const before = await hubCounts(database.db);
    await expectDenied(database.db, () => startExport(ops, actors.viewer, { recipients: ['lms'] }), {
      actor: actors.viewer,
      action: 'export',
      role: 'operator',
    });
    await expectDenied(database.db, () => startExport(ops, actors.nobody, { all: true }), {
      actor: actors.nobody,
      action: 'export',
      role: 'operator',
    });
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('refuses bad input naming the field, and an unknown recipient, with a refused row and no run', async () => {
    const before = await hubCounts(database.db);
    const row = { actor: 'test:olga', action: 'export', subject: null };
    await expectRefused(database.db, () => startExport(ops, actors.operator, { recipients: ['LMS!'] }), {
      code: 'PIFU_USAGE_INVALID',
      message: /recipients\.0: a recipient id/,
      row,
    });
    await expectRefused(
      database.db,
      () => startExport(ops, actors.operator, { all: true, feedType: 'weekly' as 'full' }),
      { code: 'PIFU_USAGE_INVALID', message: /feedType: /, row },
    );
    await expectRefused(database.db, () => startExport(ops, actors.operator, {}), {
      code: 'PIFU_USAGE_INVALID',
      message: /recipients: choose with --recipient ID .* or --all; configured: lms, hr/,
      row,
    });
    await expectRefused(
      database.db,
      () => startExport(ops, actors.operator, { all: true, recipients: ['lms'] }),
      { code: 'PIFU_USAGE_INVALID', message: /recipients: use either/, row },
    );
    await expectRefused(database.db, () => startExport(ops, actors.operator, { recipients: ['nope'] }), {
      code: 'PIFU_RECIPIENT_UNKNOWN',
      message: /no recipient "nope"; configured: lms, hr/,
      row: { ...row, detail: 'PIFU_RECIPIENT_UNKNOWN' },
    });
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('refuses to detach without a worker pool before recording anything', async () => {
    const before = await hubCounts(database.db);
    const outcome = await attempt(database.db, () =>
      startExport(ops, actors.operator, { recipients: ['lms'], detach: true }),
    );
    expect(codeOf(outcome)).toMatchObject({ code: 'PIFU_QUEUE_UNAVAILABLE' });
    // Retryable (set REDIS_URL and try again): no run, and no row claiming one.
    expect(outcome.rows.filter((row) => row.outcome === 'done')).toEqual([]);
    expect(await hubCounts(database.db)).toEqual(before);
  });
});
