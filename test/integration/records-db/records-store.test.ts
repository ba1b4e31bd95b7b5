import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { migrateRecordsStore } from '../../../connectors/sources/records-db/index.js';
import { generateMunicipality, loadMunicipality } from '../../../fixtures/generator/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const rosterTables = [
  'school_owner',
  'school',
  'roster_group',
  'person',
  'membership',
  'guardian_relation',
  'health_note',
];

async function countRows(db: Kysely<unknown>, table: string): Promise<number> {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from ${sql.id('records', table)}`.execute(db);
  return rows[0]?.n ?? -1;
}

describe('records store on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('migration installs the records schema; a second migration does no harm', async () => {
    await migrateRecordsStore(database.db);
    await migrateRecordsStore(database.db);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from records.kysely_migration`.execute(database.db);
    expect(rows[0]?.n).toBe(5);
    for (const table of rosterTables) expect(await countRows(database.db, table)).toBe(0);
  });

  it('migration 0004 adds the scope flags with safe defaults and keeps a group grade within 1-13', async () => {
    const { rows } = await sql<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
      column_default: string | null;
    }>`select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
       where table_schema = 'records'
         and (table_name, column_name) in (('pupil_enrolment', 'school_transport_right'),
           ('guardian_relation', 'parent_access_consent'), ('roster_group', 'grade'))
       order by table_name`.execute(database.db);
    expect(rows).toEqual([
      {
        table_name: 'guardian_relation',
        column_name: 'parent_access_consent',
        data_type: 'boolean',
        is_nullable: 'NO',
        column_default: 'false',
      },
      {
        table_name: 'pupil_enrolment',
        column_name: 'school_transport_right',
        data_type: 'boolean',
        is_nullable: 'NO',
        column_default: 'false',
      },
      {
        table_name: 'roster_group',
        column_name: 'grade',
        data_type: 'smallint',
        is_nullable: 'YES',
        column_default: null,
      },
    ]);
    // An otherwise valid owner row, so only the grade can fail; nothing is written.
    const owner = '00000000-0000-4000-8000-0000000000aa';
    for (const grade of [0, 14]) {
      await expect(
        sql`insert into records.roster_group (id, group_type, school_id, parent_id, short_name, grade)
            values (${owner}, 'skoleeier', null, ${owner}, 'x', ${grade})`.execute(database.db),
      ).rejects.toMatchObject({ constraint: 'roster_group_grade_range' });
    }
  });

  it('loads the tiny municipality with COPY, leaves the change log empty and the triggers on', async () => {
    const municipality = generateMunicipality({ scale: 'tiny', seed: 7 });
    const progress: string[] = [];
    const report = await loadMunicipality({ kind: 'pg', pool: database.pool }, municipality, {
      onProgress: ({ table }) => progress.push(table),
    });
    expect(progress).toEqual(municipality.tables.map((table) => table.name));
    for (const table of municipality.tables)
      expect(await countRows(database.db, table.name)).toBe(report.rowsByTable[table.name]);
    expect(report.rowsByTable['person']).toBe(
      municipality.counts.pupils + municipality.counts.guardians + municipality.counts.staff,
    );
    // The bulk load is one 'load' change dated by the generator, not one row per inserted row.
    expect(await countRows(database.db, 'change_log')).toBe(1);

    await sql`update records.person set preferred_language = 'nn' where id = (select id from records.person order by id limit 1)`.execute(
      database.db,
    );
    const { rows } = await sql<{
      table_name: string;
      operation: string;
    }>`select table_name, operation from records.change_log order by id`.execute(database.db);
    expect(rows).toEqual([
      { table_name: '*', operation: 'load' },
      { table_name: 'person', operation: 'update' },
    ]);
  });

  it('migration 0005 logs the key an update moves a row away from, beside the key it moves to', async () => {
    const { rows: members } = await sql<{ group_id: string; person_id: string; roletype: string }>`
      select group_id, person_id, roletype from records.membership m
      where not exists (select 1 from records.membership o where o.group_id = m.group_id
        and o.person_id = (select id from records.person order by id limit 1) and o.roletype = m.roletype)
      order by group_id, person_id limit 1`.execute(database.db);
    const member = members[0];
    if (member === undefined) throw new Error('the tiny store has memberships');
    const { rows: people } = await sql<{
      id: string;
    }>`select id from records.person order by id limit 1`.execute(database.db);
    const other = people[0]?.id ?? '';
    await sql`delete from records.change_log where operation <> 'load'`.execute(database.db);
    await sql`update records.membership set person_id = ${other}
      where group_id = ${member.group_id} and person_id = ${member.person_id} and roletype = ${member.roletype}`.execute(
      database.db,
    );
    await sql`update records.person set preferred_language = 'se' where id = ${other}`.execute(database.db);
    const { rows } = await sql<{ table_name: string; row_key: string; operation: string }>`
      select table_name, row_key, operation from records.change_log where operation <> 'load' order by id`.execute(
      database.db,
    );
    expect(rows).toEqual([
      {
        table_name: 'membership',
        row_key: `${member.group_id}/${other}/${member.roletype}`,
        operation: 'update',
      },
      {
        table_name: 'membership',
        row_key: `${member.group_id}/${member.person_id}/${member.roletype}`,
        operation: 'update',
      },
      // An update that keeps the key is one row, as before.
      { table_name: 'person', row_key: other, operation: 'update' },
    ]);
  });

  it('refuses to load into a store that already holds the data, and keeps what was there', async () => {
    const before = await countRows(database.db, 'person');
    await expect(
      loadMunicipality({ kind: 'pg', pool: database.pool }, generateMunicipality({ scale: 'tiny', seed: 7 })),
    ).rejects.toMatchObject({
      code: 'PIFU_DATABASE_FAILED',
    });
    expect(await countRows(database.db, 'person')).toBe(before);
  });
});

describe('records store on PGlite', () => {
  it('migrates twice harmlessly and loads the tiny municipality through COPY from a blob', async () => {
    const pglite = new PGlite();
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
    try {
      await migrateRecordsStore(db);
      await migrateRecordsStore(db);
      const municipality = generateMunicipality({ scale: 'tiny', seed: 7 });
      const report = await loadMunicipality({ kind: 'pglite', pglite }, municipality);
      for (const table of municipality.tables)
        expect(await countRows(db, table.name)).toBe(report.rowsByTable[table.name]);
      expect(await countRows(db, 'change_log')).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});
