import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { restrictPerson, startExport, unrestrictPerson } from '../../../src/operations/index.js';
import { readFeed } from '../../../src/pifu/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  activePupils,
  actors,
  expectDenied,
  expectIdentityNumberRefused,
  expectRefused,
  identityNumberOf,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

describe('restrictPerson and unrestrictPerson (GDPR Art. 18)', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let pupil: string;
  const reason = 'Case 2026/201: accuracy contested';
  const holders = async (personKey: string) =>
    (
      await sql<{ recipient_id: string }>`SELECT DISTINCT recipient_id FROM hub.delivered_object
        WHERE object_type = 1 AND object_key = ${personKey} ORDER BY recipient_id`.execute(database.db)
    ).rows.map((row) => row.recipient_id);
  const changesFor = async (file: string | null, personKey: string) => {
    const document = await readFeed(readFileSync(file!, 'utf8'));
    const persons: (string | undefined)[] = [];
    for await (const { object, change } of document.persons())
      if (object.key === personKey) persons.push(change ?? 'full');
    const memberships: (string | undefined)[] = [];
    for await (const { object, change } of document.memberships())
      if (object.personKey === personKey) memberships.push(change ?? 'full');
    return { persons, memberships };
  };

  beforeAll(async () => {
    database = await seededDatabase();
    const safety = { feed: { safety: { maxDeletePercent: 50, maxChangePercent: 50 } } };
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms'), safety),
      recipient('sms', 'sms', join(dir, 'sms'), safety),
    ]);
    await startExport(ops, actors.operator, { all: true });
    [pupil = ''] = await activePupils(database.db, 1);
    expect(await holders(pupil)).toEqual(['lms', 'sms']);
  });
  afterAll(async () => database.destroy());

  it('deletes the person at the chosen recipient now (recstatus 3), leaves the others, and audits it', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      restrictPerson(ops, actors.privacyAdmin, { person: pupil, recipients: ['lms'], reason }),
    );
    expect(result).toMatchObject({ personKey: pupil, restricted: ['lms'], run: { status: 'completed' } });
    const lmsFeed = result.run!.feeds.find((feed) => feed.recipient === 'lms')!;
    expect(result.run!.feeds.map((feed) => feed.recipient)).toEqual(['lms']);
    const changes = await changesFor(lmsFeed.file, pupil);
    expect(changes.persons).toEqual(['delete']);
    expect(changes.memberships.length).toBeGreaterThan(0);
    expect(new Set(changes.memberships)).toEqual(new Set(['delete']));
    expect(await holders(pupil)).toEqual(['sms']);
    expect(rows).toEqual([
      expect.objectContaining({
        actor: actors.privacyAdmin.name,
        action: 'restrict',
        outcome: 'done',
        subject: pupil,
        detail: expect.stringContaining(`lms: ${reason}`),
      }),
    ]);
    // The next delta keeps them out, and the quiet one after it sends nothing at all.
    const next = await startExport(ops, actors.operator, { recipients: ['lms'], feedType: 'delta' });
    expect(next.feeds[0]?.status).toBe('skipped');
    expect(await holders(pupil)).toEqual(['sms']);
  });

  it('restricting again is idempotent, and unrestrict brings the person back with the next delta', async () => {
    await restrictPerson(ops, actors.privacyAdmin, { person: pupil, recipients: ['lms'], reason });
    const { rows: active } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.restriction
      WHERE person_key = ${pupil} AND lifted_at IS NULL`.execute(database.db);
    expect(active[0]?.n).toBe(1);

    const { result, rows } = await succeeds(database.db, () =>
      unrestrictPerson(ops, actors.privacyAdmin, {
        person: pupil,
        recipients: ['lms'],
        reason: 'Case 2026/201: accuracy confirmed',
      }),
    );
    expect(result).toEqual({ personKey: pupil, lifted: ['lms'], stillRestricted: [] });
    expect(rows).toEqual([
      expect.objectContaining({ action: 'unrestrict', outcome: 'done', subject: pupil }),
    ]);
    const back = await startExport(ops, actors.operator, { recipients: ['lms'], feedType: 'delta' });
    expect(back.feeds[0]).toMatchObject({ status: 'delivered', type: 'delta' });
    expect((await changesFor(back.feeds[0]!.file, pupil)).persons).toEqual(['add']);
    expect(await holders(pupil)).toEqual(['lms', 'sms']);
  });

  it('--all keeps a guardian out of every feed, as a guardian too: the links to them go', async () => {
    const { rows } = await sql<{ guardian: string }>`SELECT DISTINCT o.object_key AS guardian
      FROM hub.delivered_object o JOIN records.guardian_relation g ON g.guardian_id::text = o.object_key
      WHERE o.recipient_id = 'sms' AND o.object_type = 1 ORDER BY 1 LIMIT 1`.execute(database.db);
    const guardian = rows[0]!.guardian;
    const result = await restrictPerson(ops, actors.privacyAdmin, { person: guardian, all: true, reason });
    expect(result.restricted).toEqual(['*']);
    expect(await holders(guardian)).toEqual([]);
    const sms = result.run!.feeds.find((feed) => feed.recipient === 'sms')!;
    const document = await readFeed(readFileSync(sms.file!, 'utf8'));
    for await (const { object } of document.persons()) expect(object.guardianKeys).not.toContain(guardian);
  });

  it('is refused without the privacy-admin role, for a national identity number, and for nothing to lift', async () => {
    await expectDenied(
      database.db,
      () => restrictPerson(ops, actors.operator, { person: pupil, all: true, reason }),
      { actor: actors.operator, action: 'restrict', role: 'privacy-admin' },
    );
    const nin = await identityNumberOf(database.db, pupil);
    await expectIdentityNumberRefused(
      database.db,
      (typed) => restrictPerson(ops, actors.privacyAdmin, { person: typed, all: true, reason }),
      { nin, actor: actors.privacyAdmin, action: 'restrict' },
    );
    await expectRefused(
      database.db,
      () => unrestrictPerson(ops, actors.privacyAdmin, { person: pupil, all: true, reason }),
      {
        code: 'PIFU_RESTRICTION_UNKNOWN',
        row: { actor: actors.privacyAdmin.name, action: 'unrestrict', subject: pupil },
      },
    );
  });
});
