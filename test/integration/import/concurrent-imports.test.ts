import { mkdtempSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import type { HubDatabase } from '../../../src/db/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import type { RosterFile, RosterFileReader } from '../../../src/ports/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import {
  byMembership,
  exportedA,
  exportedB,
  forgetImports,
  fullExport,
  type ExportRoster,
} from './support/roster-change.js';
import { person, role, rosterA } from './support/small-roster.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** rosterA with ids that are not uuids, as many school systems' are: each import picks new hub keys for them. */
const ids: Record<string, string> = {};
const systemId = (key: string) => (ids[key] ??= `elev-${Object.keys(ids).length + 1}`);
const rosterWithSystemIds: ExportRoster = {
  persons: rosterA.persons.map((p) => ({
    ...p,
    key: systemId(p.key),
    guardianKeys: p.guardianKeys.map(systemId),
  })),
  groups: rosterA.groups,
  memberships: rosterA.memberships
    .map((m) => ({ ...m, personKey: systemId(m.personKey) }))
    .sort(byMembership),
};
const withNewcomer: ExportRoster = {
  ...rosterWithSystemIds,
  persons: [...rosterWithSystemIds.persons, person('elev-ny', 'Ny')],
  memberships: [...rosterWithSystemIds.memberships, role('001', 'elev-ny', 'pupil')].sort(byMembership),
};

/**
 * Issue 13: two `import` commands of one source at once. Each reads the file against the roster the
 * source's last committed import left and picks hub keys for ids it has not seen; the first to commit
 * proceeds, the second is refused with nothing recorded (before, both committed: the second run's roster
 * carried hub keys other than those recorded, so the next import re-keyed every such person for every
 * recipient). Committing at the same time, the second waits for the first's transaction.
 */
describe('import: two imports of one source at once', () => {
  let database: TestDatabase;
  let reader: RosterFileReader;
  let dir: string;
  let spool: string;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    reader = createPifuFileReader({ db: database.db, limits: defaultInputLimits, sourceName: 'pifu-hub' });
    dir = scratchDir('pifu-concurrent-');
  });
  beforeEach(async () => {
    await forgetImports(database.db);
    spool = mkdtempSync(join(dir, 'spool-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await database.destroy();
  });

  async function file(name: string, roster: ExportRoster, datetime: string, datasource = 'sas') {
    const path = join(dir, name);
    const xml = await fullExport(roster, datetime);
    writeFileSync(
      path,
      xml
        .replace('<datasource>sas</datasource>', `<datasource>${datasource}</datasource>`)
        .replaceAll('<source>sas</source>', `<source>${datasource}</source>`),
    );
    return path;
  }
  const hubDb = () => database.db as Kysely<HubDatabase>;
  const read = (path: string) => reader.read(path, { lenient: [], scratchDir: spool });

  async function personKeys(file: RosterFile): Promise<string[]> {
    const keys: string[] = [];
    for await (const p of (await file.source.openSnapshot()).persons()) keys.push(p.key);
    return keys.sort();
  }
  async function recordedPersonKeys(): Promise<string[]> {
    const { rows } = await sql<{ key: string }>`
      SELECT DISTINCT hub_key AS key FROM hub.source_identity WHERE kind = 'person' ORDER BY 1`.execute(
      database.db,
    );
    return rows.map((row) => row.key).sort();
  }
  async function importBases(): Promise<{ run: string; dirs: number }> {
    const { rows } = await sql<{ run: string }>`SELECT run_id AS run FROM hub.import_base`.execute(
      database.db,
    );
    const root = join(spool, 'import-bases');
    const dirs = (await readdir(root, { recursive: true })).filter((name) => name.split('/').length === 2);
    expect(rows).toHaveLength(1);
    return { run: rows[0]!.run, dirs: dirs.length };
  }

  /** Commits `first` in a transaction held open while `second` commits: `second` waits, then is refused. */
  async function commitAtOnce(first: RosterFile, second: RosterFile): Promise<unknown> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstRecorded!: () => void;
    const recorded = new Promise<void>((resolve) => (firstRecorded = resolve));
    const committing = hubDb()
      .transaction()
      .execute(async (trx) => {
        await first.commit(trx, 'run-first');
        firstRecorded();
        await held;
      });
    await recorded;
    let settled = false;
    const losing = hubDb()
      .transaction()
      .execute((trx) => second.commit(trx, 'run-second'))
      .then(
        () => undefined,
        (error: unknown) => error,
      )
      .finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false); // waiting for the first's transaction
    release();
    await committing;
    return losing;
  }

  it("a source's first full export, imported twice at once: one proceeds, the other records nothing", async () => {
    const path = await file('a.xml', rosterWithSystemIds, exportedA);
    const first = await read(path);
    const second = await read(path);
    try {
      const firstKeys = await personKeys(first);
      expect(await personKeys(second)).not.toEqual(firstKeys); // each read picked keys of its own
      const error = await commitAtOnce(first, second);
      expect(error).toMatchObject({ code: 'PIFU_IMPORT_REFUSED' });
      expect(String(error)).toMatch(
        /a\.xml: another import of this source was committed \(run run-first\) while this file was read; nothing was imported/,
      );
      expect(await recordedPersonKeys()).toEqual(firstKeys);
    } finally {
      await first.close();
      await second.close();
    }
    expect(await importBases()).toEqual({ run: 'run-first', dirs: 1 });
  }, 60_000);

  it('a later full export, imported twice at once against the same base: one proceeds', async () => {
    const base = await read(await file('a.xml', rosterWithSystemIds, exportedA));
    try {
      await base.commit(database.db, 'run-base');
    } finally {
      await base.close();
    }
    const path = await file('b.xml', withNewcomer, exportedB);
    const first = await read(path);
    const second = await read(path);
    try {
      const firstKeys = await personKeys(first);
      const error = await commitAtOnce(first, second);
      expect(error).toMatchObject({ code: 'PIFU_IMPORT_REFUSED' });
      expect(await recordedPersonKeys()).toEqual(firstKeys);
    } finally {
      await first.close();
      await second.close();
    }
    expect(await importBases()).toEqual({ run: 'run-first', dirs: 1 });
    // The refused one, imported again, is the same roster: no person re-keyed.
    const again = await read(path);
    try {
      expect(await personKeys(again)).toEqual(await recordedPersonKeys());
    } finally {
      await again.close();
    }
  }, 60_000);

  it("two systems' exports naming the same ids: two systems' persons, each with keys of its own", async () => {
    // Read one after the other: read at once, both would take the same group ids as keys (below).
    const first = await read(await file('sas.xml', rosterWithSystemIds, exportedA, 'sas'));
    const firstKeys = await personKeys(first);
    await first.commit(database.db, 'run-first');
    const second = await read(await file('other.xml', rosterWithSystemIds, exportedA, 'other'));
    try {
      const secondKeys = await personKeys(second);
      await hubDb()
        .transaction()
        .execute((trx) => second.commit(trx, 'run-second'));
      expect(firstKeys.filter((key) => secondKeys.includes(key))).toEqual([]);
      expect(await recordedPersonKeys()).toEqual([...firstKeys, ...secondKeys].sort());
    } finally {
      await first.close();
      await second.close();
    }
  }, 60_000);

  it("two systems' exports naming the same uuid ids, read at once: the second to commit is refused", async () => {
    // A uuid id nobody holds becomes the person's key, and a group id nobody holds the group's: read at
    // once, both files would take them (3 persons, 4 groups).
    const first = await read(await file('sas.xml', rosterA, exportedA, 'sas'));
    const second = await read(await file('other.xml', rosterA, exportedA, 'other'));
    try {
      const firstKeys = await personKeys(first);
      expect(await personKeys(second)).toEqual(firstKeys);
      await first.commit(database.db, 'run-first');
      const committing = hubDb()
        .transaction()
        .execute((trx) => second.commit(trx, 'run-second'));
      await expect(committing).rejects.toThrow(
        /other\.xml: 7 of its ids were given hub keys, or its new hub keys taken, by another import committed while this file was read; nothing was imported/,
      );
      expect(await recordedPersonKeys()).toEqual(firstKeys);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.import_base`.execute(
        database.db,
      );
      expect(rows[0]?.n).toBe(1);
    } finally {
      await first.close();
      await second.close();
    }
  }, 60_000);
});
