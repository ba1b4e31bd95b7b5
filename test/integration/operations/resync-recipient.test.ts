import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { readFeed } from '../../../src/pifu/index.js';
import { resyncRecipient, startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  activePupils,
  actors,
  expectDenied,
  expectIdentityNumberRefused,
  expectRefused,
  hubCounts,
  identityNumberOf,
  nobodysKey,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

/** Brønnøysundregistrene's own organisation number: well-formed (mod-11), and no school of the store. */
const otherOrganization = '974760673';

describe('resyncRecipient', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let pupil: string;
  let school: { org: string; nsr: string };
  const reason = 'LMS lost the account in a migration';
  beforeAll(async () => {
    database = await seededDatabase();
    ops = operationsOver(database.db, (dir) => [recipient('lms', 'lms', join(dir, 'lms'))]);
    await startExport(ops, actors.operator, { recipients: ['lms'] });
    [pupil = ''] = await activePupils(database.db);
    const { rows } = await sql<{ org: string; nsr: string }>`SELECT organization_number AS org,
      nsr_id AS nsr FROM records.school ORDER BY id LIMIT 1`.execute(database.db);
    school = rows[0]!;
  });
  afterAll(async () => database.destroy());

  async function personsIn(file: string | null): Promise<[string, string | undefined][]> {
    const document = await readFeed(readFileSync(file ?? '', 'utf8'));
    const persons: [string, string | undefined][] = [];
    for await (const { object, change } of document.persons()) persons.push([object.key, change]);
    return persons;
  }

  it('sends one person again as new, its done row naming the person and the recipient', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      resyncRecipient(ops, actors.operator, { recipient: 'lms', person: pupil, reason }),
    );
    expect(result.status).toBe('completed');
    const [feed] = result.feeds;
    expect(feed).toMatchObject({ recipient: 'lms', status: 'delivered', type: 'delta', deleted: 0 });
    expect(await personsIn(feed?.file ?? null)).toEqual([[pupil, 'add']]);
    expect(rows).toEqual([
      {
        actor: 'test:olga',
        action: 'resync',
        outcome: 'done',
        subject: pupil,
        detail: `${result.runId}: lms: ${reason}`,
        source: 'local',
      },
    ]);
    const { rows: runs } = await sql<{ trigger: string; reason: string }>`SELECT trigger, reason
      FROM hub.run WHERE id = ${result.runId}`.execute(database.db);
    expect(runs).toEqual([{ trigger: 'resync', reason }]);
  });

  it('takes an upper-case person key as the same key', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      resyncRecipient(ops, actors.operator, { recipient: 'lms', person: ` ${pupil.toUpperCase()} `, reason }),
    );
    expect(await personsIn(result.feeds[0]?.file ?? null)).toEqual([[pupil, 'add']]);
    expect(rows.map((row) => [row.outcome, row.subject])).toEqual([['done', pupil]]);
  });

  it("sends a school's part again, by organisation number or NSR id, the school in the detail", async () => {
    for (const reference of [school.org, school.nsr]) {
      const { result, rows } = await succeeds(database.db, () =>
        resyncRecipient(ops, actors.operator, { recipient: 'lms', school: reference, reason }),
      );
      expect(result.feeds[0]).toMatchObject({ status: 'delivered', changed: 0, deleted: 0 });
      expect(result.feeds[0]?.added).toBeGreaterThan(1);
      expect(rows).toEqual([
        expect.objectContaining({
          outcome: 'done',
          subject: 'lms',
          detail: `${result.runId}: lms school ${reference}: ${reason}`,
        }),
      ]);
    }
  });

  it('refuses an actor without the operator role, audited as denied', async () => {
    const before = await hubCounts(database.db);
    await expectDenied(database.db, () => resyncRecipient(ops, actors.viewer, { recipient: 'lms', reason }), {
      actor: actors.viewer,
      action: 'resync',
      role: 'operator',
    });
    await expectDenied(
      database.db,
      () => resyncRecipient(ops, actors.privacyAdmin, { recipient: 'lms', reason }),
      { actor: actors.privacyAdmin, action: 'resync', role: 'operator' },
    );
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('B5: an unknown recipient is refused with a refused row, never a done row, and no run', async () => {
    const before = await hubCounts(database.db);
    await expectRefused(
      database.db,
      () => resyncRecipient(ops, actors.operator, { recipient: 'nope', reason }),
      {
        code: 'PIFU_RECIPIENT_UNKNOWN',
        message: /no recipient "nope"; configured: lms/,
        row: { actor: 'test:olga', action: 'resync', subject: null, detail: 'PIFU_RECIPIENT_UNKNOWN' },
      },
    );
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('refuses unknown and malformed schools and persons, and bad input, naming the field', async () => {
    const before = await hubCounts(database.db);
    const row = { actor: 'test:olga', action: 'resync' };
    await expectRefused(
      database.db,
      () => resyncRecipient(ops, actors.operator, { recipient: 'lms', school: otherOrganization, reason }),
      {
        code: 'PIFU_SCHOOL_UNKNOWN',
        message: /school: the source has no school/,
        row: { ...row, subject: 'lms' },
      },
    );
    await expectRefused(
      database.db,
      () => resyncRecipient(ops, actors.operator, { recipient: 'lms', school: '974760674', reason }),
      { code: 'PIFU_USAGE_INVALID', message: /school: a 9-digit organisation number whose check digit/, row },
    );
    await expectRefused(
      database.db,
      () => resyncRecipient(ops, actors.operator, { recipient: 'lms', person: nobodysKey, reason }),
      { code: 'PIFU_PERSON_UNKNOWN', row: { ...row, subject: nobodysKey } },
    );
    await expectRefused(
      database.db,
      () => resyncRecipient(ops, actors.operator, { recipient: 'lms', person: "x' OR 1=1 --", reason }),
      {
        code: 'PIFU_USAGE_INVALID',
        message: /person: not a hub person key/,
        row: { ...row, subject: 'lms' },
      },
    );
    await expectRefused(
      database.db,
      () => resyncRecipient(ops, actors.operator, { recipient: 'lms', reason: '  ' }),
      { code: 'PIFU_USAGE_INVALID', message: /reason: say why in words/, row: { ...row, subject: null } },
    );
    await expectRefused(
      database.db,
      () => resyncRecipient(ops, actors.operator, { recipient: 'Lms', reason }),
      { code: 'PIFU_USAGE_INVALID', message: /recipient: a recipient id/, row },
    );
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('refuses a national identity number as a person key, keeping only its hash and last two digits', async () => {
    const nin = await identityNumberOf(database.db, pupil);
    const before = await hubCounts(database.db);
    await expectIdentityNumberRefused(
      database.db,
      (typed) => resyncRecipient(ops, actors.operator, { recipient: 'lms', person: typed, reason }),
      { nin, actor: actors.operator, action: 'resync' },
    );
    expect(await hubCounts(database.db)).toEqual(before);
  });
});
