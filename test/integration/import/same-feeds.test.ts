import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import { writeSourceExport } from '../../../fixtures/generator/index.js';
import { loadRecipientConfigs, type RecipientConfig } from '../../../src/config/index.js';
import { importFile, startExport, type FeedReport } from '../../../src/operations/index.js';
import { defaultInputLimits } from '../../../src/pifu/index.js';
import { hubContext, operationContext, seededDatabase, testActor } from '../../helpers/hub-fixture.js';
import { shippedRecipients } from '../../helpers/recipients-dir.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fixturesDir = fileURLToPath(new URL('../../../fixtures/recipients/', import.meta.url));

const recipients = (dir: string): RecipientConfig[] => shippedRecipients(dir);

/**
 * What the records store knows and a PIFU file cannot say (docs/cli.md#pifu-hub-import, "What a file
 * cannot carry"): set in the records store to what the file reader assumes, so both sources hold the same
 * roster and every other difference is the reader's. Each would otherwise change some recipients' feeds.
 */
const limitsOfAFile: readonly (readonly [string, string])[] = [
  // R9: PIFU has no address protection; the reader reads every person as unprotected.
  ['address protection', `UPDATE records.person SET address_protection = 'none'`],
  // R8: pifu_hasContactPerson says "guardian", nothing more: the reader gives every link parental
  // responsibility and no parent-account consent (so a learning platform gets no guardians from a file).
  [
    'parental responsibility and parent-access consent',
    `UPDATE records.guardian_relation SET has_parental_responsibility = true, parent_access_consent = false`,
  ],
  // PIFU has no right to school transport: a transport recipient gets nobody from a file.
  ['school transport right', `UPDATE records.pupil_enrolment SET school_transport_right = false`],
];

/** Each recipient's delivered feed, as bytes (read as UTF-8 only to show a difference). */
function feedsOf(feeds: readonly FeedReport[] | undefined): Map<string, string> {
  return new Map((feeds ?? []).map((feed) => [feed.recipient, readFileSync(feed.file!, 'utf8')]));
}

/** The first line where two feeds part (the writer puts one object on a line), or undefined. */
function firstDifference(fromRecords: string, fromFile: string) {
  const a = fromRecords.split('\n');
  const b = fromFile.split('\n');
  const line = a.findIndex((text, index) => text !== b[index]);
  if (line === -1 && a.length === b.length) return undefined;
  const at = line === -1 ? a.length : line;
  return { line: at + 1, fromRecords: a[at], fromFile: b[at] };
}

describe('import FILE: a PIFU export gives every recipient the feed the records store gives', () => {
  const records = seededDatabase('mini');
  let fresh: TestDatabase | undefined;
  const dir = scratchDir('pifu-same-feeds-');
  let fromRecords: Map<string, string>;
  let fromFile: Map<string, string>;

  beforeAll(async () => {
    // Without the change log's triggers: a logged change would move the synthetic store's clock (its
    // latest change) out of the generated school year.
    await records.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      for (const [, statement] of limitsOfAFile) await sql.raw(statement).execute(trx);
    });
    // The generated roster lives in its own school year, which only the records store can say
    // (`synthetic`): both hubs read dates on the source's clock, the snapshot time the file carries too.
    const ctx = { ...hubContext(records.db, { recipients }), scopeClock: 'source' as const };
    const exported = await startExport(operationContext(ctx), testActor(), { all: true, feedType: 'full' });
    fromRecords = feedsOf(exported.feeds);

    const file = join(dir, 'export.xml');
    await writeSourceExport(ctx.source, file);

    fresh = await createTestDatabase({ migrated: true });
    // A pseudonymised recipient's pseudonyms are keyed by a secret the hub draws at random: the second
    // hub gets the first one's, as one installation keeps it across sources.
    const secrets = await sql<{ recipient_id: string; secret: Buffer }>`
      SELECT recipient_id, secret FROM hub.pseudonym_secret`.execute(records.db);
    for (const row of secrets.rows) {
      await sql`INSERT INTO hub.pseudonym_secret (recipient_id, secret)
        VALUES (${row.recipient_id}, ${row.secret})`.execute(fresh.db);
    }
    const other = { ...hubContext(fresh.db, { recipients }), scopeClock: 'source' as const };
    const ops = {
      ...operationContext(other),
      rosterFiles: createPifuFileReader({ db: other.db, limits: defaultInputLimits, sourceName: 'pifu-hub' }),
    };
    const result = await importFile(ops, testActor(), { path: file, feedType: 'full' });
    expect(result.report.problemCounts).toEqual({});
    fromFile = feedsOf(result.run?.feeds);
  }, 300_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await fresh?.destroy();
  });

  it('every shipped recipient gets a feed from both, people and groups in them', () => {
    expect(fromRecords.size).toBe(16);
    expect([...fromFile.keys()].sort()).toEqual([...fromRecords.keys()].sort());
    // Not an empty comparison: the roster reaches the recipients that take persons and memberships.
    const withMembers = [...fromRecords].filter(([, feed]) => feed.includes('<member>'));
    expect(withMembers.length).toBeGreaterThanOrEqual(10);
  });

  it.each(loadRecipientConfigs(fixturesDir).map((config) => config.id))('%s: the same bytes', (id) => {
    expect(firstDifference(fromRecords.get(id)!, fromFile.get(id)!)).toBeUndefined();
  });
});
