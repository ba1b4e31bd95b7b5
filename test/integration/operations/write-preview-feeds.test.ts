import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { startExport, writePreviewFeeds } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  actors,
  expectDenied,
  expectRefused,
  hubCounts,
  operationsOver,
  seededDatabase,
  sha256Of,
  succeeds,
} from './operations-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('writePreviewFeeds (export --out)', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let base: string;
  beforeAll(async () => {
    database = await seededDatabase();
    const feed = { safety: { maxDeletePercent: 100, maxChangePercent: 100 } };
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms'), { feed }),
      // Pseudonymised: the preview must use the key the real export uses, or the bytes differ.
      recipient('stats', 'analytics', join(dir, 'stats'), { feed, profile: { pseudonymise: true } }),
    ]);
    base = scratchDir('pifu-preview-');
  });
  afterAll(async () => database.destroy());

  it('B4: writes exactly the file the next real delivery carries, 0600 in 0700, and changes nothing', async () => {
    const outDir = join(base, 'full');
    const before = await hubCounts(database.db);
    const { result: files, rows } = await succeeds(database.db, () =>
      writePreviewFeeds(ops, actors.operator, { all: true, outDir }),
    );
    expect(await hubCounts(database.db)).toEqual(before);
    expect(readdirSync(ops.dropDir)).toEqual([]);
    expect(files.map((file) => [file.recipient, file.feedType, dirname(file.filePath)])).toEqual([
      ['lms', 'full', join(outDir, 'lms')],
      ['stats', 'full', join(outDir, 'stats')],
    ]);
    for (const file of files) {
      expect(mode(file.filePath)).toBe(0o600);
      expect(mode(dirname(file.filePath))).toBe(0o700);
      expect(readdirSync(dirname(file.filePath))).toEqual([file.filePath.split('/').at(-1)]);
      expect(sha256Of(file.filePath)).toBe(file.sha256Hex);
    }
    expect(rows).toEqual([
      {
        actor: 'test:olga',
        action: 'preview-file',
        outcome: 'done',
        subject: null,
        detail: `full of lms, stats written to ${outDir}`,
        source: 'local',
      },
    ]);

    const real = await startExport(ops, actors.operator, { all: true });
    for (const file of files) {
      const feed = real.feeds.find((candidate) => candidate.recipient === file.recipient);
      expect({ recipient: file.recipient, status: feed?.status, sha256: sha256Of(feed?.file ?? '') }).toEqual(
        {
          recipient: file.recipient,
          status: 'delivered',
          sha256: sha256Of(file.filePath),
        },
      );
    }
  });

  it('B4: a delta preview is the delta the recipient would get now, byte for byte', async () => {
    await mutateMunicipality(database.db, { percent: 5, seed: 21 });
    const outDir = join(base, 'delta');
    const before = await hubCounts(database.db);
    const files = await writePreviewFeeds(ops, actors.operator, { all: true, feedType: 'delta', outDir });
    expect(await hubCounts(database.db)).toEqual(before);
    const real = await startExport(ops, actors.operator, { all: true, feedType: 'delta' });
    for (const file of files) {
      const feed = real.feeds.find((candidate) => candidate.recipient === file.recipient);
      expect(feed).toMatchObject({ type: 'delta', status: 'delivered' });
      expect({ recipient: file.recipient, type: file.feedType, sha256: sha256Of(file.filePath) }).toEqual({
        recipient: file.recipient,
        type: 'delta',
        sha256: sha256Of(feed?.file ?? ''),
      });
    }
  });

  it('refuses an actor without the operator role, audited as denied, writing nothing', async () => {
    const outDir = join(base, 'denied');
    await expectDenied(database.db, () => writePreviewFeeds(ops, actors.viewer, { all: true, outDir }), {
      actor: actors.viewer,
      action: 'preview-file',
      role: 'operator',
    });
    expect(readdirSync(base)).not.toContain('denied');
  });

  it('refuses a relative directory and an unknown recipient with a refused row, writing nothing', async () => {
    const row = { actor: 'test:olga', action: 'preview-file', subject: null };
    await expectRefused(
      database.db,
      () => writePreviewFeeds(ops, actors.operator, { all: true, outDir: 'preview' }),
      { code: 'PIFU_USAGE_INVALID', message: /outDir: an absolute directory path/, row },
    );
    await expectRefused(
      database.db,
      () => writePreviewFeeds(ops, actors.operator, { recipients: ['nope'], outDir: join(base, 'nope') }),
      { code: 'PIFU_RECIPIENT_UNKNOWN', row: { ...row, detail: 'PIFU_RECIPIENT_UNKNOWN' } },
    );
    expect(readdirSync(base).sort()).toEqual(['delta', 'full']);
  });
});
