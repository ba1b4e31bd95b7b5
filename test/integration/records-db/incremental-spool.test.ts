import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { createRecordsDbSource, type SourceDatabase } from '../../../connectors/sources/records-db/index.js';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import type { SourceConnector } from '../../../src/ports/source-connector.js';
import { writeIncrementalRosterSpool, writeRosterSpool, type SpoolBase } from '../../../src/spool/index.js';
import { seededDatabase } from '../../helpers/hub-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const frameFiles = ['persons.frames', 'groups.frames', 'memberships.frames'];

/**
 * The incremental spool (src/spool/incremental-spool.ts) against the full read of the same snapshot, on
 * the real records store: whatever changed since the base, the two spools are the same bytes.
 */
describe('the incremental spool of a records-db snapshot', () => {
  const database = seededDatabase('mini');
  let source: SourceConnector;
  let db: Kysely<SourceDatabase>;
  let dir: string;
  let spools = 0;
  beforeAll(() => {
    db = database.db as Kysely<SourceDatabase>;
    source = createRecordsDbSource(db, { source: 'pifu-hub' }, { pool: database.pool });
    dir = scratchDir('pifu-incremental-');
  });

  const nextDir = () => join(dir, `spool-${++spools}`);

  async function fullSpool(): Promise<SpoolBase> {
    const snapshot = await source.openSnapshot();
    const spool = nextDir();
    try {
      await writeRosterSpool(snapshot, spool);
    } finally {
      await snapshot.close();
    }
    return { runId: `run-${spools}`, dir: spool };
  }

  /** An incremental spool from `base` and a full read, both of one snapshot; undefined: fell back. */
  async function bothOfOneSnapshot(base: SpoolBase) {
    const snapshot = await source.openSnapshot();
    const incremental = nextDir();
    const full = nextDir();
    try {
      if (snapshot.changes === undefined) throw new Error('the COPY path tells what changed');
      const written = await writeIncrementalRosterSpool(snapshot, snapshot.changes, base, incremental);
      await writeRosterSpool(snapshot, full);
      return written === undefined ? undefined : { written, incremental, full };
    } finally {
      await snapshot.close();
    }
  }

  const manifest = (spool: string) =>
    JSON.parse(readFileSync(join(spool, 'manifest.json'), 'utf8')) as Record<string, unknown>;

  /** A row's key moved to another key, which the change log names twice (records migration 0005). */
  const moves = {
    membershipToPerson: sql`update records.membership m set person_id = (
        select p.id from records.person p where not exists (select 1 from records.membership o
          where o.group_id = m.group_id and o.person_id = p.id and o.roletype = m.roletype)
        order by md5(p.id::text || m.person_id::text) limit 1)
      where (group_id, person_id, roletype) = (select group_id, person_id, roletype from records.membership
        order by md5(person_id::text || random()::text) limit 1)`,
    membershipToGroup: sql`update records.membership m set group_id = (
        select g.id from records.roster_group g where not exists (select 1 from records.membership o where o.group_id = g.id
            and o.person_id = m.person_id and o.roletype = m.roletype)
        order by md5(g.id::text || random()::text) limit 1)
      where (group_id, person_id, roletype) = (select group_id, person_id, roletype from records.membership
        order by md5(group_id::text || random()::text) limit 1)`,
    identifierToPerson: sql`update records.person_identifier set person_id = (
        select id from records.person order by md5(id::text || random()::text) limit 1)
      where ctid = (select ctid from records.person_identifier order by random() limit 1)`,
    // A person who is nobody's guardian becomes one: the guardian population is the guardian's own.
    guardianToPerson: sql`update records.guardian_relation r set guardian_id = (
        select p.id from records.person p where p.id <> r.pupil_id
          and not exists (select 1 from records.guardian_relation o where o.guardian_id = p.id)
        order by md5(p.id::text || random()::text) limit 1)
      where ctid = (select ctid from records.guardian_relation order by random() limit 1)`,
    guardianConsent: sql`update records.guardian_relation set parent_access_consent = not parent_access_consent
      where ctid = (select ctid from records.guardian_relation order by random() limit 1)`,
    // A group's own row: the group is read again, its memberships copied.
    groupRenamed: sql`update records.roster_group set short_name = short_name || '+'
      where id = (select id from records.roster_group where group_type not in ('skole', 'skoleeier')
        order by md5(id::text || random()::text) limit 1)`,
  };
  type Move = keyof typeof moves;

  it('is byte for byte the full read of the same snapshot, after any sequence of changes', async () => {
    let base = await fullSpool();
    // Mostly the moves (each a sharp edge), between the generator's day-to-day changes.
    const change = fc.oneof(
      {
        weight: 1,
        arbitrary: fc.record({
          percent: fc.double({ min: 0.2, max: 3, noNaN: true }),
          seed: fc.integer({ min: 1, max: 1e6 }),
        }),
      },
      { weight: 4, arbitrary: fc.constantFrom(...(Object.keys(moves) as Move[])) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 0, maxLength: 6 }), async (changes) => {
        for (const each of changes) {
          if (typeof each === 'string') await moves[each].execute(db);
          else await mutateMunicipality(db, each);
        }
        const both = await bothOfOneSnapshot(base);
        if (both === undefined) throw new Error('the incremental spool fell back to a full read');
        for (const file of frameFiles) {
          const same = Buffer.compare(
            await readFile(join(both.incremental, file)),
            await readFile(join(both.full, file)),
          );
          expect({ file, same }).toEqual({ file, same: 0 });
        }
        const written = manifest(both.incremental);
        expect(JSON.stringify(written['counts'])).toBe(JSON.stringify(manifest(both.full)['counts']));
        expect(written['incremental']).toEqual({ sinceRunId: base.runId, persons: both.written.persons });
        const keys = (await readFile(join(both.incremental, 'changed-persons.keys'), 'utf8')).split('\n');
        expect(keys.length - 1).toBe(both.written.persons);
        if (changes.length === 0) expect(both.written.persons).toBe(0);
        // The next round starts from this incremental spool: a chain of them stays exact.
        base = { runId: `run-${spools}`, dir: both.incremental };
      }),
      { numRuns: Math.min(15, Number(process.env['FC_RUNS'] ?? 10)) },
    );
  }, 300_000);

  it('takes the groups from the base when no group row changed, and reads afresh exactly the changed ones', async () => {
    /** The incremental spool of one snapshot, with the group keys it asked the source for. */
    const incrementalOf = async (base: SpoolBase) => {
      const snapshot = await source.openSnapshot();
      const asked: string[][] = [];
      try {
        const changes = snapshot.changes;
        if (changes === undefined) throw new Error('the COPY path tells what changed');
        const counted = {
          ...changes,
          groups: (keys: readonly string[]) => {
            asked.push([...keys]);
            return changes.groups(keys);
          },
        };
        const spool = nextDir();
        const full = nextDir();
        expect(await writeIncrementalRosterSpool(snapshot, counted, base, spool)).toBeDefined();
        await writeRosterSpool(snapshot, full);
        expect(await readFile(join(spool, 'groups.frames'))).toEqual(
          await readFile(join(full, 'groups.frames')),
        );
        return { asked, spool };
      } finally {
        await snapshot.close();
      }
    };
    const base = await fullSpool();
    await sql`update records.person set given_name = given_name || 'a'
      where id = (select id from records.person order by id limit 1)`.execute(db);
    const unchanged = await incrementalOf(base);
    expect(unchanged.asked).toEqual([[]]);
    expect(await readFile(join(unchanged.spool, 'groups.frames'))).toEqual(
      await readFile(join(base.dir, 'groups.frames')),
    );

    const { rows } = await sql<{ id: string }>`update records.roster_group set long_name = 'Omdøpt'
      where id = (select id from records.roster_group where group_type = 'basisgruppe' order by id limit 1)
      returning id`.execute(db);
    const renamed = await incrementalOf({ runId: 'after-rename', dir: unchanged.spool });
    expect(renamed.asked).toEqual([rows.map((row) => row.id)]);
    expect((await readFile(join(renamed.spool, 'groups.frames'), 'utf8')).includes('Omdøpt')).toBe(true);
  });

  it('falls back to a full read after a bulk load, a school change, with its base gone, or a marker not its own', async () => {
    const fallsBack = async (base: SpoolBase) => expect(await bothOfOneSnapshot(base)).toBeUndefined();
    let base = await fullSpool();
    await sql`insert into records.change_log (table_name, row_key, operation) values ('*', '*', 'load')`.execute(
      db,
    );
    await fallsBack(base);

    base = await fullSpool();
    await sql`update records.school_owner set name = name || ' kommune'`.execute(db);
    await fallsBack(base);

    base = await fullSpool();
    await rm(base.dir, { recursive: true });
    await fallsBack(base);

    base = await fullSpool();
    const { properties, ...rest } = manifest(base.dir) as { properties: Record<string, unknown> };
    await writeFile(
      join(base.dir, 'manifest.json'),
      JSON.stringify({ ...rest, properties: { ...properties, sourceMarker: '9000000000:9000000001:' } }),
    );
    await fallsBack(base);
    await writeFile(
      join(base.dir, 'manifest.json'),
      JSON.stringify({ ...rest, properties: { ...properties, source: 'another-system' } }),
    );
    await fallsBack(base);
  });
});
