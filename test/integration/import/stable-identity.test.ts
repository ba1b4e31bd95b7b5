import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import { migrateHub } from '../../../src/db/index.js';
import { importFile, type OperationContext } from '../../../src/operations/index.js';
import { defaultInputLimits, readFeed } from '../../../src/pifu/index.js';
import { hubContext, operationContext, recipient, testActor } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const namespace11 = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-1.1';
// Synthetic national numbers with valid check digits (test data only).
const ninBefore = '08908200064';
const ninAfter = '28837000078';

function exportFile(options: { personIds: string; nin: string; groupId: string; datetime: string }): string {
  return `<?xml version="1.0" encoding="ISO-8859-1"?>
<enterprise xmlns="${namespace11}">
<properties lang="no"><datasource>s</datasource><type>full</type><datetime>${options.datetime}</datetime></properties>
<person>${options.personIds}<userid useridtype="personNIN">${options.nin}</userid>
<name><fn>Åse Bjørnstad</fn><n><family>Bjørnstad</family><given>Åse</given></n></name></person>
<group><sourcedid><source>s</source><id>000100</id></sourcedid><grouptype><scheme>pifu-ims-go-org</scheme><typevalue level="1">skoleeier</typevalue></grouptype><description><short>Kommune</short></description><relationship relation="1"><sourcedid><source>s</source><id>000100</id></sourcedid><label>Kommune</label></relationship></group>
<group><sourcedid><source>s</source><id>${options.groupId}</id></sourcedid><grouptype><scheme>pifu-ims-go-org</scheme><typevalue level="2">skole</typevalue></grouptype><description><short>Skolen</short></description><relationship relation="1"><sourcedid><source>s</source><id>000100</id></sourcedid><label>Kommune</label></relationship></group>
<membership><sourcedid><source>s</source><id>${options.groupId}</id></sourcedid><member><sourcedid><source>s</source><id>${options.personIds.includes('New') ? '2002' : '1001'}</id></sourcedid><idtype>1</idtype><role roletype="02"><subrole>lærer</subrole><status>1</status></role></member></membership>
</enterprise>
`;
}

const sourcedid = (id: string, type?: string) =>
  `<sourcedid${type === undefined ? '' : ` sourcedidtype="${type}"`}><source>s</source><id>${id}</id></sourcedid>`;

/**
 * A migrated test database and an import into one directory recipient, `katalog`: one person changing
 * is 100 % of what it holds, so no safety valve in these tests.
 */
async function katalogImport(): Promise<{ database: TestDatabase; ops: OperationContext; dir: string }> {
  const database = await createTestDatabase({ migrated: true });
  const ctx = hubContext(database.db, {
    recipients: (drop) => [
      recipient('katalog', 'directory', join(drop, 'katalog'), {
        feed: { safety: { maxDeletePercent: 100, maxChangePercent: 100 } },
      }),
    ],
  });
  const ops = {
    ...operationContext(ctx),
    rosterFiles: createPifuFileReader({ db: ctx.db, limits: defaultInputLimits, sourceName: 'pifu-hub' }),
  };
  return { database, ops, dir: scratchDir('pifu-identity-') };
}

/**
 * An exporting system's ids are not the hub's: a person id of digits, a school id holding a national
 * number, a person whose id and national number change (sourcedidtype New/Old). The hub keeps its own
 * key per source identity, so recipients see one person updated, never a delete and an add.
 */
