import { writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import { type RecipientConfig } from '../../../src/config/index.js';
import { importFile, type ImportInput, type OperationContext } from '../../../src/operations/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import type { RosterFileReader } from '../../../src/ports/index.js';
import { hubContext, operationContext, testActor } from '../../helpers/hub-fixture.js';
import { shippedRecipients } from '../../helpers/recipients-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import {
  byMembership,
  deltaFile,
  exportedA,
  exportedB,
  forgetImports,
  fullExport,
} from './support/roster-change.js';
import { guardian, gone, person, pupil, role, rosterA, stranger, teacher } from './support/small-roster.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const ids = ['websak', 'skoleplattform-directory', 'skole-sms', 'itslearning'];

const recipients = (dir: string): RecipientConfig[] => shippedRecipients(dir, ids);

describe('import of a delta export', () => {
  let database: TestDatabase;
  let ops: OperationContext;
  let reader: RosterFileReader;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    const ctx = hubContext(database.db, { recipients });
    reader = createPifuFileReader({ db: ctx.db, limits: defaultInputLimits, sourceName: 'pifu-hub' });
    ops = { ...operationContext(ctx), rosterFiles: reader };
    dir = scratchDir('pifu-delta-');
  }, 180_000);
  beforeEach(async () => {
    await forgetImports(database.db);
    await rm(join(ops.spoolDir, 'import-bases'), { recursive: true, force: true });
  });
  afterAll(async () => {
    database.pool.on('error', () => undefined);
    await database.destroy();
  });

  function file(name: string, xml: string): string {
    const path = join(dir, name);
    writeFileSync(path, xml);
    return path;
  }

  const importing = (path: string, input: Partial<ImportInput> = {}) =>
    importFile(ops, testActor(), { path, ...input });

  async function count(table: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(
      database.db,
    );
    return rows[0]!.n;
  }

  async function importA(): Promise<string> {
    const result = await importing(file('a.xml', await fullExport(rosterA, exportedA)));
    expect(result.run?.status).toBe('completed');
    return result.run!.runId;
  }

  /** What the hub would build from a file now, without recording anything. */
  async function rosterOf(path: string, lenient: ImportInput['lenient'] = []) {
    const read = await reader.read(path, { lenient: lenient as never, scratchDir: ops.spoolDir });
    try {
      const roster = await read.source.openSnapshot();
      const all = async <T>(items: AsyncIterable<T>) => {
        const list: T[] = [];
        for await (const item of items) list.push(item);
        return list;
      };
      return {
        report: read.report,
        persons: await all(roster.persons()),
        groups: await all(roster.groups()),
        memberships: await all(roster.memberships()),
      };
    } finally {
      await read.close();
    }
  }

  it('without an earlier import is refused: there is nothing to apply it to; import a full first', async () => {
    const delta = file(
      'delta.xml',
      await deltaFile({ persons: [{ object: person(stranger, 'Ny'), change: 'add' }] }, exportedB, [rosterA]),
    );
    await expect(importing(delta)).rejects.toThrow(
      /^PIFU_IMPORT_REFUSED: .*delta\.xml: a delta export, and no import from sas was committed before.*nothing was imported\. Import a full export from that system first/,
    );
    expect(await count('hub.run')).toBe(0);
    expect(await count('hub.import_base')).toBe(0);
    expect(await count('hub.source_identity')).toBe(0);
  }, 180_000);

  it('not made after the export it changes is refused, naming both datetimes; nothing is imported', async () => {
    const base = await importA();
    for (const datetime of [exportedA, '2024-08-14T23:00:00.000Z']) {
      const delta = file(
        'delta.xml',
        await deltaFile({ persons: [{ object: person(stranger, 'Ny'), change: 'add' }] }, datetime, [
          rosterA,
        ]),
      );
      await expect(importing(delta)).rejects.toThrow(
        new RegExp(
          `a delta export of ${datetime}, not after the full export of ${exportedA} it would change \\(run ${base}\\); nothing was imported`,
        ),
      );
    }
    expect(await count('hub.run')).toBe(1);
    // A's mappings alone: its 3 persons and 4 groups.
    expect(await count('hub.source_identity')).toBe(7);
  }, 180_000);

  it('a full export older than the last import is refused too; the same export again is not', async () => {
    const base = await importA();
    const older = file('older.xml', await fullExport(rosterA, '2024-08-14T23:00:00.000Z'));
    await expect(importing(older)).rejects.toThrow(
      new RegExp(
        `^PIFU_IMPORT_REFUSED: .*older\\.xml: a full export of 2024-08-14T23:00:00\\.000Z, older than the full export of ${exportedA} imported last \\(run ${base}\\); importing it would take every recipient back to an older roster; nothing was imported`,
      ),
    );
    expect(await count('hub.run')).toBe(1);
    const again = await importing(file('again.xml', await fullExport(rosterA, exportedA)));
    expect(again.run?.status).toBe('completed');
    expect(await count('hub.run')).toBe(2);
  }, 180_000);

  it('dry run: reports what the delta changes and what each recipient would get; records nothing', async () => {
    const base = await importA();
    const delta = file(
      'delta.xml',
      await deltaFile(
        {
          persons: [
            { object: person(pupil, 'Elev', [guardian]), change: 'delete' },
            { object: person(stranger, 'Ny'), change: 'add' },
            { object: person(teacher, 'Lærerinne'), change: 'change' },
          ],
          memberships: [{ object: role('001-1B', stranger, 'pupil'), change: 'add' }],
        },
        exportedB,
        [rosterA],
      ),
    );
    const result = await importing(delta, { dryRun: true });
    expect(result.report).toMatchObject({
      feedType: 'delta',
      refused: false,
      base: { runId: base, datetime: exportedA, feedType: 'full' },
      changes: {
        persons: { added: 1, changed: 1, deleted: 1 },
        groups: { added: 0, changed: 0, deleted: 0 },
        memberships: { added: 1, changed: 0, deleted: 0 },
      },
      // The pupil's two memberships went with the pupil.
      counts: { persons: 3, groups: 4, memberships: 3 },
    });
    expect(result.previews?.map((preview) => preview.recipient).sort()).toEqual([...ids].sort());
    expect(result.run).toBeUndefined();
    expect(await count('hub.run')).toBe(1);
    const { rows } = await sql<{ run_id: string }>`SELECT run_id FROM hub.import_base`.execute(database.db);
    expect(rows).toEqual([{ run_id: base }]);
  }, 180_000);

  it('deleting a person removes their memberships and the guardian links to them; deleting a group its memberships', async () => {
    await importA();
    // The pupil's own record still names the guardian: the delete alone removes the link.
    const delta = file(
      'delta.xml',
      await deltaFile(
        {
          persons: [{ object: person(guardian, 'Verge'), change: 'delete' }],
          groups: [{ object: rosterA.groups[1]!, change: 'delete' }],
        },
        exportedB,
        [rosterA],
      ),
    );
    const roster = await rosterOf(delta);
    expect(roster.report.problemCounts).toEqual({});
    expect(roster.persons.map((each) => each.key).sort()).toEqual([pupil, teacher].sort());
    expect(roster.persons.find((each) => each.key === pupil)?.guardians).toEqual([]);
    expect(roster.groups.map((each) => each.key)).toEqual(['001', '001-1B', 'k']);
    expect(roster.memberships.map((m) => `${m.groupKey} ${m.personKey}`)).toEqual([
      `001 ${pupil}`,
      `001 ${teacher}`,
    ]);
    const result = await importing(delta);
    expect(result.run?.status).toBe('completed');
    // The base moved to the delta's run, and the full's kept roster is gone from the spool.
    const { rows } = await sql<{ base_id: string; run_id: string; feed_type: string }>`
        SELECT base_id, run_id, feed_type FROM hub.import_base`.execute(database.db);
    expect(rows).toEqual([{ base_id: expect.any(String), run_id: result.run!.runId, feed_type: 'delta' }]);
    const kept = await readdir(join(ops.spoolDir, 'import-bases'), { recursive: true });
    const bases = kept.filter((name) => name.split('/').length === 2);
    expect(bases).toEqual([expect.stringMatching(new RegExp(`/${rows[0]!.base_id}$`))]);
  }, 180_000);

  it("a delta's guardian link to a person the roster it leaves does not hold is a dangling reference", async () => {
    await importA();
    // The teacher (in the base) and the stranger (added by the delta) resolve; `gone` is nowhere.
    const delta = file(
      'delta.xml',
      await deltaFile(
        {
          persons: [
            { object: person(pupil, 'Elev', [guardian, teacher, stranger, gone]), change: 'change' },
            { object: person(stranger, 'Ny'), change: 'add' },
          ],
        },
        exportedB,
        [rosterA],
      ),
    );
    const strict = await rosterOf(delta);
    expect(strict.report.refused).toBe(true);
    expect(strict.report.problems).toEqual([
      {
        rule: 'dangling-references',
        object: 'person',
        id: `${pupil.replace(/\d{10}(?=\d\d$)/, '*'.repeat(10))}, guardian ${gone}`,
        line: expect.any(Number),
        what: 'its guardian is not in the roster',
      },
    ]);
    const lenient = await rosterOf(delta, ['dangling-references']);
    expect(lenient.report.refused).toBe(false);
    expect(
      lenient.persons.find((each) => each.key === pupil)?.guardians.map((link) => link.guardianKey),
    ).toEqual([guardian, teacher, stranger].sort());
  }, 180_000);

  it('a membership delta removes and adds single members', async () => {
    await importA();
    const delta = file(
      'delta.xml',
      await deltaFile(
        {
          memberships: [
            { object: { ...role('001-1A', pupil, 'pupil'), isPrimary: true }, change: 'change' },
            { object: role('001-1A', teacher, 'teacher'), change: 'delete' },
            { object: role('001-1B', teacher, 'teacher'), change: 'add' },
          ],
        },
        exportedB,
        [rosterA],
      ),
    );
    const roster = await rosterOf(delta);
    expect(roster.report.changes?.memberships).toEqual({ added: 1, changed: 1, deleted: 1 });
    expect(roster.memberships).toEqual(
      [
        role('001', pupil, 'pupil'),
        role('001', teacher, 'teacher'),
        { ...role('001-1A', pupil, 'pupil'), isPrimary: true },
        role('001-1B', teacher, 'teacher'),
      ].sort(byMembership),
    );
  }, 180_000);

  it('an update or delete of an object the roster does not hold is a per-object problem: refused, or tolerated with unknown-objects', async () => {
    await importA();
    const delta = file(
      'delta.xml',
      await deltaFile(
        {
          persons: [
            { object: person(stranger, 'Ukjent'), change: 'change' },
            { object: person(gone, 'Borte'), change: 'delete' },
          ],
          memberships: [{ object: role('001-1B', pupil, 'pupil'), change: 'delete' }],
        },
        exportedB,
        [rosterA],
      ),
    );
    const strict = await importing(delta, { dryRun: true });
    expect(strict.report.refused).toBe(true);
    expect(strict.report.problemCounts).toEqual({ 'unknown-objects': 3 });
    expect(strict.report.problems.map(({ object, id, rule }) => ({ object, id, rule }))).toEqual([
      { object: 'person', id: stranger, rule: 'unknown-objects' },
      { object: 'person', id: gone, rule: 'unknown-objects' },
      {
        object: 'membership',
        // The uuid's last group is a run of 12 digits: masked as a national number would be.
        id: `membership in group 001-1B, member ${pupil.replace(/\d{10}(?=\d\d$)/, '*'.repeat(10))}`,
        rule: 'unknown-objects',
      },
    ]);
    expect(strict.report.problems.every((problem) => problem.line > 1)).toBe(true);
    const error = await importing(delta).catch((caught: Error) => caught);
    expect((error as Error).message).toMatch(
      /^PIFU_IMPORT_REFUSED: .*problems not tolerated \(unknown-objects 3\); nothing was imported/,
    );
    expect((error as Error).message).not.toMatch(/Ukjent|Borte|Testesen/);
    expect(await count('hub.run')).toBe(1);

    const lenient = await rosterOf(delta, ['unknown-objects']);
    expect(lenient.report.refused).toBe(false);
    // The update of an unknown person adds them; the deletes change nothing.
    expect(lenient.persons.map((each) => each.key).sort()).toEqual(
      [pupil, guardian, teacher, stranger].sort(),
    );
    expect(lenient.memberships).toHaveLength(rosterA.memberships.length);
  }, 180_000);

  it('two reads of one delta: the first to commit moves the base, the second is refused', async () => {
    const base = await importA();
    const delta = file(
      'delta.xml',
      await deltaFile({ persons: [{ object: person(stranger, 'Ny'), change: 'add' }] }, exportedB, [rosterA]),
    );
    const first = await reader.read(delta, { lenient: [], scratchDir: ops.spoolDir });
    const second = await reader.read(delta, { lenient: [], scratchDir: ops.spoolDir });
    try {
      await first.commit(database.db, 'run-first');
      await expect(second.commit(database.db, 'run-second')).rejects.toThrow(
        `PIFU_IMPORT_REFUSED: another import of this source was committed (run run-first) while this delta was read against run ${base}`,
      );
    } finally {
      await first.close();
      await second.close();
    }
  }, 180_000);

  it('whose base roster is gone from the spool is refused: import a full first', async () => {
    const base = await importA();
    await rm(join(ops.spoolDir, 'import-bases'), { recursive: true, force: true });
    const delta = file(
      'delta.xml',
      await deltaFile({ persons: [{ object: person(stranger, 'Ny'), change: 'add' }] }, exportedB, [rosterA]),
    );
    await expect(importing(delta)).rejects.toThrow(
      `the roster of the import it would change (run ${base}) is not in the spool directory (import-bases/); nothing was imported. Import a full export`,
    );
    expect(await count('hub.run')).toBe(1);
  }, 180_000);
});
