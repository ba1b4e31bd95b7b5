import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import { writeSourceExport } from '../../../fixtures/generator/index.js';
import { type RecipientConfig } from '../../../src/config/index.js';
import { importFile, type OperationContext } from '../../../src/operations/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import { shippedRecipients } from '../../helpers/recipients-dir.js';
import { hubContext, operationContext, seededDatabase, testActor } from '../../helpers/hub-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const examplesDir = fileURLToPath(new URL('../../../fixtures/golden/pifu-examples/', import.meta.url));
const ids = ['websak', 'skoleplattform-directory', 'skole-sms', 'itslearning'];

const recipients = (dir: string): RecipientConfig[] => shippedRecipients(dir, ids);

async function count(db: Kysely<unknown>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db);
  return rows[0]!.n;
}

describe('import FILE: a PIFU export as the source of a run', () => {
  const database = seededDatabase('tiny');
  let ops: OperationContext;
  let file: string;
  let recordsCounts: { persons: number; groups: number; memberships: number };

  beforeAll(async () => {
    const ctx = hubContext(database.db, { recipients });
    ops = {
      ...operationContext(ctx),
      rosterFiles: createPifuFileReader({ db: ctx.db, limits: defaultInputLimits, sourceName: 'pifu-hub' }),
    };
    const dir = scratchDir('pifu-import-');
    file = join(dir, 'export.xml');
    recordsCounts = await writeSourceExport(ctx.source, file);
  }, 120_000);

  it('dry run: reports the file and what each recipient would get, and records nothing', async () => {
    const runsBefore = await count(database.db, 'hub.run');
    const result = await importFile(ops, testActor(), { path: file, dryRun: true });
    expect(result.report).toMatchObject({ refused: false, problemCounts: {}, feedType: 'full' });
    expect(result.report.counts.persons).toBe(recordsCounts.persons);
    expect(result.previews?.map((preview) => preview.recipient).sort()).toEqual([...ids].sort());
    expect(await count(database.db, 'hub.run')).toBe(runsBefore);
    expect(await count(database.db, 'hub.source_identity')).toBe(0);
  });

  it('import: one run delivering to every recipient, with the hub keys kept and an audit row', async () => {
    const result = await importFile(ops, testActor(), { path: file, feedType: 'full' });
    expect(result.run?.status).toBe('completed');
    expect(result.run?.feeds.map((feed) => feed.recipient).sort()).toEqual([...ids].sort());
    // The records store's keys are opaque uuids: the hub adopts them, so the feeds name the same persons.
    expect(result.report.rekeyed.persons).toBe(0);
    const { rows: mapped } = await sql<{ kind: string; n: number }>`
      SELECT kind, count(*)::int AS n FROM hub.source_identity GROUP BY kind ORDER BY kind`.execute(
      database.db,
    );
    expect(mapped).toEqual([
      { kind: 'group', n: recordsCounts.groups },
      { kind: 'person', n: recordsCounts.persons },
    ]);
    const { rows } = await sql<{ outcome: string }>`
      SELECT outcome FROM hub.audit WHERE action = 'import' ORDER BY id DESC LIMIT 1`.execute(database.db);
    expect(rows[0]?.outcome).toBe('done');
  });

  it('the same file again is a delta with nothing in it', async () => {
    const result = await importFile(ops, testActor(), { path: file });
    for (const feed of result.run?.feeds ?? []) {
      expect([feed.added ?? 0, feed.changed ?? 0, feed.deleted ?? 0]).toEqual([0, 0, 0]);
    }
  });

  it.each(readdirSync(examplesDir).filter((name) => name.endsWith('.xml')))(
    'official example %s: refused as it stands, imported with the lenient modes it needs, reported',
    async (name) => {
      const path = join(examplesDir, name);
      const strict = await importFile(ops, testActor(), { path, dryRun: true });
      const lenient = await importFile(ops, testActor(), { path, dryRun: true, lenient: ['all'] });
      expect(lenient.report.refused).toBe(false);
      expect(strict.report.problemCounts).toEqual(lenient.report.problemCounts);
      expect(strict.report.refused).toBe(Object.keys(strict.report.problemCounts).length > 0);
      const text = JSON.stringify(lenient.report);
      // The placeholder national numbers never appear whole, not even in the report.
      expect(text).not.toMatch(/17097055655|09119311111/);
      if (readFileSync(path, 'utf8').includes('pifu_absence'))
        expect(lenient.report.withheld['absence']).toBeGreaterThan(0);
    },
  );
});
