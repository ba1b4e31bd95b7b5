import { sql } from 'kysely';
import { readHeldObjectsAmong } from '../../../src/state/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const membership = (group: string, person: string) => `${group}\u0001${person}\u000101`;

/** The held side of an incremental delta: named objects, and every membership of the groups named. */
describe('readHeldObjectsAmong', () => {
  let database: TestDatabase;
  // More groups than one query's page of prefixes (500).
  const manyGroups = Array.from({ length: 1_203 }, (_, i) => `g-m${String(i).padStart(4, '0')}`);
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const rows = [
      ...['g-1', 'g-10', 'g-2', 'g-3'].flatMap((group) =>
        ['p-1', 'p-2', 'p-3'].map((person) => ['r-a', 3, membership(group, person)] as const),
      ),
      ...manyGroups.map((group) => ['r-c', 3, membership(group, 'p-1')] as const),
      ['r-b', 3, membership('g-1', 'p-9')],
      ['r-a', 2, 'g-1'],
      ['r-a', 1, 'p-1'],
    ] as const;
    await sql`INSERT INTO hub.delivered_object (recipient_id, object_type, object_key, hash, transfer_id)
      SELECT r, t, k, 'h:' || k, 't-1' FROM unnest(${rows.map((row) => row[0])}::text[],
        ${rows.map((row) => row[1])}::smallint[], ${rows.map((row) => row[2])}::text[]) AS x(r, t, k)`.execute(
      database.db,
    );
  });
  afterAll(() => database.destroy());

  it('finds every membership of each group prefix, and the keys named, once each, in key order', async () => {
    const found = await readHeldObjectsAmong(database.db, 'r-a', 'membership', {
      keys: [membership('g-3', 'p-2'), membership('g-1', 'p-1'), membership('g-9', 'p-1')],
      prefixes: ['g-2', 'g-1', 'g-7'],
    });
    expect(found.map((object) => object.key)).toEqual([
      membership('g-1', 'p-1'),
      membership('g-1', 'p-2'),
      membership('g-1', 'p-3'),
      // g-10 shares g-1's first characters, not its prefix and separator.
      membership('g-2', 'p-1'),
      membership('g-2', 'p-2'),
      membership('g-2', 'p-3'),
      membership('g-3', 'p-2'),
    ]);
    expect(found[0]?.hash).toBe(`h:${membership('g-1', 'p-1')}`);
  });

  it('reads every page of prefixes', async () => {
    const found = await readHeldObjectsAmong(database.db, 'r-c', 'membership', {
      keys: [],
      prefixes: [...manyGroups].reverse(),
    });
    expect(found.map((object) => object.key)).toEqual(manyGroups.map((group) => membership(group, 'p-1')));
  });

  it('reads only the recipient’s own objects of the type asked, and nothing for no keys or prefixes', async () => {
    const other = await readHeldObjectsAmong(database.db, 'r-b', 'membership', {
      keys: [],
      prefixes: ['g-1'],
    });
    expect(other.map((object) => object.key)).toEqual([membership('g-1', 'p-9')]);
    const groups = await readHeldObjectsAmong(database.db, 'r-a', 'group', { keys: [], prefixes: ['g-1'] });
    expect(groups).toEqual([]);
    expect(await readHeldObjectsAmong(database.db, 'r-a', 'membership', { keys: [] })).toEqual([]);
  });
});
