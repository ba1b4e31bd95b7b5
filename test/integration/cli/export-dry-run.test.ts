import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { isValidNationalIdentityNumber } from '../../../fixtures/generator/index.js';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { loadRecipientConfigs, type RecipientConfig } from '../../../src/config/index.js';
import { findFeed } from '../../../src/feed/index.js';
import { runIds, startRun } from '../../../src/run/index.js';
import { previewExport, type ExportPreview as DryRunReport } from '../../../src/operations/index.js';
import { hubContext, operationContext, testActor } from '../../helpers/hub-fixture.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { runCli } from './run-cli.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const fixturesDir = new URL('../../../fixtures/recipients/', import.meta.url).pathname;
const ids = [
  'websak',
  'skoleplattform-messaging',
  'skoleplattform-directory',
  'conexus-engage',
  'itslearning',
];

/** The shipped recipients, delivering to file drops under `dir`. */
function fixtureRecipients(dir: string): RecipientConfig[] {
  return loadRecipientConfigs(fixturesDir)
    .filter((config) => ids.includes(config.id))
    .map((config) => ({ ...config, transport: { kind: 'file-drop', directory: join(dir, config.id) } }));
}

async function rowCounts(db: Kysely<unknown>): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, number>>`
    SELECT (SELECT count(*)::int FROM hub.run) AS runs,
           (SELECT count(*)::int FROM hub.feed) AS feeds,
           (SELECT count(*)::int FROM hub.transfer) AS transfers,
           (SELECT count(*)::int FROM hub.disclosure) AS disclosures,
           (SELECT count(*)::int FROM hub.pseudonym_secret) AS pseudonym_secrets`.execute(db);
  return rows[0]!;
}

/** Persons per disclosed category in one transfer, as the disclosure log holds them. */
async function disclosedCategories(db: Kysely<unknown>, transferId: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ category: string; n: number }>`
    SELECT c AS category, count(*)::int AS n FROM (${carriedByTransfer(transferId)}) carried,
      unnest(carried.categories) AS c
    WHERE c <> 'memberships' GROUP BY c`.execute(db);
  return Object.fromEntries(rows.map((row) => [row.category, row.n]));
}

