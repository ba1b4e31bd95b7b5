import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import { type RecipientConfig } from '../../../src/config/index.js';
import { importFile, type OperationContext } from '../../../src/operations/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import type { ImportReport, RosterFileReader } from '../../../src/ports/index.js';
import { hubContext, operationContext, testActor } from '../../helpers/hub-fixture.js';
import { shippedRecipients } from '../../helpers/recipients-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import {
  deltaExport,
  exportedA,
  exportedB,
  forgetImports,
  fullExport,
  rosterChangeArbitrary,
} from './support/roster-change.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { collect } from '../../helpers/collect.js';

const recipients = (dir: string): RecipientConfig[] => shippedRecipients(dir);

/**
 * The delta import's promise (issue 13): a school system's delta export from A to B, imported after
 * its full export of A, leaves the hub with the roster of B, and every recipient gets what it gets
 * when the full export of B follows A.
 */
describe('import of a delta export: full(A) then delta(A→B) is full(A) then full(B)', () => {
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
  afterAll(async () => {
    database.pool.on('error', () => undefined);
    await database.destroy();
  });

  const reset = () => forgetImports(database.db);

  function file(name: string, xml: string): string {
    const path = join(dir, name);
    writeFileSync(path, xml);
    return path;
  }

  /**
   * Guardian links may name persons not exported (roster-change.ts): dangling references, tolerated and
   * left out. A full export reports each such link, a delta only its own persons', so the counts differ;
   * nothing else may be a problem.
   */
  const lenient = ['dangling-references'] as const;
  const onlyGuardianLinks = (report: ImportReport) =>
    expect(
      report.problems.filter(
        (problem) => problem.rule !== 'dangling-references' || !problem.what.startsWith('its guardian'),
      ),
    ).toEqual([]);

  async function imported(path: string) {
    const result = await importFile(ops, testActor(), { path, lenient: [...lenient] });
    onlyGuardianLinks(result.report);
    expect(result.run?.status).toBe('completed');
    return result;
  }

  /** The roster a file leaves, read against what the hub has committed now; nothing is recorded. */
  async function rosterOf(path: string) {
    const read = await reader.read(path, { lenient, scratchDir: ops.spoolDir });
    try {
      onlyGuardianLinks(read.report);
      const roster = await read.source.openSnapshot();
      return {
        persons: await collect(roster.persons()),
        groups: await collect(roster.groups()),
        memberships: await collect(roster.memberships()),
        properties: roster.properties,
      };
    } finally {
      await read.close();
    }
  }

  it('the same roster, and the same feed to every recipient', async () => {
    // Each case makes four runs to sixteen recipients: a fifth of FC_RUNS (25 unless set), at most 12.
    const runs = Math.min(12, Math.ceil(Number(process.env['FC_RUNS'] ?? 25) / 5));
    await fc.assert(
      fc.asyncProperty(rosterChangeArbitrary, async ({ a, b }) => {
        const fullA = file('a.xml', await fullExport(a, exportedA));
        const fullB = file('b.xml', await fullExport(b, exportedB));
        const delta = file('delta.xml', await deltaExport(a, b, exportedB));

        await reset();
        await imported(fullA);
        const viaDelta = await rosterOf(delta);
        expect(viaDelta).toEqual(await rosterOf(fullB));
        const deltaRun = await imported(delta);

        await reset();
        await imported(fullA);
        const fullRun = await imported(fullB);

        const feeds = (result: typeof deltaRun) =>
          result.run!.feeds.map(({ transferId: _t, seconds: _s, file: _f, ...feed }) => feed);
        expect(feeds(deltaRun)).toEqual(feeds(fullRun));
        expect(deltaRun.report.counts).toEqual(fullRun.report.counts);
      }),
      { numRuns: runs },
    );
  }, 600_000);
});
