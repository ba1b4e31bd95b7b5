import { join } from 'node:path';
import { listDisclosures, startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import {
  activePupils,
  actors,
  expectDenied,
  expectIdentityNumberRefused,
  expectRefused,
  identityNumberOf,
  nobodysKey,
  operationsOver,
  seededDatabase,
  succeeds,
} from './operations-fixture.js';

describe('listDisclosures', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  let pupil: string;
  let transfers: Record<string, string>;
  beforeAll(async () => {
    database = await seededDatabase();
    ops = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('websak', 'archive', join(dir, 'websak'), { relaysTo: ['Noark 5 archive'] }),
      recipient('hr', 'staff', join(dir, 'hr')),
    ]);
    const report = await startExport(ops, actors.operator, { all: true });
    transfers = Object.fromEntries(report.feeds.map((feed) => [feed.recipient, feed.transferId]));
    [pupil = ''] = await activePupils(database.db);
  });
  afterAll(async () => database.destroy());

  it("answers which recipients received a person's data, and audits the question with the count", async () => {
    const { result, rows } = await succeeds(database.db, () =>
      listDisclosures(ops, actors.privacyAdmin, { person: pupil }),
    );
    expect(result.personKey).toBe(pupil);
    expect(result.disclosures.map((answer) => [answer.recipientId, answer.transferId]).sort()).toEqual([
      ['lms', transfers['lms']],
      ['websak', transfers['websak']],
    ]);
    const websak = result.disclosures.find((answer) => answer.recipientId === 'websak');
    expect(websak).toMatchObject({
      trigger: 'operator',
      legalBasis: 'GDPR Art. 6(1)(e); opplæringslova',
      relaysTo: ['Noark 5 archive'],
      categories: expect.arrayContaining(['name', 'id:personNIN', 'memberships']),
    });
    expect(rows).toEqual([
      {
        actor: 'test:pia',
        action: 'disclosures',
        outcome: 'done',
        subject: pupil,
        detail: '2 disclosures',
        source: 'local',
      },
    ]);
  });

  it('takes an upper-case key as the same person', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      listDisclosures(ops, actors.privacyAdmin, { person: pupil.toUpperCase() }),
    );
    expect([result.personKey, result.disclosures.length]).toEqual([pupil, 2]);
    expect(rows.map((row) => row.subject)).toEqual([pupil]);
  });

  it('answers "none" for a well-formed key nobody received, audited like any question', async () => {
    const { result, rows } = await succeeds(database.db, () =>
      listDisclosures(ops, actors.privacyAdmin, { person: nobodysKey }),
    );
    expect(result).toEqual({ personKey: nobodysKey, disclosures: [] });
    expect(rows.map((row) => [row.outcome, row.subject, row.detail])).toEqual([
      ['done', nobodysKey, '0 disclosures'],
    ]);
  });

  it('refuses what is not a person key, naming the field, with a refused row', async () => {
    await expectRefused(
      database.db,
      () => listDisclosures(ops, actors.privacyAdmin, { person: 'no-such-person' }),
      {
        code: 'PIFU_USAGE_INVALID',
        message: /person: not a hub person key/,
        row: { actor: 'test:pia', action: 'disclosures', subject: null },
      },
    );
  });

  it('refuses a national identity number, keeping only its hash and last two digits', async () => {
    const nin = await identityNumberOf(database.db, pupil);
    await expectIdentityNumberRefused(
      database.db,
      (typed) => listDisclosures(ops, actors.privacyAdmin, { person: typed }),
      { nin, actor: actors.privacyAdmin, action: 'disclosures' },
    );
  });

  it('refuses an actor without the privacy-admin role, audited as denied', async () => {
    for (const actor of [actors.operator, actors.nobody]) {
      await expectDenied(database.db, () => listDisclosures(ops, actor, { person: pupil }), {
        actor,
        action: 'disclosures',
        role: 'privacy-admin',
      });
    }
  });
});
