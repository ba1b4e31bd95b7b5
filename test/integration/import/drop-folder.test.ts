import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import {
  describeDropFolderOutcome,
  importDropFolder,
  type OperationContext,
} from '../../../src/operations/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import { lenientModes } from '../../../src/ports/index.js';
import { hubContext, operationContext, recipient, testActor } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const namespace = 'http://pifu.no/xsd/pifu-ims_sas/pifu-ims_sas-v1';
const owner = `<group><sourcedid><source>s</source><id>k</id></sourcedid><grouptype><scheme>pifu-ims-go-org</scheme><typevalue level="1">skoleeier</typevalue></grouptype><description><short>Kommune</short></description><relationship relation="1"><sourcedid><source>s</source><id>k</id></sourcedid><label>Kommune</label></relationship></group>`;
const file = (head = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>${head}<enterprise xmlns="${namespace}"><properties lang="no"><datasource>s</datasource><type>full</type><datetime>2024-09-01</datetime></properties>${owner}</enterprise>`;

describe('source watch: a drop folder imported as files arrive', () => {
  let database: TestDatabase;
  let ops: OperationContext;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const ctx = hubContext(database.db, {
      recipients: (drop) => [recipient('stat', 'statistics', join(drop, 'stat'))],
    });
    ops = {
      ...operationContext(ctx),
      rosterFiles: createPifuFileReader({ db: ctx.db, limits: defaultInputLimits, sourceName: 'pifu-hub' }),
    };
  });

  afterAll(async () => {
    await database.destroy();
  });

  it('imports settled files, moves refused ones aside, leaves files still being written', async () => {
    const dir = scratchDir('pifu-drop-folder-');
    const old = new Date(Date.now() - 60_000);
    writeFileSync(join(dir, 'a-good.xml'), file());
    writeFileSync(join(dir, 'b-hostile.xml'), file('<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'));
    writeFileSync(join(dir, 'notes.txt'), 'not an export');
    for (const name of ['a-good.xml', 'b-hostile.xml']) utimesSync(join(dir, name), old, old);
    writeFileSync(join(dir, 'c-arriving.xml'), file());

    const outcomes = await importDropFolder(ops, testActor(), { dir, settleSeconds: 30 });
    expect(outcomes.map((outcome) => [outcome.file, outcome.outcome])).toEqual([
      ['a-good.xml', 'imported'],
      ['b-hostile.xml', 'refused'],
    ]);
    expect(outcomes[1]?.error).toMatch(/^PIFU_FILE_REFUSED: .*DOCTYPE/);
    expect(readdirSync(dir).sort()).toEqual(['c-arriving.xml', 'notes.txt', 'refused']);
    expect(existsSync(join(dir, 'refused', 'b-hostile.xml'))).toBe(true);
    const { rows } = await sql<{ outcome: string }>`
      SELECT outcome FROM hub.audit WHERE action = 'import' ORDER BY id`.execute(database.db);
    expect(rows.map((row) => row.outcome)).toEqual(['done', 'refused']);
  });

  it('refuses a file with a record that is not well-formed even when every lenient mode is named', async () => {
    const dir = scratchDir('pifu-drop-folder-');
    const old = new Date(Date.now() - 60_000);
    // An attribute given twice: well-formedness, not a record the mapping cannot read.
    const malformed = file().replace('<typevalue level="1">', '<typevalue level="1" level="2">');
    expect(malformed).not.toBe(file());
    writeFileSync(join(dir, 'export.xml'), malformed);
    utimesSync(join(dir, 'export.xml'), old, old);
    const runs = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run`.execute(database.db)).rows[0]?.n;
    const before = await runs();

    const outcomes = await importDropFolder(ops, testActor(), { dir, lenient: lenientModes });
    expect(outcomes.map((outcome) => [outcome.file, outcome.outcome])).toEqual([['export.xml', 'refused']]);
    expect(outcomes[0]?.error).toMatch(/^PIFU_XML_UNREADABLE: .*a <group> record is not well-formed XML/);
    expect(readdirSync(join(dir, 'refused'))).toEqual(['export.xml']);
    expect(await runs()).toBe(before);
  });

  it('says what each import tolerated, withheld and re-keyed, in counts: outcome, line and audit row', async () => {
    const dir = scratchDir('pifu-drop-folder-');
    const nin = '01019012480'; // valid check digits: a group id holding it is re-keyed
    const bad = '12345678901'; // fails its check digits: invalid-nin
    const id = (value: string) => `<sourcedid><source>s</source><id>${value}</id></sourcedid>`;
    const person = (key: string, inner: string) =>
      `<person>${id(key)}${inner}<name><fn>Kari</fn><n><family>N</family><given>Kari</given></n></name></person>`;
    const persons =
      person(
        'p1',
        `<userid useridtype="personNIN">${bad}</userid><userid useridtype="username" password="Hemmelig1">kari</userid><photo imgtype="gif"><extref>kari.gif</extref></photo>`,
      ) + person('p2', '<extension><pifu_absence>3</pifu_absence><disability>x</disability></extension>');
    const group = `<group>${id(`eier-${nin}`)}<grouptype><scheme>pifu-ims-go-org</scheme><typevalue level="1">skoleeier</typevalue></grouptype><description><short>Eier</short></description><relationship relation="1">${id(`eier-${nin}`)}<label>e</label></relationship></group>`;
    writeFileSync(
      join(dir, 'export.xml'),
      file()
        .replace('</properties>', `</properties>${persons}`)
        .replace('</enterprise>', `${group}</enterprise>`),
    );
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'export.xml'), old, old);

    const [outcome] = await importDropFolder(ops, testActor(), {
      dir,
      lenient: ['invalid-nin', 'duplicates'],
      settleSeconds: 30,
    });
    expect(outcome?.error).toBeUndefined();
    expect(outcome).toMatchObject({ file: 'export.xml', outcome: 'imported' });
    expect(outcome?.tally).toEqual({
      counts: { persons: 2, groups: 2, memberships: 0 },
      tolerated: { 'invalid-nin': 1, duplicates: 0 },
      refusedBy: {},
      withheld: { password: 1, photo: 1, absence: 1, 'special needs': 1 },
      rekeyed: { persons: 2, groups: 1, groupsForNationalNumber: 1 },
    });
    const counts =
      '2 persons, 2 groups, 0 memberships; lenient invalid-nin 1, duplicates 0; ' +
      'withheld photo 1, password 1, absence 1, special needs 1; re-keyed 2 persons, 1 groups';
    expect(describeDropFolderOutcome(outcome!)).toBe(`imported, run ${outcome?.runId}: ${counts}`);
    const { rows } = await sql<{ detail: string }>`
      SELECT detail FROM hub.audit WHERE action = 'import' ORDER BY id DESC LIMIT 1`.execute(database.db);
    expect(rows[0]?.detail).toMatch(new RegExp(`^run-\\S+: export\\.xml sha-256 [0-9a-f]{16}: ${counts}$`));
    // Counts only: no value from the file.
    expect(JSON.stringify([outcome, rows])).not.toMatch(new RegExp(`${nin}|${bad}|Hemmelig1|kari`));
  });

  it('refuses an operator without the operator role, and audits the denial', async () => {
    const dir = scratchDir('pifu-drop-folder-');
    await expect(importDropFolder(ops, testActor(['viewer']), { dir })).rejects.toMatchObject({
      code: 'PIFU_FORBIDDEN',
    });
  });

  it('names a drop folder that is not there, or is a file, in one PIFU_FILE_UNREADABLE error', async () => {
    const dir = scratchDir('pifu-drop-folder-');
    const file = join(dir, 'export.xml');
    writeFileSync(file, '<enterprise/>');
    for (const notAFolder of [join(dir, 'missing'), file]) {
      await expect(importDropFolder(ops, testActor(), { dir: notAFolder })).rejects.toMatchObject({
        code: 'PIFU_FILE_UNREADABLE',
        message: expect.stringContaining(`drop folder ${notAFolder} is not a directory`),
      });
    }
  });
});
