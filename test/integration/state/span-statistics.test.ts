import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../../../src/db/index.js';
import { listPersonDisclosures, type DisclosureLine } from '../../../src/disclosure/index.js';
import { formatStateHeader } from '../../../src/state/index.js';
import * as fullRowsInSpans from '../../../schemas/hub/0025-full-rows-in-spans.js';
import {
  acknowledgeManifests,
  insertPendingTransfer,
  writeManifests,
} from '../../helpers/pending-transfer.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/**
 * The spans' planner statistics (issue 14, delivery target): a first full, whose statements never read
 * the spans, no longer analyses them after commit (0.4–1.2 s of an Oslo delivery); a later full analyses
 * them first, once, when they promise far fewer open spans of its recipient than it carries persons, and
 * not when they are fresh. The register stays exact either way.
 */
describe('the disclosure spans are analysed where a join needs them, not after every first full', () => {
  let database: TestDatabase;
  let db: Kysely<HubDatabase>;
  let dir: string;
  let made = 0;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    db = database.db as Kysely<HubDatabase>;
    dir = scratchDir('pifu-span-statistics-');
  });
  afterAll(async () => {
    await database.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A full of `persons` persons (the first `changed` of them new or changed), the first tenth members too, then members only. */
  function fullLines(persons: number, changed: number): DisclosureLine[] {
    const lines: DisclosureLine[] = [];
    for (let i = 0; i < persons; i++) {
      lines.push({
        kind: 'person',
        personKey: `p${String(i).padStart(6, '0')}`,
        categories: i % 3 === 0 ? ['name', 'id:fnr'] : ['name'],
        ...(i >= changed ? { unchanged: true } : {}),
      });
    }
    for (let i = 0; i < persons / 10; i++)
      lines.push({ kind: 'member', personKey: `p${String(i).padStart(6, '0')}` });
    for (let i = 0; i < 50; i++) lines.push({ kind: 'member', personKey: `member-only-${i}` });
    return lines;
  }

  /** The spans' ANALYZE count so far (manual ones; autovacuum may be off or on). */
  async function analyses(): Promise<number> {
    await sql`SELECT pg_stat_clear_snapshot()`.execute(db);
    const { rows } = await sql<{ n: string }>`SELECT analyze_count AS n FROM pg_stat_user_tables
      WHERE schemaname = 'hub' AND relname = 'disclosure_span'`.execute(db);
    return Number(rows[0]?.n ?? 0);
  }

  async function deliverFull(
    recipientId: string,
    basedOn: string | null,
    lines: DisclosureLine[],
    feedType: 'full' | 'delta' = 'full',
  ): Promise<string> {
    const id = `${recipientId}-${made++}`;
    await insertPendingTransfer(db, id, recipientId, feedType);
    const feedPath = join(dir, `${id}.xml`);
    await writeManifests(feedPath, { state: formatStateHeader('replace'), disclosures: lines });
    const acknowledged = await acknowledgeManifests(
      db,
      {
        transferId: id,
        recipientId,
        basedOn,
        deliveredAt: new Date(Date.UTC(2026, 10, 29, 2) + made * 1000),
      },
      feedPath,
    );
    expect(acknowledged).toBe(true);
    return id;
  }

  /** The recipient's open spans: person → categories, as the lines say they must be. */
  async function openSpans(recipientId: string): Promise<Map<string, string[]>> {
    const { rows } = await sql<{ person_key: string; categories: string[] }>`SELECT person_key, categories
      FROM hub.disclosure_span WHERE recipient_id = ${recipientId} AND closed_seq IS NULL`.execute(db);
    return new Map(rows.map((row) => [row.person_key, row.categories]));
  }

  function expectedSpans(lines: DisclosureLine[]): Map<string, string[]> {
    const spans = new Map<string, string[]>();
    for (const line of lines) if (line.kind === 'person') spans.set(line.personKey, [...line.categories]);
    for (const key of new Set(lines.filter((line) => line.kind === 'member').map((line) => line.personKey)))
      spans.set(key, [...(spans.get(key) ?? []), 'memberships']);
    return spans;
  }

  it("keeps the register's person keys in byte order (hub migration 0023), as the staging tables joined to them", async () => {
    const { rows } = await sql<{ relname: string; collation: string }>`SELECT c.relname,
        (SELECT collname FROM pg_collation WHERE oid = a.attcollation) AS collation
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'hub' AND c.relname IN ('disclosure', 'disclosure_span') AND a.attname = 'person_key'
      ORDER BY c.relname`.execute(db);
    expect(rows).toEqual([
      { relname: 'disclosure', collation: 'C' },
      { relname: 'disclosure_span', collation: 'C' },
    ]);
  });

  it('skips the ANALYZE after a first full, takes it before a later full on stale statistics, and not on fresh ones', async () => {
    // Statistics taken while only another recipient had spans: they promise next to none of `lms`.
    await deliverFull('other', null, fullLines(2_000, 2_000));
    await sql`ANALYZE hub.disclosure_span`.execute(db);
    const before = await analyses();

    const first = fullLines(12_000, 12_000);
    const firstId = await deliverFull('lms', null, first);
    expect(await analyses()).toBe(before);
    expect(await openSpans('lms')).toEqual(expectedSpans(first));

    // 500 persons changed and the 50 members only (never "unchanged"): their spans close and open again.
    const second = fullLines(12_000, 500);
    const secondId = await deliverFull('lms', firstId, second);
    expect(await analyses()).toBe(before + 1);
    expect(await openSpans('lms')).toEqual(expectedSpans(second));
    const { rows: counted } = await sql<{ closed: number; opened: number }>`SELECT
        count(*) FILTER (WHERE closed_seq IS NOT NULL) AS closed,
        count(*) FILTER (WHERE opened_by = ${secondId}) AS opened
      FROM hub.disclosure_span WHERE recipient_id = 'lms'`.execute(db);
    expect(counted).toEqual([{ closed: 550, opened: 550 }]);

    await deliverFull('lms', secondId, fullLines(12_000, 100));
    expect(await analyses()).toBe(before + 1);
    expect(await openSpans('lms')).toEqual(expectedSpans(fullLines(12_000, 100)));

    // A recipient under 10,000 persons never analyses, stale as its statistics are.
    const small = await deliverFull('small', null, fullLines(3_000, 3_000));
    await deliverFull('small', small, fullLines(3_000, 10));
    expect(await analyses()).toBe(before + 1);
    expect(await openSpans('small')).toEqual(expectedSpans(fullLines(3_000, 10)));
  });

  it('hub migration 0025 drops the rows an older hub wrote beside the spans a full opened, and no answer', async () => {
    const first = await deliverFull('archive', null, fullLines(300, 300));
    const delta = await deliverFull('archive', first, fullLines(40, 40), 'delta');
    await deliverFull('archive', delta, fullLines(300, 20));
    // What a hub before 0025 also wrote: a row beside each span a full opened, as its own answer.
    await sql`INSERT INTO hub.disclosure (transfer_id, person_key, recipient_id, categories, disclosed_at)
      SELECT s.opened_by, s.person_key, s.recipient_id, s.categories, rc.disclosed_at
      FROM hub.disclosure_span s JOIN hub.disclosure_reconfirmation rc
        ON rc.recipient_id = s.recipient_id AND rc.seq = s.opened_seq
      WHERE s.recipient_id = 'archive'`.execute(db);
    const persons = ['p000000', 'p000019', 'p000020', 'p000299', 'member-only-3'];
    const answers = async () =>
      Promise.all(
        persons.map(async (key) =>
          (await listPersonDisclosures(db, key))
            .filter((answer) => answer.recipientId === 'archive')
            .map((answer) => answer.transferId),
        ),
      );
    const doubled = await answers();

    await fullRowsInSpans.up(db);
    const once = await answers();
    expect(once).toEqual(doubled.map((transfers) => [...new Set(transfers)]));
    expect(once.map((transfers) => transfers.length)).toEqual([3, 3, 3, 2, 3]);
    const { rows } = await sql<{ transfer_id: string }>`SELECT DISTINCT transfer_id FROM hub.disclosure
      WHERE recipient_id = 'archive'`.execute(db);
    expect(rows).toEqual([{ transfer_id: delta }]);
  });
});
