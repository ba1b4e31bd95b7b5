import { sourceIdentities, type SourceIdentityRow } from '../../../src/identity/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/**
 * A reader loads the known source ids a page at a time (keyset pages in hash order), never the whole
 * table as rows at once (issue 13: Oslo has about 300,000 persons).
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
    const rows = (kind: SourceIdentityRow['kind'], count: number): SourceIdentityRow[] =>
      Array.from({ length: count }, (_, i) => ({
        kind,
        sourceIdHash: identities.hash(kind, `${kind}-${i}`),
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
    expect([...seen].sort(byHash)).toEqual(rows('person', 12_345).sort(byHash));
    expect(new Set(seen.map((row) => row.sourceIdHash)).size).toBe(12_345);

    const groups: SourceIdentityRow[] = [];
    for await (const page of identities.pages('group')) groups.push(...page);
    expect(groups).toHaveLength(7);
  }, 60_000);
});