describe('pifu-hub export --dry-run against a seeded PostgreSQL', () => {
  let database: TestDatabase;
  let cliEnv: Record<string, string>;
  let cliSpoolDir: string;
  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'tiny' });
    const dataDir = scratchDir('pifu-cli-data-');
    cliSpoolDir = join(dataDir, 'spool');
    cliEnv = {
      DATABASE_URL: database.url,
      PIFU_HUB_DATA_DIR: dataDir,
      PIFU_HUB_SPOOL_DIR: cliSpoolDir,
      PIFU_HUB_RECIPIENTS_DIR: fixturesDir,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => database.destroy());

  it('writes no row and no file, and counts exactly what a real export of the same recipients writes', async () => {
    const ctx = hubContext(database.db, { recipients: fixtureRecipients });
    const before = await rowCounts(database.db);
    expect(before).toEqual({ runs: 0, feeds: 0, transfers: 0, disclosures: 0, pseudonym_secrets: 0 });

    const reports = await previewExport(operationContext(ctx), testActor(), { recipients: ids });

    expect(await rowCounts(database.db)).toEqual(before);
    expect(readdirSync(ctx.spoolDir)).toEqual([]);
    expect(readdirSync(ctx.dropDir)).toEqual([]);
    expect(reports.map((report) => report.recipient)).toEqual(ids);
    const conexus = reports.find((report) => report.recipient === 'conexus-engage')!;
    expect(conexus.provisionalPseudonyms).toBe(true);
    expect(conexus.disclosedFields).toEqual({
      pseudonym: conexus.counts.persons,
      gender: expect.any(Number),
    });

    const runId = await startRun(ctx, { recipientIds: ids, trigger: 'operator', feedType: 'full' });
    expect((await runInProcess(ctx, runId)).status).toBe('completed');
    const run = runIds(runId);
    for (const report of reports) {
      const feed = await findFeed(ctx.db, run.feedId(report.recipient));
      expect({ recipient: report.recipient, ...report.counts }).toEqual({
        recipient: report.recipient,
        persons: feed?.persons,
        groups: feed?.groups,
        memberships: feed?.memberships,
      });
      expect(report.counts.persons).toBeGreaterThan(0);
      expect(await disclosedCategories(database.db, run.transferId(report.recipient))).toEqual(
        report.disclosedFields,
      );
      expect(report.sample).toHaveLength(3);
    }
  });

  it('runs from the CLI: --json per recipient, the same counts, nothing left behind', async () => {
    const ctx = hubContext(database.db, { recipients: fixtureRecipients });
    const direct = await previewExport(operationContext(ctx), testActor(), {
      recipients: ['websak', 'skoleplattform-messaging'],
    });
    const before = await rowCounts(database.db);

    const { stdout, stderr, exitCode } = await runCli(
      ['export', '--recipient', 'websak', '--recipient', 'skoleplattform-messaging', '--dry-run', '--json'],
      cliEnv,
    );
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const printed = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as DryRunReport);
    expect(printed.map((report) => report.recipient)).toEqual(['websak', 'skoleplattform-messaging']);
    for (const [index, report] of printed.entries()) {
      const { sample: _sample, ...counts } = report;
      const { sample: _directSample, ...directCounts } = direct[index]!;
      expect(counts).toEqual(directCounts);
      expect(report.dryRun).toBe(true);
    }
    expect(await rowCounts(database.db)).toEqual(before);
    expect(readdirSync(cliSpoolDir)).toEqual([]);
  });

  it('prints a readable summary with masked values only', async () => {
    const { stdout, exitCode } = await runCli(['export', '--recipient', 'websak', '--dry-run'], cliEnv);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(
      /^websak \(archive\): dry run of snapshot \S+; nothing was written, delivered or recorded\n/,
    );
    expect(stdout).toMatch(/\npersons \d+, groups \d+, memberships \d+\n/);
    expect(stdout).toMatch(/\npersons by registered population: pupil \d+, guardian \d+\n/);
    expect(stdout).toMatch(/\nname +\d+\n/);
    expect(stdout).toMatch(/\nid:personNIN +\d+\n/);
    expect(stdout).toMatch(/\nbasisgruppe +\d+\n/);
    expect(stdout).toMatch(/\n01 pupil +\d+\n/);
    expect(stdout).toContain('\nsample: 3 persons, values masked\n');
    const nins = (stdout.match(/(?<!\d)\d{11}(?!\d)/g) ?? []).filter((run) =>
      isValidNationalIdentityNumber(run),
    );
    expect(nins).toEqual([]);
    expect(stdout).not.toMatch(/\d{4}-\d{2}-\d{2}(?!T)/);
  });

  it('refuses --dry-run with options that deliver or enqueue, and unknown recipients', async () => {
    const before = await rowCounts(database.db);
    const out = await runCli(['export', '--recipient', 'websak', '--dry-run', '--out', 'somewhere'], cliEnv);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain(
      "error: PIFU_USAGE_INVALID: option '--dry-run' cannot be used with option '--out <dir>'",
    );
    const detach = await runCli(['export', '--all', '--dry-run', '--detach'], cliEnv);
    expect(detach.exitCode).toBe(1);
    expect(detach.stderr).toContain(
      "error: PIFU_USAGE_INVALID: option '--dry-run' cannot be used with option '--detach'",
    );
    const unknown = await runCli(['export', '--recipient', 'nope', '--dry-run'], cliEnv);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(
      /^error: PIFU_RECIPIENT_UNKNOWN: no recipient "nope"; configured: conexus-engage, /,
    );
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('disclosures --person: categories grouped, legal basis, override reason and relays', async () => {
    const ctx = hubContext(database.db, { recipients: fixtureRecipients });
    const runId = await startRun(ctx, {
      recipientIds: ['skoleplattform-messaging', 'skoleplattform-directory'],
      trigger: 'operator',
      feedType: 'full',
    });
    await runInProcess(ctx, runId);
    const run = runIds(runId);
    // A person this transfer carried with `category` (docs/requirements.md#d8).
    const keyOf = async (transferId: string, category: string): Promise<string> => {
      const { rows } = await sql<{ person_key: string }>`
        SELECT person_key FROM (${carriedByTransfer(transferId)}) carried
        WHERE ${category} = ANY(categories) ORDER BY person_key LIMIT 1`.execute(database.db);
      return rows[0]!.person_key;
    };

    const guardian = await keyOf(run.transferId('skoleplattform-messaging'), 'id:personNIN');
    const text = await runCli(['disclosures', '--person', guardian], cliEnv);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(
      `skoleplattform-messaging\n  transfer     ${run.transferId('skoleplattform-messaging')} (trigger operator)\n`,
    );
    expect(text.stdout).toMatch(/\n {2}categories +identity: name; .*identifiers: personNIN/);
    expect(text.stdout).toContain(
      '\n  legal basis  GDPR Art. 6(1)(e) and 6(3); opplæringslova (education act) and forskrift til opplæringslova\n',
    );
    expect(text.stdout).toContain(
      '\n  override     Guardians log in to Portalen and Skolemelding with ID-porten, which identifies them by national identity number (widens guardianIdTypes+personNIN)\n',
    );

    const pupil = await keyOf(run.transferId('skoleplattform-directory'), 'memberships');
    const json = await runCli(['disclosures', '--person', pupil, '--json'], cliEnv);
    const answers = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      answers.find((answer) => answer['transferId'] === run.transferId('skoleplattform-directory')),
    ).toMatchObject({
      recipientId: 'skoleplattform-directory',
      trigger: 'operator',
      relaysTo: ['Active Directory', 'Feide', 'Microsoft 365'],
      overrideReason: null,
      memberships: true,
      categoryGroups: { identity: expect.arrayContaining(['name']), identifiers: expect.any(Array) },
    });
    const relays = await runCli(['disclosures', '--person', pupil], cliEnv);
    expect(relays.stdout).toContain('\n  relays to    Active Directory, Feide, Microsoft 365\n');

    const unknown = '00000000-0000-4000-8000-000000000000';
    const nobody = await runCli(['disclosures', '--person', unknown.toUpperCase()], cliEnv);
    expect(nobody.stdout).toBe(`no disclosures recorded for person ${unknown}\n`);
    const malformed = await runCli(['disclosures', '--person', 'no-such-person'], cliEnv);
    expect(malformed.exitCode).toBe(1);
    expect(malformed.stderr).toContain('PIFU_USAGE_INVALID: person: not a hub person key');
  });
});