describe('import: the hub keeps its own key per source identity', () => {
  let database: TestDatabase;
  let ops: OperationContext;
  let dir: string;

  beforeAll(async () => {
    ({ database, ops, dir } = await katalogImport());
  });

  afterAll(async () => {
    await database.destroy();
  });

  it('re-keys, then reports a changed id and national number as an update of the same person', async () => {
    const first = join(dir, 'first.xml');
    const schoolId = `skole-${ninBefore}`;
    writeFileSync(
      first,
      exportFile({ personIds: sourcedid('1001'), nin: ninBefore, groupId: schoolId, datetime: '2024-09-01' }),
      'latin1',
    );
    const dry = await importFile(ops, testActor(), {
      path: first,
      dryRun: true,
      lenient: ['legacy-subrole'],
    });
    expect(dry.report).toMatchObject({
      refused: false,
      rekeyed: { persons: 1, groups: 1, groupsForNationalNumber: 1 },
    });
    expect(dry.report.problemCounts).toEqual({ 'legacy-subrole': 1 });
    expect(JSON.stringify(dry.report)).not.toContain(ninBefore);

    const imported = await importFile(ops, testActor(), { path: first, lenient: ['legacy-subrole'] });
    expect(imported.run?.status).toBe('completed');
    const firstFeed = readFileSync(imported.run!.feeds[0]!.file!, 'utf8');
    // No id from the file reaches the recipient: not the digits, not the national number in the school id.
    expect(firstFeed).not.toContain(`<id>1001</id>`);
    expect(firstFeed).not.toContain(schoolId);
    const personKey = /<person><sourcedid><source>pifu-hub<\/source><id>([^<]+)<\/id>/.exec(firstFeed)?.[1];
    expect(personKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(firstFeed).toContain('Åse Bjørnstad');

    const second = join(dir, 'second.xml');
    const ids = `${sourcedid('1001', 'Old')}${sourcedid('2002', 'New')}`;
    writeFileSync(
      second,
      exportFile({ personIds: ids, nin: ninAfter, groupId: schoolId, datetime: '2024-09-02' }),
      'latin1',
    );
    const delta = await importFile(ops, testActor(), { path: second, lenient: ['legacy-subrole'] });
    const feed = delta.run!.feeds[0]!;
    expect([feed.added, feed.changed, feed.deleted]).toEqual([0, 1, 0]);
    const document = await readFeed(readFileSync(feed.file!, 'utf8'));
    const persons = [];
    for await (const entry of document.persons()) persons.push(entry);
    expect(persons.map((entry) => [entry.object.key, entry.change])).toEqual([[personKey, 'change']]);
  });
});

/** A full export of `datasource` with one person, id 0012, in one school. */
function systemExport(datasource: string, name: { given: string; family: string }, datetime: string): string {
  const id = (value: string) => `<sourcedid><source>${datasource}</source><id>${value}</id></sourcedid>`;
  const owner = `<relationship relation="1">${id('000100')}<label>Kommune</label></relationship>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<enterprise xmlns="http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1">
<properties lang="no"><datasource>${datasource}</datasource><type>full</type><datetime>${datetime}</datetime></properties>
<person>${id('0012')}<name><fn>${name.given} ${name.family}</fn><n><family>${name.family}</family><given>${name.given}</given></n></name></person>
<group>${id('000100')}<grouptype><scheme>pifu-ims-go-org</scheme><typevalue level="1">skoleeier</typevalue></grouptype><description><short>Kommune</short></description>${owner}</group>
<group>${id('000200')}<grouptype><scheme>pifu-ims-go-org</scheme><typevalue level="2">skole</typevalue></grouptype><description><short>Skolen</short></description>${owner}</group>
<membership>${id('000200')}<member>${id('0012')}<idtype>1</idtype><role roletype="01"><status>1</status></role></member></membership>
</enterprise>
`;
}

/**
 * PIFU identifies an object by its sourcedid's source and id: person 0012 of one school system and
 * person 0012 of another are two people. Before, the hub keyed ids without their system, so a file from
 * a second system took over the first system's keys: one pupil's accounts changed into another's.
 */
describe('import: a source id is its own system’s', () => {
  let database: TestDatabase;
  let ops: OperationContext;
  let dir: string;

  beforeEach(async () => {
    ({ database, ops, dir } = await katalogImport());
  });

  afterEach(async () => {
    await database.destroy();
  });

  /** Imports a file; the recipient's feed (persons, groups, memberships, each with its change) and its counts. */
  async function imported(name: string, xml: string) {
    const path = join(dir, name);
    writeFileSync(path, xml);
    // A switch of school system loses every school it had (the other system's are other groups): the
    // source guard's drop, confirmed as an operator would.
    const acceptSourceDrop = { reason: 'another school system' };
    const result = await importFile(ops, testActor(), { path, acceptSourceDrop });
    expect(result.run?.status).toBe('completed');
    const feed = result.run!.feeds[0]!;
    const document = await readFeed(readFileSync(feed.file!, 'utf8'));
    const persons: [string, string | undefined, string][] = [];
    for await (const entry of document.persons()) {
      persons.push([entry.object.key, entry.change, entry.object.name.family]);
    }
    const groups: [string, string | undefined, string][] = [];
    for await (const entry of document.groups())
      groups.push([entry.object.key, entry.change, entry.object.type]);
    const memberships: [string, string, string | undefined][] = [];
    for await (const entry of document.memberships()) {
      memberships.push([entry.object.groupKey, entry.object.personKey, entry.change]);
    }
    return { persons, groups, memberships, counts: [feed.added, feed.changed, feed.deleted] };
  }

  /**
   * The tables as the hub left them before migrations 0019 and 0020 (no system named, no plain group id
   * mapped), and so before 0021 to 0025 too, which come after them.
   */
  async function downgraded(): Promise<void> {
    await sql`DELETE FROM hub.source_identity WHERE kind = 'group' AND hub_key NOT LIKE 'grp-%'`.execute(
      database.db,
    );
    await sql`ALTER TABLE hub.import_base DROP COLUMN unmapped_group_ids`.execute(database.db);
    await sql`DROP INDEX hub.source_identity_hub_key`.execute(database.db);
    await sql`ALTER TABLE hub.source_identity DROP CONSTRAINT source_identity_pkey`.execute(database.db);
    await sql`ALTER TABLE hub.source_identity DROP COLUMN datasource`.execute(database.db);
    await sql`ALTER TABLE hub.source_identity ADD CONSTRAINT source_identity_pkey
      PRIMARY KEY (kind, source_id_hash)`.execute(database.db);
    await sql`ALTER TABLE hub.recipient_state DROP COLUMN view_basis`.execute(database.db);
    await sql`DROP INDEX hub.disclosure_recipient_person_idx`.execute(database.db);
    await sql`CREATE INDEX disclosure_person ON hub.disclosure (person_key, disclosed_at)`.execute(
      database.db,
    );
    await sql`CREATE INDEX disclosure_span_person_idx ON hub.disclosure_span (person_key)`.execute(
      database.db,
    );
    await sql`DELETE FROM hub.kysely_migration WHERE name IN
      ('0019-source-identity-datasource', '0020-group-identity-datasource', '0021-state-view-basis',
       '0022-register-without-transfer-checks', '0023-register-keys-byte-order',
       '0024-register-lookup-by-recipient', '0025-full-rows-in-spans')`.execute(database.db);
    expect(await migrateHub(database.db)).toEqual([
      '0019-source-identity-datasource',
      '0020-group-identity-datasource',
      '0021-state-view-basis',
      '0022-register-without-transfer-checks',
      '0023-register-keys-byte-order',
      '0024-register-lookup-by-recipient',
      '0025-full-rows-in-spans',
    ]);
  }

  it('the same id from another system is another person: an add and a delete, not a change', async () => {
    const first = await imported(
      'ist.xml',
      systemExport('ist@kommune.no', { given: 'Åse', family: 'Bjørnstad' }, '2024-09-01'),
    );
    const firstKey = first.persons[0]![0];
    const second = await imported(
      'visma.xml',
      systemExport('visma-flyt', { given: 'Per', family: 'Hansen' }, '2024-09-02'),
    );
    expect(second.persons).toHaveLength(2);
    const added = second.persons.find(([, change]) => change === 'add');
    expect(added).toEqual([expect.any(String), 'add', 'Hansen']);
    expect(added![0]).not.toBe(firstKey);
    expect(second.persons.find(([, change]) => change !== 'add')).toEqual([firstKey, 'delete', '']);
    expect(second.persons.some(([, change]) => change === 'change')).toBe(false);
  });

  it('the same group id from another system is another group, its memberships too', async () => {
    const first = await imported(
      'ist.xml',
      systemExport('ist@kommune.no', { given: 'Åse', family: 'Bjørnstad' }, '2024-09-01'),
    );
    expect(first.groups.map(([key]) => key)).toEqual(['000100', '000200']);
    const second = await imported(
      'visma.xml',
      systemExport('visma-flyt', { given: 'Per', family: 'Hansen' }, '2024-09-02'),
    );
    // Two groups of each system, none of them changed into the other's.
    expect(second.groups.some(([, change]) => change === 'change')).toBe(false);
    const added = second.groups.filter(([, change]) => change === 'add').map(([key]) => key);
    expect(added).toHaveLength(2);
    for (const key of added) expect(key).toMatch(/^grp-[0-9a-f-]{36}$/);
    expect(second.groups.filter(([, change]) => change === 'delete').map(([key]) => key)).toEqual([
      '000100',
      '000200',
    ]);
    expect(second.memberships.map(([group, , change]) => [added.includes(group), change]).sort()).toEqual([
      [false, 'delete'],
      [true, 'add'],
    ]);
    // The first system's ids are still its own: its next export finds its keys again.
    const back = await imported(
      'ist-2.xml',
      systemExport('ist@kommune.no', { given: 'Åse', family: 'Bjørnstad' }, '2024-09-03'),
    );
    expect(back.groups.filter(([, change]) => change === 'add').map(([key]) => key)).toEqual([
      '000100',
      '000200',
    ]);
  });

  it('an upgraded hub keeps its keys for the system it imported last', async () => {
    const first = await imported(
      'ist-1.xml',
      systemExport('ist@kommune.no', { given: 'Åse', family: 'Bjørnstad' }, '2024-09-01'),
    );
    const key = first.persons[0]![0];
    await downgraded();

    const again = await imported(
      'ist-2.xml',
      systemExport('ist@kommune.no', { given: 'Åse', family: 'Bjørnstad-Lie' }, '2024-09-02'),
    );
    expect(again.persons).toEqual([[key, 'change', 'Bjørnstad-Lie']]);
    // Its groups and memberships kept their keys: nothing but the person changed.
    expect(again.counts).toEqual([0, 1, 0]);
    const other = await imported(
      'visma.xml',
      systemExport('visma-flyt', { given: 'Per', family: 'Hansen' }, '2024-09-03'),
    );
    expect(other.persons.map(([, change]) => change).sort()).toEqual(['add', 'delete']);
    expect(other.groups.map(([, change]) => change).sort()).toEqual(['add', 'add', 'delete', 'delete']);
  });

  it('an upgraded hub: another system imported first takes none of the keys the last one holds', async () => {
    await imported(
      'ist-1.xml',
      systemExport('ist@kommune.no', { given: 'Åse', family: 'Bjørnstad' }, '2024-09-01'),
    );
    await downgraded();
    const other = await imported(
      'visma.xml',
      systemExport('visma-flyt', { given: 'Per', family: 'Hansen' }, '2024-09-02'),
    );
    expect(other.groups.filter(([, change]) => change === 'add').map(([key]) => key)).toEqual([
      expect.stringMatching(/^grp-/),
      expect.stringMatching(/^grp-/),
    ]);
    // The system imported last before the upgrade still finds its groups under the keys it had.
    const back = await imported(
      'ist-2.xml',
      systemExport('ist@kommune.no', { given: 'Åse', family: 'Bjørnstad' }, '2024-09-03'),
    );
    expect(back.groups.filter(([, change]) => change === 'add').map(([key]) => key)).toEqual([
      '000100',
      '000200',
    ]);
  });
});
