import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { previewExport, startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  actors,
  expectDenied,
  expectRefused,
  hubCounts,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

describe('previewExport', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  beforeAll(async () => {
    database = await seededDatabase();
    // No safety limits: the real delta below must be sent, not held, to compare with its preview.
    const feed = { safety: { maxDeletePercent: 100, maxChangePercent: 100 } };
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms'), { feed }),
      recipient('hr', 'staff', join(dir, 'hr'), { feed }),
    ]);
  });
  afterAll(async () => database.destroy());

  it('counts what each recipient would get and records nothing but its done row', async () => {
    const before = await hubCounts(database.db);
    const { result, rows } = await succeeds(database.db, () =>
      previewExport(ops, actors.operator, { all: true, sampleSize: 2 }),
    );
    expect(result.map((preview) => [preview.recipient, preview.feedType, preview.dryRun])).toEqual([
      ['lms', 'full', true],
      ['hr', 'full', true],
    ]);
    for (const preview of result) {
      expect(preview.counts.persons).toBeGreaterThan(0);
      expect(preview.bytes).toBeGreaterThan(0);
      expect(preview.sample).toHaveLength(2);
      expect(preview.delta).toBeUndefined();
    }
    expect(await hubCounts(database.db)).toEqual(before);
    expect(readdirSync(ops.spoolDir)).toEqual([]);
    expect(readdirSync(ops.dropDir)).toEqual([]);
    expect(rows).toEqual([
      {
        actor: 'test:olga',
        action: 'preview',
        outcome: 'done',
        subject: null,
        detail: 'export --dry-run full: lms, hr',
        source: 'local',
      },
    ]);
  });

  it('B7: a delta preview counts what the real delta then sends, against what the recipient holds', async () => {
    // Holding nothing, a recipient's delta is a full.
    const [first] = await previewExport(ops, actors.operator, { recipients: ['lms'], feedType: 'delta' });
    expect(first).toMatchObject({ feedType: 'full' });
    expect(first?.delta).toBeUndefined();

    await startExport(ops, actors.operator, { all: true });
    const [unchanged] = await previewExport(ops, actors.operator, { recipients: ['lms'], feedType: 'delta' });
    expect(unchanged).toMatchObject({ feedType: 'delta', delta: { added: 0, changed: 0, deleted: 0 } });

    await mutateMunicipality(database.db, { percent: 10, seed: 11 });
    const before = await hubCounts(database.db);
    const { result: previews, rows } = await succeeds(database.db, () =>
      previewExport(ops, actors.operator, { all: true, feedType: 'delta' }),
    );
    expect(await hubCounts(database.db)).toEqual(before);
    expect(rows.map((row) => [row.action, row.outcome, row.detail])).toEqual([
      ['preview', 'done', 'export --dry-run delta: lms, hr'],
    ]);

    const sent = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    for (const preview of previews) {
      const feed = sent.feeds.find((candidate) => candidate.recipient === preview.recipient);
      expect({ recipient: preview.recipient, type: preview.feedType, ...preview.delta }).toEqual({
        recipient: feed?.recipient,
        type: feed?.type,
        added: feed?.added,
        changed: feed?.changed,
        deleted: feed?.deleted,
      });
      expect(preview.bytes).toBe(feed?.bytes);
    }
    const lms = previews.find((preview) => preview.recipient === 'lms');
    expect(
      (lms?.delta?.added ?? 0) + (lms?.delta?.changed ?? 0) + (lms?.delta?.deleted ?? 0),
    ).toBeGreaterThan(0);
  });

  it('refuses an actor without the operator role, audited as denied', async () => {
    await expectDenied(database.db, () => previewExport(ops, actors.viewer, { all: true }), {
      actor: actors.viewer,
      action: 'preview',
      role: 'operator',
    });
    await expectDenied(database.db, () => previewExport(ops, actors.nobody, { all: true }), {
      actor: actors.nobody,
      action: 'preview',
      role: 'operator',
    });
  });

  it('refuses bad input naming the field, and an unknown recipient, with a refused row', async () => {
    const row = { actor: 'test:olga', action: 'preview', subject: null };
    await expectRefused(
      database.db,
      () => previewExport(ops, actors.operator, { all: true, sampleSize: 99 }),
      { code: 'PIFU_USAGE_INVALID', message: /sampleSize: /, row },
    );
    await expectRefused(database.db, () => previewExport(ops, actors.operator, { recipients: ['nope'] }), {
      code: 'PIFU_RECIPIENT_UNKNOWN',
      message: /no recipient "nope"/,
      row: { ...row, detail: 'PIFU_RECIPIENT_UNKNOWN' },
    });
  });
});
