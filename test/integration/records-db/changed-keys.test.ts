import { sql, type Kysely } from 'kysely';
import { createRecordsDbSource, type SourceDatabase } from '../../../connectors/sources/records-db/index.js';
import type { ChangedKeys, SourceConnector } from '../../../src/ports/source-connector.js';
import { seededDatabase } from '../../helpers/hub-fixture.js';

/**
 * The records store's answer to "what changed since that snapshot" (changed-keys.ts), read in the
 * snapshot that asks: the keys of every person whose object the changed rows feed, the groups whose
 * memberships changed, or undefined where only a full read is safe.
 */
describe('records-db changes since an earlier snapshot', () => {
  const database = seededDatabase('tiny');
  let source: SourceConnector;
  let db: Kysely<SourceDatabase>;
  beforeAll(() => {
    db = database.db as Kysely<SourceDatabase>;
    source = createRecordsDbSource(db, { source: 'pifu-hub' }, { pool: database.pool });
  });

  async function marker(): Promise<string> {
    const snapshot = await source.openSnapshot();
    await snapshot.close();
    return snapshot.properties.sourceMarker ?? '';
  }

  async function changesSince(since: string): Promise<ChangedKeys | undefined> {
    const snapshot = await source.openSnapshot();
    try {
      if (snapshot.changes === undefined) throw new Error('the COPY path tells what changed');
      return await snapshot.changes.since(since);
    } finally {
      await snapshot.close();
    }
  }

  const one = async <T>(query: ReturnType<typeof sql<T>>): Promise<T> => {
    const { rows } = await query.execute(db);
    if (rows[0] === undefined) throw new Error('the tiny store has such a row');
    return rows[0];
  };

  it('names the persons of every changed row, both ids of a guardian relation and the old owner of a moved row', async () => {
    const before = await marker();
    expect(await changesSince(before)).toEqual({ personKeys: [], membershipGroupKeys: [], groupKeys: [] });
    const email = await one(sql<{ person_id: string }>`select person_id from records.person_email limit 1`);
    await sql`update records.person_email set priority = priority + 1 where person_id = ${email.person_id}`.execute(
      db,
    );
    const relation = await one(
      sql<{
        pupil_id: string;
        guardian_id: string;
      }>`select pupil_id, guardian_id from records.guardian_relation limit 1`,
    );
    await sql`update records.guardian_relation set parent_access_consent = not parent_access_consent
      where pupil_id = ${relation.pupil_id} and guardian_id = ${relation.guardian_id}`.execute(db);
    const member = await one(
      sql<{ group_id: string; person_id: string; roletype: string }>`select group_id, person_id, roletype
        from records.membership where roletype = '01' limit 1`,
    );
    const newcomer = await one(
      sql<{ id: string }>`select id from records.person p where not exists
        (select 1 from records.membership m where m.person_id = p.id and m.group_id = ${member.group_id}) limit 1`,
    );
    await sql`update records.membership set person_id = ${newcomer.id} where group_id = ${member.group_id}
      and person_id = ${member.person_id} and roletype = ${member.roletype}`.execute(db);
    // A group changed is not a person changed, nor its memberships: the group alone is named.
    const renamed = await one(
      sql<{ id: string }>`select id from records.roster_group where group_type = 'basisgruppe' limit 1`,
    );
    await sql`update records.roster_group set long_name = 'Renamed' where id = ${renamed.id}`.execute(db);

    const changes = await changesSince(before);
    expect(changes?.personKeys).toEqual(
      [
        ...new Set([email.person_id, relation.pupil_id, relation.guardian_id, member.person_id, newcomer.id]),
      ].sort(),
    );
    expect(changes?.membershipGroupKeys).toEqual([member.group_id]);
    expect(changes?.groupKeys).toEqual([renamed.id]);
  });

  it('leaves out a change committed after the asking snapshot began', async () => {
    const before = await marker();
    const snapshot = await source.openSnapshot();
    try {
      const person = await one(sql<{ id: string }>`select id from records.person limit 1`);
      await sql`update records.person set preferred_language = 'nn' where id = ${person.id}`.execute(db);
      expect(await snapshot.changes?.since(before)).toEqual({
        personKeys: [],
        membershipGroupKeys: [],
        groupKeys: [],
      });
    } finally {
      await snapshot.close();
    }
  });

  it('asks for a full read after a school change, a bulk load, a cut log or for a marker not its own', async () => {
    expect(await changesSince('not a snapshot')).toBeUndefined();
    // A snapshot from the future: another database's, whose transaction ids are not this one's.
    expect(await changesSince('9000000000:9000000001:')).toBeUndefined();

    let before = await marker();
    await sql`update records.school set name = name || ' skole' where id = (select id from records.school limit 1)`.execute(
      db,
    );
    expect(await changesSince(before)).toBeUndefined();

    before = await marker();
    await sql`insert into records.change_log (table_name, row_key, operation) values ('*', '*', 'load')`.execute(
      db,
    );
    expect(await changesSince(before)).toBeUndefined();

    before = await marker();
    await sql`update records.person set preferred_language = 'se' where id = (select id from records.person limit 1)`.execute(
      db,
    );
    expect((await changesSince(before))?.personKeys).toHaveLength(1);
    // The log loses what the earlier snapshot saw: what happened in between is not known any more.
    await sql`delete from records.change_log where pg_visible_in_snapshot(txid::text::xid8, ${before}::pg_snapshot)`.execute(
      db,
    );
    expect(await changesSince(before)).toBeUndefined();
  });
});
