import { sourceIdentities, type SourceIdentityRow } from '../../../src/identity/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/**
 * A reader loads the known source ids a page at a time (keyset pages in datasource and hash order), never
 * the whole table as rows at once (issue 13: Oslo has about 300,000 persons); the same id from two
 * systems is two mappings.
 */
describe('source identities in keyset pages', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('hands every mapping of a kind once, in pages of the size asked, and none of the other kind', async () => {
    const identities = await sourceIdentities(database.db);
    // Ids 0 to 7,999 from one system, 4,345 of them (3,655 to 7,999) from another too: pages cross systems.
    const rows = (kind: SourceIdentityRow['kind'], count: number): SourceIdentityRow[] =>
      Array.from({ length: count }, (_, i) => ({
        kind,
        datasource: i < 8_000 ? 'ist@kommune.no' : 'visma-flyt',
        sourceIdHash: identities.hash(kind, `${kind}-${i < 8_000 ? i : i - 4_345}`),
        hubKey: `${kind}-key-${i}`,
      }));
    // Recorded from a generator, as a reader hands the mappings it made: more than one statement's batch.
    function* persons(): Generator<SourceIdentityRow> {
      yield* rows('person', 12_345);
    }
    await identities.record(database.db, persons());
    await identities.record(database.db, rows('group', 7));

    const sizes: number[] = [];
    const seen: SourceIdentityRow[] = [];
    for await (const page of identities.pages('person', 5_000)) {
      sizes.push(page.length);
      seen.push(...page);
    }
    expect(sizes).toEqual([5_000, 5_000, 2_345]);
    const byHash = (a: SourceIdentityRow, b: SourceIdentityRow) =>
      a.sourceIdHash.localeCompare(b.sourceIdHash);
    const byRow = (a: SourceIdentityRow, b: SourceIdentityRow) =>
      a.datasource.localeCompare(b.datasource) || byHash(a, b);
    expect([...seen].sort(byRow)).toEqual(rows('person', 12_345).sort(byRow));
    expect(new Set(seen.map((row) => `${row.datasource} ${row.sourceIdHash}`)).size).toBe(12_345);
    expect(new Set(seen.map((row) => row.sourceIdHash)).size).toBe(8_000);

    const groups: SourceIdentityRow[] = [];
    for await (const page of identities.pages('group')) groups.push(...page);
    expect(groups).toHaveLength(7);
  }, 60_000);
});
