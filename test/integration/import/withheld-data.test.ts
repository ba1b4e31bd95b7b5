import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import { importFile, type OperationContext } from '../../../src/operations/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import type { RosterFileReader } from '../../../src/ports/index.js';
import { hubContext, operationContext, testActor } from '../../helpers/hub-fixture.js';
import { shippedRecipients } from '../../helpers/recipients-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const fixture = fileURLToPath(new URL('../../../fixtures/pifu-files/withheld-data.xml', import.meta.url));
const text = readFileSync(fixture, 'utf8');
/** The tuition group's id: the kept roster names it (import-base.ts, withheld-groups.json), nothing else. */
const tuitionGroupId = 'withheld-tuition-group-6d31';
/**
 * Every withheld value in the fixture (each carries a `withheld-…-xxxx` marker), the passwords and the
 * one native tongue written as a real code.
 */
const withheldValues = [
  ...new Set(text.match(/withheld-[a-z-]+-[0-9a-f]{4}/g)!.filter((value) => value !== tuitionGroupId)),
  'smj',
];

/** Every file under `dir`, with what it holds. */
function filesUnder(dir: string): { path: string; contents: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, contents: readFileSync(path, 'latin1') + readFileSync(path, 'utf8') }));
}

/** The withheld values found in the files, as `file: value`; empty when none is there. */
function leaks(
  files: readonly { path: string; contents: string }[],
  root: string,
  values: readonly string[],
) {
  return files.flatMap(({ path, contents }) =>
    values.filter((value) => contents.includes(value)).map((value) => `${relative(root, path)}: ${value}`),
  );
}

/**
 * The kept roster names the tuition group by its key in withheld-groups.json (import-base.ts), so that a
 * delta's memberships in it are withheld too: the one file that may name it.
 */
function outsideWithheldGroups(found: readonly string[]): string[] {
  return found.filter((leak) => !/(^|\/)withheld-groups\.json: /.test(leak));
}

async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _item of items);
}

/**
 * What the hub withholds at the door (docs/requirements.md#r1) never gets past it: a full export with a
 * photo, special needs, grades, absence, native tongue, special Norwegian tuition and passwords is read
 * and imported; the report counts each kind, and none of the values is in the scratch files while the
 * file is read, in the spool (run spools, import-bases/) or in any feed written to the recipients.
 */
describe('withheld data: counted in the report, never written anywhere', () => {
  let database: TestDatabase;
  let ctx: ReturnType<typeof hubContext>;
  let ops: OperationContext;
  let reader: RosterFileReader;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    ctx = hubContext(database.db, { recipients: (dir) => shippedRecipients(dir) });
    reader = createPifuFileReader({ db: ctx.db, limits: defaultInputLimits, sourceName: 'pifu-hub' });
    ops = { ...operationContext(ctx), rosterFiles: reader };
  }, 60_000);
  afterAll(async () => database.destroy());

  it('the fixture carries every withheld kind, with values to look for', () => {
    for (const element of [
      'photo',
      'disability',
      'interimresult',
      'finalresult',
      'pifu_absence',
      'pifu_nativeTongue',
    ]) {
      expect(text).toContain(`<${element}`);
    }
    expect(text).toMatch(/<typevalue level="9">språkopplæring<\/typevalue>/);
    expect(text).toMatch(/<userid useridtype="username" password="withheld-password-/);
    expect(withheldValues.length).toBeGreaterThanOrEqual(15);
  });

  it('reading: the report counts each kind; the scratch files hold none of the values', async () => {
    const file = await reader.read(fixture, { lenient: [], scratchDir: ctx.spoolDir });
    try {
      expect(file.report).toMatchObject({
        refused: false,
        problemCounts: {},
        counts: { persons: 3, groups: 4, memberships: 9 },
        withheld: {
          photo: 1,
          'special needs': 1,
          // Each element once: Kari's two, Per's one.
          'native tongue': 3,
          // One interim and one final result, in one membership record.
          grades: 2,
          absence: 2,
          // The group, and its two members.
          'special Norwegian tuition': 3,
        },
      });
      const roster = await file.source.openSnapshot();
      await drain(roster.persons());
      await drain(roster.groups());
      await drain(roster.memberships());
      await file.prepare(); // writes the roster kept for the next delta into the scratch directory
      const scratch = filesUnder(ctx.spoolDir);
      // Not vacuous: the scratch files hold the persons, with what is kept of them.
      expect(
        scratch.some(({ contents }) => contents.includes('Elevsen') && contents.includes('kari.elev')),
      ).toBe(true);
      expect(leaks(scratch, ctx.spoolDir, withheldValues)).toEqual([]);
      expect(outsideWithheldGroups(leaks(scratch, ctx.spoolDir, [tuitionGroupId]))).toEqual([]);
    } finally {
      await file.close();
    }
  });

  it('importing: every feed written, the spool and import-bases/ hold none of the values', async () => {
    const result = await importFile(ops, testActor(), { path: fixture, feedType: 'full' });
    expect(result.run?.status).toBe('completed');
    expect(result.report.withheld).toEqual({
      photo: 1,
      'special needs': 1,
      'native tongue': 3,
      grades: 2,
      absence: 2,
      'special Norwegian tuition': 3,
    });
    expect(withheldValues.filter((value) => JSON.stringify(result.report).includes(value))).toEqual([]);
    const feeds = filesUnder(ctx.dropDir);
    const spool = filesUnder(ctx.spoolDir);
    // Not vacuous: feeds were written to the recipients, and the roster kept in import-bases/.
    expect(feeds.filter(({ contents }) => contents.includes('Elevsen')).length).toBeGreaterThan(0);
    expect(spool.some(({ path }) => path.includes(`${join('import-bases', '')}`))).toBe(true);
    expect(leaks(feeds, ctx.dropDir, withheldValues)).toEqual([]);
    expect(leaks(spool, ctx.spoolDir, withheldValues)).toEqual([]);
    expect(leaks(feeds, ctx.dropDir, [tuitionGroupId])).toEqual([]);
    expect(outsideWithheldGroups(leaks(spool, ctx.spoolDir, [tuitionGroupId]))).toEqual([]);
  });
});
