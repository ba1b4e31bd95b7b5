import { join } from 'node:path';
import { sql } from 'kysely';
import { decideHold, forgetPerson, listHolds, startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  activePupils,
  actors,
  attempt,
  codeOf,
  expectDenied,
  expectIdentityNumberRefused,
  expectRefused,
  faultAtCommit,
  hubCounts,
  identityNumberOf,
  nobodysKey,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

describe('forgetPerson', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let pupils: string[];
  let teacher: string;
  const reason = 'Erasure request 2026/117';
  const holders = async (personKey: string) =>
    (
      await sql<{ recipient_id: string }>`SELECT DISTINCT recipient_id FROM hub.delivered_object
        WHERE object_key = ${personKey} ORDER BY recipient_id`.execute(database.db)
    ).rows.map((row) => row.recipient_id);
  const forgotten = async () =>
    (
      await sql<{ person_key: string; requested_by: string }>`SELECT person_key, requested_by
        FROM hub.forgotten_person ORDER BY person_key`.execute(database.db)
    ).rows;

  beforeAll(async () => {
    database = await seededDatabase();
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms'), {
        feed: { safety: { maxDeletePercent: 50, maxChangePercent: 50 } },
      }),
      // Holds staff only, and holds any delta that deletes anything.
      recipient('hr', 'staff', join(dir, 'hr'), { feed: { safety: { maxDeletePercent: 0 } } }),
    ]);
    await startExport(ops, actors.operator, { all: true });
    pupils = await activePupils(database.db, 3);
    const { rows } = await sql<{ id: string }>`SELECT person_id::text AS id FROM records.staff_employment
      WHERE ends IS NULL ORDER BY person_id LIMIT 1`.execute(database.db);
    teacher = rows[0]!.id;
    expect(await holders(teacher)).toEqual(['hr', 'lms']);
  });
  afterAll(async () => database.destroy());

  it('deletes the person at every holder now, the request and its done row committing together', async () => {
    const [pupil = ''] = pupils;
    expect(await holders(pupil)).toEqual(['lms']);
    const { result, rows } = await succeeds(database.db, () =>
      forgetPerson(ops, actors.privacyAdmin, { person: pupil, reason }),
    );
    expect(result.personKey).toBe(pupil);
    expect(result.run?.status).toBe('completed');
    expect(result.run?.feeds).toEqual([
      expect.objectContaining({ recipient: 'lms', status: 'delivered', type: 'delta' }),
    ]);
    expect(result.run?.feeds[0]?.deleted).toBeGreaterThan(0);
    expect(await holders(pupil)).toEqual([]);
    expect(await forgotten()).toEqual([{ person_key: pupil, requested_by: 'test:pia' }]);
    expect(rows).toEqual([
      {
        actor: 'test:pia',
        action: 'forget',
        outcome: 'done',
        subject: pupil,
        detail: reason,
        source: 'local',
      },
    ]);
  });

  it('B6: a holder whose delta is held makes it PIFU_ERASURE_PENDING, naming it and the hold; after approval, forget succeeds', async () => {
    const pending = await attempt(database.db, () =>
      forgetPerson(ops, actors.privacyAdmin, { person: teacher, reason }),
    );
    const [hold] = await listHolds(ops, actors.viewer);
    expect(hold?.recipientId).toBe('hr');
    expect(codeOf(pending)).toMatchObject({
      code: 'PIFU_ERASURE_PENDING',
      message: expect.stringContaining(
        `person ${teacher} is forgotten, but still held by hr (delta held: pifu-hub hold show ${hold?.transferId}, then approve it)`,
      ),
    });
    // The request itself committed (the person is out of every later feed): one done row, no refused one.
    expect(pending.rows).toEqual([
      expect.objectContaining({ action: 'forget', outcome: 'done', subject: teacher, detail: reason }),
    ]);
    expect(await holders(teacher)).toEqual(['hr']);

    await decideHold(ops, actors.operator, {
      transfer: hold?.transferId ?? '',
      decision: 'approve',
      reason: 'erasure request must reach HR',
    });
    expect(await holders(teacher)).toEqual([]);
    const { result, rows } = await succeeds(database.db, () =>
      forgetPerson(ops, actors.privacyAdmin, { person: teacher, reason }),
    );
    expect(result).toEqual({ personKey: teacher }); // nobody holds them: no run needed
    expect(rows.map((row) => [row.action, row.outcome, row.subject])).toEqual([['forget', 'done', teacher]]);
  });

  it('a request that does not commit leaves no done row, and forgets nobody', async () => {
    const before = await hubCounts(database.db);
    const lift = await faultAtCommit(database.db, 'hub.forgotten_person', 'INSERT');
    let outcome;
    try {
      outcome = await attempt(database.db, () =>
        forgetPerson(ops, actors.privacyAdmin, { person: pupils[2] ?? '', reason }),
      );
    } finally {
      await lift();
    }
    expect((outcome.error as Error).message).toContain('fault injected by the test at commit');
    expect(outcome.rows).toEqual([]);
    expect(await hubCounts(database.db)).toEqual(before);
    expect(await holders(pupils[2] ?? '')).toEqual(['lms']);
  });

  it('takes an upper-case person key as the same key', async () => {
    const pupil = pupils[1] ?? '';
    const { result, rows } = await succeeds(database.db, () =>
      forgetPerson(ops, actors.privacyAdmin, { person: pupil.toUpperCase(), reason }),
    );
    expect(result.personKey).toBe(pupil);
    expect(rows.map((row) => row.subject)).toEqual([pupil]);
    expect((await forgotten()).map((row) => row.person_key)).toContain(pupil);
    expect(await holders(pupil)).toEqual([]);
  });

  it('refuses an unknown or malformed person and a reason without words, forgetting nobody', async () => {
    const before = await hubCounts(database.db);
    const row = { actor: 'test:pia', action: 'forget' };
    await expectRefused(
      database.db,
      () => forgetPerson(ops, actors.privacyAdmin, { person: nobodysKey, reason }),
      {
        code: 'PIFU_PERSON_UNKNOWN',
        message: new RegExp(`no person ${nobodysKey} in the source`),
        row: { ...row, subject: nobodysKey, detail: 'PIFU_PERSON_UNKNOWN' },
      },
    );
    await expectRefused(
      database.db,
      () => forgetPerson(ops, actors.privacyAdmin, { person: "x' OR 1=1 --", reason }),
      { code: 'PIFU_USAGE_INVALID', message: /person: not a hub person key/, row: { ...row, subject: null } },
    );
    await expectRefused(
      database.db,
      () => forgetPerson(ops, actors.privacyAdmin, { person: pupils[2] ?? '', reason: '   ' }),
      { code: 'PIFU_USAGE_INVALID', message: /reason: say why in words/, row: { ...row, subject: null } },
    );
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('refuses a national identity number, keeping only its hash and last two digits', async () => {
    const before = await hubCounts(database.db);
    const nin = await identityNumberOf(database.db, pupils[2] ?? '');
    await expectIdentityNumberRefused(
      database.db,
      (typed) => forgetPerson(ops, actors.privacyAdmin, { person: typed, reason }),
      { nin, actor: actors.privacyAdmin, action: 'forget' },
    );
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('refuses a reason that carries a national identity number: the reason is stored and shown', async () => {
    const before = await hubCounts(database.db);
    const nin = await identityNumberOf(database.db, pupils[2] ?? '');
    for (const typed of [nin, `${nin.slice(0, 6)} ${nin.slice(6)}`]) {
      const refused = await attempt(database.db, () =>
        forgetPerson(ops, actors.privacyAdmin, {
          person: pupils[2] ?? '',
          reason: `erasure request from ${typed}`,
        }),
      );
      expect(codeOf(refused)).toMatchObject({
        code: 'PIFU_USAGE_INVALID',
        message: expect.stringContaining('reason: '),
      });
      expect((refused.error as Error).message).not.toContain(nin.slice(6));
      expect(refused.rows.map((row) => [row.outcome, row.subject, row.detail])).toEqual([
        ['refused', null, 'PIFU_USAGE_INVALID'],
      ]);
    }
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.audit a
      WHERE a::text LIKE ${`%${nin.slice(6)}%`}`.execute(database.db);
    expect(rows[0]?.n).toBe(0);
    expect(await hubCounts(database.db)).toEqual(before);
  });

  it('refuses an actor without the privacy-admin role, audited as denied', async () => {
    const before = await hubCounts(database.db);
    for (const actor of [actors.operator, actors.nobody]) {
      await expectDenied(database.db, () => forgetPerson(ops, actor, { person: pupils[2] ?? '', reason }), {
        actor,
        action: 'forget',
        role: 'privacy-admin',
      });
    }
    expect(await hubCounts(database.db)).toEqual(before);
  });
});
