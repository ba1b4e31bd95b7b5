import { writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import type { HubDatabase } from '../../../src/db/index.js';
import { compareKeys } from '../../../src/model/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import type { RosterFile, RosterFileReader } from '../../../src/ports/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { byMembership, exportedA, forgetImports, fullExport } from './support/roster-change.js';
import { person, role, rosterA } from './support/small-roster.js';
import { expectedBase } from './support/expected-base.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

// Ids that are uuids stay the hub's keys, so the kept base is the same bytes on every run.
const ids = [
  'f0000000-0000-4000-8000-000000000001',
  'a0000000-0000-4000-8000-000000000002',
  'c0000000-0000-4000-8000-000000000003',
  '10000000-0000-4000-8000-000000000004',
];

/** Persons and groups out of key order in the file, a guardian link, an inactive person and a NIN. */
const roster = {
  persons: [
    person(ids[0]!, 'Elev', [ids[2]!, ids[3]!]),
    { ...person(ids[1]!, 'Lærer'), identifiers: [{ type: 'nin' as const, value: '08908200064' }] },
    person(ids[2]!, 'Verge'),
    { ...person(ids[3]!, 'Borte'), status: 'inactive' as const },
  ],
  groups: [...rosterA.groups].reverse(),
  memberships: [
    role('001', ids[0]!, 'pupil'),
    role('001', ids[1]!, 'teacher'),
    role('001-1A', ids[0]!, 'pupil'),
    role('001-1B', ids[1]!, 'teacher'),
  ].sort(byMembership),
};

/**
 * The roster an import keeps as the base of the system's next delta (import-base.ts) is sorted once and
 * shared with the run's snapshot; whichever reads it first, the kept files are the same bytes as when
 * each sorted on its own (`expectedBase`, written by that code).
 */
describe('the roster a full import keeps as the base of the next delta', () => {
  let database: TestDatabase;
  let reader: RosterFileReader;
  let path: string;
  let spoolDir: string;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    // A fixed key for the ids' keyed hashes (guardian links are kept as such), so the base is fixed bytes.
    const secret = { name: 'source-identity', secret: Buffer.alloc(32, 7) };
    await database.db
      .insertInto('hub.secret')
      .values(secret)
      .onConflict((oc) => oc.column('name').doUpdateSet(secret))
      .execute();
    reader = createPifuFileReader({ db: database.db, limits: defaultInputLimits, sourceName: 'pifu-hub' });
    const dir = scratchDir('pifu-base-');
    path = join(dir, 'full.xml');
    writeFileSync(path, await fullExport(roster, exportedA));
  }, 180_000);
  beforeEach(async () => {
    await forgetImports(database.db);
    spoolDir = scratchDir('pifu-base-spool-');
  });
  afterEach(async () => {
    await rm(spoolDir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await database.destroy();
  });

  async function drain(file: RosterFile): Promise<number> {
    const snapshot = await file.source.openSnapshot();
    let count = 0;
    for await (const _ of snapshot.persons()) count++;
    for await (const _ of snapshot.groups()) count++;
    return count;
  }

  /** The base's files by name, read after the import committed and closed. */
  async function keptBase(): Promise<Record<string, string>> {
    const root = join(spoolDir, 'import-bases');
    const bases = (await readdir(root, { recursive: true })).filter((name) => name.split('/').length === 2);
    expect(bases).toHaveLength(1);
    const files: Record<string, string> = {};
    for (const name of (await readdir(join(root, bases[0]!))).sort()) {
      files[name] = await readFile(join(root, bases[0]!, name), 'utf8');
    }
    return files;
  }

  async function commit(file: RosterFile): Promise<void> {
    const db = database.db as Kysely<HubDatabase>;
    await db.transaction().execute((trx) => file.commit(trx, 'run-base'));
    await file.close();
  }

  it('as import does (prepare, then the snapshot): the same bytes as before', async () => {
    const file = await reader.read(path, { lenient: [], scratchDir: spoolDir });
    await file.prepare();
    expect(await drain(file)).toBe(8);
    await commit(file);
    expect(await keptBase()).toEqual(expectedBase);
  });

  it('as the bench does (the snapshot, then commit): the same bytes', async () => {
    const file = await reader.read(path, { lenient: [], scratchDir: spoolDir });
    expect(await drain(file)).toBe(8);
    expect(await drain(file)).toBe(8);
    await commit(file);
    expect(await keptBase()).toEqual(expectedBase);
  });

  it('committed without a snapshot (commit prepares): the same bytes', async () => {
    const file = await reader.read(path, { lenient: [], scratchDir: spoolDir });
    await commit(file);
    expect(await keptBase()).toEqual(expectedBase);
  });

  /** What `import-bases/` holds: `<source hash>/<base id>` of every kept roster, none if it was never made. */
  async function baseDirs(): Promise<string[]> {
    const root = join(spoolDir, 'import-bases');
    const names = await readdir(root, { recursive: true }).catch(() => [] as string[]);
    return names.filter((name) => name.split('/').length === 2);
  }

  /**
   * The base is written into the import's scratch directory and moved into import-bases/ only in the
   * transaction that names it (import-base.ts): a process killed after writing it leaves nothing there
   * (its scratch directory is removed by the next read), and a transaction that rolls back after the move
   * leaves nothing once the import closes.
   */
  it('written, not yet committed: nothing under import-bases/ (a kill -9 here leaves only scratch)', async () => {
    const file = await reader.read(path, { lenient: [], scratchDir: spoolDir });
    await file.prepare();
    expect(await baseDirs()).toEqual([]);
    await file.close();
    expect(await baseDirs()).toEqual([]);
    expect((await readdir(spoolDir)).filter((name) => name.startsWith('import-'))).toEqual([]);
  });

  it('a transaction that rolls back after the base was moved: nothing under import-bases/, no row', async () => {
    const file = await reader.read(path, { lenient: [], scratchDir: spoolDir });
    await file.prepare();
    const db = database.db as Kysely<HubDatabase>;
    const rolledBack = new Error('rolled back');
    await expect(
      db.transaction().execute(async (trx) => {
        await file.commit(trx, 'run-base');
        expect(await baseDirs()).toHaveLength(1); // moved in the transaction, before COMMIT
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    await file.close();
    expect(await baseDirs()).toEqual([]);
    expect(await db.selectFrom('hub.import_base').selectAll().execute()).toEqual([]);
  });

  it('committed: exactly the base the row names, complete', async () => {
    const file = await reader.read(path, { lenient: [], scratchDir: spoolDir });
    await commit(file);
    const rows = await database.db.selectFrom('hub.import_base').select(['datasource', 'base_id']).execute();
    expect(rows).toHaveLength(1);
    const dirs = await baseDirs();
    expect(dirs.map((dir) => dir.split('/')[1])).toEqual([rows[0]!.base_id]);
    expect(await keptBase()).toEqual(expectedBase);
  });

  /**
   * One sort feeds the first reader of the persons as its merge gives them (roster-persons.ts): the
   * snapshot's first person comes before the sorted file is complete (before, the sort wrote all of it
   * and the snapshot then read it again). Whoever asks after reads the file; a reader that stops early
   * leaves no half file behind for the base, which sorts again.
   */
  it('the snapshot asking first reads the sort as it comes out; the base then takes the same persons', async () => {
    const keys = Array.from(
      { length: 1500 },
      (_, i) => `b${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`,
    );
    const many = join(dirname(path), 'many.xml');
    const persons = keys.map((key, i) => person(key, `P${i}`));
    writeFileSync(many, await fullExport({ persons, groups: rosterA.groups, memberships: [] }, exportedA));
    const file = await reader.read(many, { lenient: [], scratchDir: spoolDir });
    const scratch = (await readdir(spoolDir)).filter((name) => /^import-\w{6}$/.test(name));
    expect(scratch).toHaveLength(1);
    const sortedFile = join(spoolDir, scratch[0]!, 'persons-sorted.ndjson');
    const lines = async () =>
      (await readFile(sortedFile, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '').length;

    // Stopped after one person: the next reader and the base get all of them.
    const stopped = (await file.source.openSnapshot()).persons()[Symbol.asyncIterator]();
    expect((await stopped.next()).done).toBe(false);
    await stopped.return?.(undefined);

    const snapshot = (await file.source.openSnapshot()).persons()[Symbol.asyncIterator]();
    const first = await snapshot.next();
    expect(first.done).toBe(false);
    expect(await lines()).toBeLessThan(keys.length); // not written first and read again
    const got = [(first.value as { key: string }).key];
    for (let next = await snapshot.next(); next.done !== true; next = await snapshot.next()) {
      got.push(next.value.key);
    }
    expect(got).toHaveLength(keys.length);
    expect(await lines()).toBe(keys.length);

    await file.prepare();
    const again: string[] = [];
    for await (const p of (await file.source.openSnapshot()).persons()) again.push(p.key);
    expect(again).toEqual(got);
    await commit(file);
    const kept = await keptBase();
    const base = kept['persons.ndjson']!.split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { person: { key: string } }).person.key);
    expect(base).toEqual(got);
  }, 60_000);

  /**
   * The order the base takes instead of sorting again: whatever order a file gives its persons, and
   * whichever of prepare and the snapshot comes first, the snapshot's persons and the base's are the
   * same keys in strictly ascending canonical order.
   */
  it('the snapshot and the base give the persons in canonical key order, whatever order the file has', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
        fc.boolean(),
        async (keys, links, snapshotFirst) => {
          await forgetImports(database.db);
          await rm(spoolDir, { recursive: true, force: true });
          const guardians = new Map<number, string[]>();
          for (const [child, adult] of links) {
            guardians.set(child % keys.length, [keys[adult % keys.length]!]);
          }
          const file = join(dirname(path), 'order.xml');
          const persons = keys.map((key, i) => person(key, `P${i}`, guardians.get(i) ?? []));
          writeFileSync(
            file,
            await fullExport({ persons, groups: rosterA.groups, memberships: [] }, exportedA),
          );
          const read = await reader.read(file, { lenient: ['dangling-references'], scratchDir: spoolDir });
          const fromSnapshot = async () => {
            const got: string[] = [];
            for await (const p of (await read.source.openSnapshot()).persons()) got.push(p.key);
            return got;
          };
          let snapshot: string[];
          if (snapshotFirst) {
            snapshot = await fromSnapshot();
            await read.prepare();
          } else {
            await read.prepare();
            snapshot = await fromSnapshot();
          }
          await commit(read);
          const kept = await keptBase();
          const base = kept['persons.ndjson']!.split('\n')
            .filter((line) => line !== '')
            .map((line) => (JSON.parse(line) as { person: { key: string } }).person.key);
          expect(snapshot).toHaveLength(keys.length);
          expect(base).toEqual(snapshot);
          for (let i = 1; i < snapshot.length; i++) {
            expect(compareKeys(snapshot[i - 1]!, snapshot[i]!)).toBeLessThan(0);
          }
        },
      ),
      { numRuns: Math.min(Number(process.env['FC_RUNS'] ?? 25), 30) },
    );
  }, 300_000);
});
