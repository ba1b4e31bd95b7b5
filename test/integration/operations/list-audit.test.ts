import { sql } from 'kysely';
import { decideHold, listAudit, listDisclosures } from '../../../src/operations/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import {
  actors,
  attempt,
  expectDenied,
  expectIdentityNumberRefused,
  expectRefused,
  nobodysKey,
  operationsOver,
  succeeds,
} from './operations-fixture.js';

/** A national identity number shaped as the issue's example: what an operator may paste by mistake. */
const typedNin = '08908200064';
const unknownTransfer = 'transfer-20260101T000000Z-abc123-lms';

describe('listAudit', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  beforeAll(async () => {
    // The trail needs no roster: an empty store will do.
    database = await createTestDatabase({ migrated: true });
    ops = operationsOver(database.db, () => []);
    await listDisclosures(ops, actors.privacyAdmin, { person: nobodysKey });
    await attempt(database.db, () =>
      decideHold(ops, actors.operator, {
        transfer: unknownTransfer,
        decision: 'approve',
        reason: 'looks right to me',
      }),
    );
  });
  afterAll(async () => database.destroy());

  it('reads the trail newest first, and the reading is itself audited', async () => {
    const { result, rows } = await succeeds(database.db, () => listAudit(ops, actors.privacyAdmin));
    expect(result.map((entry) => [entry.actor, entry.action, entry.outcome, entry.subject])).toEqual([
      ['test:olga', 'hold-approve', 'refused', unknownTransfer],
      ['test:pia', 'disclosures', 'done', nobodysKey],
    ]);
    expect(result[0]?.at).toBeInstanceOf(Date);
    expect(rows).toEqual([
      { actor: 'test:pia', action: 'audit', outcome: 'done', subject: null, detail: null, source: 'local' },
    ]);
    const [latest] = await listAudit(ops, actors.privacyAdmin, { limit: 1 });
    expect([latest?.action, latest?.actor]).toEqual(['audit', 'test:pia']);
  });

  it('filters by a person (checked like every person key) or by any other subject', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      listAudit(ops, actors.privacyAdmin, { person: nobodysKey.toUpperCase() }),
    );
    expect(result.map((entry) => [entry.action, entry.subject])).toEqual([['disclosures', nobodysKey]]);
    expect(rows.map((row) => [row.action, row.outcome, row.subject])).toEqual([
      ['audit', 'done', nobodysKey],
    ]);

    const bySubject = await listAudit(ops, actors.privacyAdmin, { subject: unknownTransfer });
    expect(bySubject.map((entry) => [entry.action, entry.outcome])).toEqual([['hold-approve', 'refused']]);
  });

  it('refuses a limit out of bounds and a malformed person, naming the field, with a refused row', async () => {
    const row = { actor: 'test:pia', action: 'audit', subject: null };
    for (const limit of [0, 1001, 2.5]) {
      await expectRefused(database.db, () => listAudit(ops, actors.privacyAdmin, { limit }), {
        code: 'PIFU_USAGE_INVALID',
        message: /limit: /,
        row,
      });
    }
    await expectRefused(database.db, () => listAudit(ops, actors.privacyAdmin, { person: 'nobody' }), {
      code: 'PIFU_USAGE_INVALID',
      message: /person: not a hub person key/,
      row,
    });
    await expectRefused(
      database.db,
      () => listAudit(ops, actors.privacyAdmin, { person: nobodysKey, subject: 'run-x' }),
      { code: 'PIFU_USAGE_INVALID', message: /subject: a person or another subject, not both/, row },
    );
  });

  it('refuses a national identity number as a person, keeping only its hash and last two digits', async () => {
    await expectIdentityNumberRefused(
      database.db,
      (typed) => listAudit(ops, actors.privacyAdmin, { person: typed }),
      { nin: typedNin, actor: actors.privacyAdmin, action: 'audit' },
    );
    // Typed as a free subject, it finds nothing and is not kept either.
    expect(await listAudit(ops, actors.privacyAdmin, { subject: typedNin })).toEqual([]);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.audit a
      WHERE a::text LIKE ${`%${typedNin}%`}`.execute(database.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('refuses an actor without the privacy-admin role, audited as denied', async () => {
    for (const actor of [actors.operator, actors.viewer]) {
      await expectDenied(database.db, () => listAudit(ops, actor), {
        actor,
        action: 'audit',
        role: 'privacy-admin',
      });
    }
  });
});
