import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import { importFile } from '../../../src/operations/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, operationContext, testActor } from '../../helpers/hub-fixture.js';
import { shippedRecipients } from '../../helpers/recipients-dir.js';
import { createTestDatabase } from '../../helpers/test-database.js';

const examplesDir = fileURLToPath(new URL('../../../fixtures/golden/pifu-examples/', import.meta.url));
const examples = readdirSync(examplesDir).filter((name) => name.endsWith('.xml'));

/**
 * Every official example file (Utdanningsdirektoratet's, carried in fixtures/golden/pifu-examples) imports
 * for real, not only as a dry run (import-file.test.ts): with the lenient modes it needs, as the first
 * import of a hub, it is one completed run that delivers a feed to every shipped recipient, keeps the
 * file's hub keys and writes an audit row naming the tolerated problems. The placeholder national
 * numbers in the examples reach no feed whole.
 */
describe('the official PIFU examples as a source', () => {
  it('finds all nine examples', () => {
    expect(examples).toHaveLength(9);
  });

  it.each(examples)('%s imports into a new hub and every recipient gets its feed', async (name) => {
    const database = await createTestDatabase({ migrated: true });
    try {
      const ctx = hubContext(database.db, { recipients: (dir) => shippedRecipients(dir) });
      const ops = {
        ...operationContext(ctx),
        rosterFiles: createPifuFileReader({ db: ctx.db, limits: defaultInputLimits, sourceName: 'pifu-hub' }),
      };
      const result = await importFile(ops, testActor(), {
        path: join(examplesDir, name),
        lenient: ['all'],
        feedType: 'full',
      });
      expect(result.report.refused).toBe(false);
      // Some examples carry only absence or grades of persons sent before: withheld at the door, they
      // leave an empty roster (and its memberships dangle), which imports as such.
      const { persons, groups } = result.report.counts;
      const withheld = Object.values(result.report.withheld).reduce((sum, n) => sum + n, 0);
      expect(persons + groups + withheld).toBeGreaterThan(0);
      expect(result.run?.status).toBe('completed');
      const transfers = await listRunTransfers(ctx.db, result.run?.runId ?? '');
      expect(transfers.map((transfer) => [transfer.recipientId, transfer.status]).sort()).toEqual(
        [...ctx.recipients.keys()].sort().map((id) => [id, 'delivered']),
      );
      const { rows: keys } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM hub.source_identity WHERE kind = 'person'`.execute(database.db);
      // One mapping per source id: a person with a former id (sourcedidtype Old) has two.
      expect(keys[0]?.n).toBeGreaterThanOrEqual(result.report.counts.persons);
      // The audit row says which problems were tolerated, by mode and count, as the report does.
      const { rows: audit } = await sql<{ outcome: string; detail: string }>`
        SELECT outcome, detail FROM hub.audit WHERE action = 'import'`.execute(database.db);
      expect(audit.map((row) => row.outcome)).toEqual(['done']);
      for (const [mode, count] of Object.entries(result.report.problemCounts)) {
        expect(audit[0]?.detail).toContain(`${mode} ${count}`);
      }
      for (const transfer of transfers) {
        expect(readFileSync(transfer.location ?? '', 'utf8')).not.toMatch(/17097055655|09119311111/);
      }
    } finally {
      await database.destroy();
    }
  });
});
