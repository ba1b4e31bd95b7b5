import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTransport } from '../../../connectors/transports/registry.js';
import { removeSchool, syntheticNationalIdentityNumber } from '../../../fixtures/generator/index.js';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import type { RecipientConfig } from '../../../src/config/index.js';
import { HubError } from '../../../src/errors/index.js';
import type { ChangeKind, Group, Membership } from '../../../src/model/index.js';
import { readFeed, type FeedPerson } from '../../../src/pifu/index.js';
import type { TransportFactory } from '../../../src/ports/index.js';
import { startRun, takeSnapshot, type HubContext } from '../../../src/run/index.js';
import { findRecipientState } from '../../../src/state/index.js';
import { decideHold, deliverTransfer, listHolds, listRunTransfers } from '../../../src/transfer/index.js';
import { findFeed, writeRecipientFeed } from '../../../src/feed/index.js';
import { runIds } from '../../../src/run/index.js';
import { commitRecordsChange } from '../../helpers/records-change.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

interface Entry<T> {
  readonly object: T;
  readonly change: ChangeKind | undefined;
}

interface Delivered {
  readonly status: string;
  readonly transferId: string;
  readonly sha256: string | null;
  readonly persons: Entry<FeedPerson>[];
  readonly groups: Entry<Group>[];
  readonly memberships: Entry<Membership>[];
}

async function readDelivered(
  location: string | null,
): Promise<Omit<Delivered, 'status' | 'transferId' | 'sha256'>> {
  const result = {
    persons: [] as Entry<FeedPerson>[],
    groups: [] as Entry<Group>[],
    memberships: [] as Entry<Membership>[],
  };
  if (location === null || location === '') return result;
  const document = await readFeed(readFileSync(location, 'utf8'));
  for await (const { object, change } of document.persons()) result.persons.push({ object, change });
  for await (const { object, change } of document.groups()) result.groups.push({ object, change });
  for await (const { object, change } of document.memberships()) result.memberships.push({ object, change });
  return result;
}

/** One run for the recipients, in process; what each transfer carried. */
async function exportRun(
  ctx: HubContext,
  feedType: 'full' | 'delta',
  recipientIds: readonly string[] = [...ctx.recipients.keys()],
  acceptSourceDrop?: { reason: string },
): Promise<Map<string, Delivered>> {
  const runId = await startRun(ctx, {
    recipientIds,
    trigger: 'operator',
    feedType,
    ...(acceptSourceDrop === undefined ? {} : { acceptSourceDrop }),
  });
  await runInProcess(ctx, runId);
  const delivered = new Map<string, Delivered>();
  for (const transfer of await listRunTransfers(ctx.db, runId)) {
    delivered.set(transfer.recipientId, {
      status: transfer.status,
      transferId: transfer.id,
      sha256: transfer.sha256Hex,
      ...(await readDelivered(transfer.status === 'delivered' ? transfer.location : null)),
    });
  }
  return delivered;
}

/**
 * Changes the records store through ordinary SQL (the change-log triggers fire), then dates those
 * change-log rows one second after the latest earlier change, as the synthetic change generator does,
 * so the snapshot time moves forward inside the synthetic school year.
 */

const changeOf = <T>(
  entries: readonly Entry<T>[],
  match: (object: T) => boolean,
): (ChangeKind | undefined)[] => entries.filter((entry) => match(entry.object)).map((entry) => entry.change);

describe('deltas against delivered state, on real PostgreSQL', () => {
  let database: TestDatabase;
  let schools: { id: string; org: string }[];

  beforeEach(async () => {
    database = await createTestDatabase({ seeded: 'mini' });
    schools = (
      await sql<{ id: string; org: string }>`
        select id::text as id, organization_number as org from records.school order by id`.execute(
        database.db,
      )
    ).rows;
  }, 180_000);
  afterEach(async () => database.destroy());

  /** An active minor pupil enrolled at `schoolId`, with a basisgruppe membership there. */
  async function pupilAt(schoolId: string): Promise<string> {
    const { rows } = await sql<{ id: string }>`
      select p.id::text as id from records.person p
      join records.pupil_enrolment e on e.person_id = p.id and e.school_id = ${schoolId} and e.ends is null
      join records.membership m on m.person_id = p.id and m.roletype = '01' and m.is_active
      join records.roster_group g on g.id = m.group_id and g.group_type = 'basisgruppe'
      where p.status = 'active' and p.address_protection = 'none'
      order by p.id limit 1`.execute(database.db);
    const id = rows[0]?.id;
    if (id === undefined) throw new Error(`no pupil at ${schoolId}`);
    return id;
  }

  function contextWith(recipients: (dir: string) => RecipientConfig[], transportFor?: TransportFactory) {
    return hubContext(database.db, { recipients, ...(transportFor === undefined ? {} : { transportFor }) });
  }

  it('a pupil moving to a school out of scope is deleted there and added at the recipient whose scope it enters', async () => {
    const [a, b] = schools;
    if (a === undefined || b === undefined) throw new Error('small has several schools');
    const ctx = contextWith((dir) => [
      recipient('lms-a', 'lms', join(dir, 'a'), { profile: { schools: [a.org] } }),
      recipient('lms-b', 'lms', join(dir, 'b'), { profile: { schools: [b.org] } }),
    ]);
    await exportRun(ctx, 'full');
    const pupil = await pupilAt(a.id);
    const target = (
      await sql<{ id: string }>`select id::text as id from records.roster_group
        where school_id = ${b.id} and group_type = 'basisgruppe' order by id limit 1`.execute(database.db)
    ).rows[0]?.id;
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.pupil_enrolment set school_id = ${b.id} where person_id = ${pupil}`.execute(
        trx,
      );
      await sql`delete from records.membership where person_id = ${pupil}`.execute(trx);
      await sql`insert into records.membership (group_id, person_id, roletype, is_active, is_primary)
        values (${target}, ${pupil}, '01', true, true)`.execute(trx);
    });
    const delta = await exportRun(ctx, 'delta');
    const atA = delta.get('lms-a');
    const atB = delta.get('lms-b');
    expect(changeOf(atA?.persons ?? [], (person) => person.key === pupil)).toEqual(['delete']);
    expect(changeOf(atA?.memberships ?? [], (m) => m.personKey === pupil).every((c) => c === 'delete')).toBe(
      true,
    );
    expect(changeOf(atA?.memberships ?? [], (m) => m.personKey === pupil).length).toBeGreaterThan(0);
    expect(changeOf(atB?.persons ?? [], (person) => person.key === pupil)).toEqual(['add']);
    expect(changeOf(atB?.memberships ?? [], (m) => m.personKey === pupil && m.groupKey === target)).toEqual([
      'add',
    ]);
    // Delete records carry identity only (R2): no name, no identifier, no contact data.
    const tombstone = atA?.persons.find((entry) => entry.object.key === pupil)?.object;
    expect([tombstone?.name, tombstone?.identifiers, tombstone?.emails]).toEqual([
      { given: '', family: '' },
      [],
      [],
    ]);
  }, 180_000);

  it('a class change alone (no person change) is disclosed as memberships in the register', async () => {
    const ctx = contextWith((dir) => [recipient('inspera', 'assessment', dir)]);
    await exportRun(ctx, 'full');
    // An active pupil in a class with a parallel class (same school and grade) to move to.
    const { rows } = await sql<{ pupil: string; from: string; to: string }>`
      select p.id::text as pupil, m.group_id::text as from, other.id::text as to from records.person p
      join records.membership m on m.person_id = p.id and m.roletype = '01' and m.is_active
      join records.roster_group g on g.id = m.group_id and g.group_type = 'basisgruppe'
      join records.roster_group other on other.school_id = g.school_id and other.group_type = 'basisgruppe'
        and other.id <> g.id and other.grade = g.grade
      where p.status = 'active' and p.address_protection = 'none'
      order by p.id, other.id limit 1`.execute(database.db);
    const move = rows[0];
    if (move === undefined) throw new Error('the municipality has parallel classes');
    const pupil = move.pupil;
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.membership set group_id = ${move.to}
        where person_id = ${pupil} and group_id = ${move.from} and roletype = '01'`.execute(trx);
    });
    const delta = (await exportRun(ctx, 'delta')).get('inspera');
    expect(delta?.persons).toEqual([]);
    expect(changeOf(delta?.memberships ?? [], (m) => m.personKey === pupil).sort()).toEqual([
      'add',
      'delete',
    ]);
    const disclosed = await sql<{ categories: string[] }>`
      select categories from hub.disclosure where transfer_id = ${delta?.transferId ?? ''} and person_key = ${pupil}`.execute(
      database.db,
    );
    expect(disclosed.rows).toEqual([{ categories: ['memberships'] }]);
  }, 180_000);

  it('a pupil who becomes inactive leaves an active-only recipient (recstatus 3)', async () => {
    const [a] = schools;
    const ctx = contextWith((dir) => [recipient('inspera', 'assessment', dir)]);
    await exportRun(ctx, 'full');
    const pupil = await pupilAt(a?.id ?? '');
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.person set status = 'inactive' where id = ${pupil}`.execute(trx);
      await sql`update records.pupil_enrolment set ends = '2025-08-17' where person_id = ${pupil}`.execute(
        trx,
      );
      await sql`update records.membership set is_active = false where person_id = ${pupil}`.execute(trx);
    });
    const delta = (await exportRun(ctx, 'delta')).get('inspera');
    expect(changeOf(delta?.persons ?? [], (person) => person.key === pupil)).toEqual(['delete']);
    expect(delta?.persons.length).toBe(1);
  }, 180_000);

  it('a narrowed profile: removed fields arrive as recstatus 2, a removed population as recstatus 3', async () => {
    const wide = contextWith((dir) => [recipient('ad', 'directory', dir)]);
    const full = (await exportRun(wide, 'full')).get('ad');
    const staffKeys = new Set(
      (
        await sql<{ id: string }>`select person_id::text as id from records.staff_employment`.execute(
          database.db,
        )
      ).rows.map((row) => row.id),
    );
    const narrowFields = hubContext(database.db, {
      recipients: () => [
        recipient('ad', 'directory', wide.dropDir, { profile: { fields: ['name'], staffFields: ['name'] } }),
      ],
    });
    const changed = (await exportRun(narrowFields, 'delta')).get('ad');
    expect(changed?.persons.length).toBe(full?.persons.length);
    expect(
      changed?.persons.every((entry) => entry.change === 'change' && entry.object.emails.length === 0),
    ).toBe(true);
    expect(changed?.memberships).toEqual([]);

    const pupilsOnly = hubContext(database.db, {
      recipients: () => [
        // Dropping staff deletes 12 % of what the recipient holds: past the 5 % that holds a delta.
        // This test is about what the delta says, so the limit is lifted.
        recipient('ad', 'directory', wide.dropDir, {
          profile: { fields: ['name'], staffFields: ['name'], populations: ['pupil'] },
          feed: { safety: { maxDeletePercent: 100, maxChangePercent: 100 } },
        }),
      ],
    });
    const narrowed = (await exportRun(pupilsOnly, 'delta')).get('ad');
    const deleted =
      narrowed?.persons.filter((entry) => entry.change === 'delete').map((entry) => entry.object.key) ?? [];
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((key) => staffKeys.has(key))).toBe(true);
    expect(narrowed?.persons.every((entry) => entry.change === 'delete')).toBe(true);
    expect(narrowed?.memberships.every((entry) => entry.change === 'delete')).toBe(true);
  }, 180_000);

  it('a recipient that is down gets everything it missed on the next run; nothing is skipped', async () => {
    let down = false;
    const flaky: TransportFactory = (config, recipientId) => {
      const real = createTransport(config, recipientId);
      return {
        kind: real.kind,
        deliver: async (feed, options) => {
          if (down) throw new HubError('PIFU_TRANSPORT_FAILED', 'recipient down');
          return real.deliver(feed, options);
        },
      };
    };
    const ctx = contextWith((dir) => [recipient('sms', 'sms', dir)], flaky);
    await exportRun(ctx, 'full');
    const before = await findRecipientState(ctx.db, 'sms');
    const pupil = await pupilAt(schools[0]?.id ?? '');
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.person set given_name = 'Omdøpt' where id = ${pupil}`.execute(trx);
    });
    down = true;
    const failed = (await exportRun(ctx, 'delta')).get('sms');
    expect(failed?.status).toBe('failed');
    expect(await findRecipientState(ctx.db, 'sms')).toEqual(before);
    down = false;
    const resent = (await exportRun(ctx, 'delta')).get('sms');
    expect(resent?.status).toBe('delivered');
    expect(resent?.persons.find((entry) => entry.object.key === pupil)).toMatchObject({
      change: 'change',
      object: { name: { given: 'Omdøpt' } },
    });
  }, 180_000);

  it('a crash between delivery and commit repeats the same transfer id, and the state advances once', async () => {
    const seen: string[] = [];
    let crash = true;
    const crashing: TransportFactory = (config, recipientId) => {
      const real = createTransport(config, recipientId);
      return {
        kind: real.kind,
        deliver: async (feed, options) => {
          seen.push(`${feed.transferId}:${feed.fileName}:${feed.sha256Hex}`);
          const receipt = await real.deliver(feed, options);
          if (crash) throw new Error('process killed before the acknowledgement committed');
          return receipt;
        },
      };
    };
    const ctx = contextWith((dir) => [recipient('websak', 'archive', dir)], crashing);
    const runId = await startRun(ctx, { recipientIds: ['websak'], trigger: 'operator', feedType: 'full' });
    await takeSnapshot(ctx, runId);
    await writeRecipientFeed(ctx, runIds(runId).feedId('websak'));
    await expect(deliverTransfer(ctx, runIds(runId).transferId('websak'))).rejects.toThrow('process killed');
    expect(await findRecipientState(ctx.db, 'websak')).toBeUndefined();
    crash = false;
    await deliverTransfer(ctx, runIds(runId).transferId('websak'));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
    expect((await findRecipientState(ctx.db, 'websak'))?.transferId).toBe(runIds(runId).transferId('websak'));
  }, 180_000);

  it('removing a whole school holds the delta; approve delivers exactly it, reject changes nothing', async () => {
    const [a] = schools;
    const ctx = contextWith((dir) => [
      recipient('lms-1', 'lms', join(dir, '1')),
      recipient('lms-2', 'lms', join(dir, '2')),
    ]);
    await exportRun(ctx, 'full');
    const before = {
      one: await findRecipientState(ctx.db, 'lms-1'),
      two: await findRecipientState(ctx.db, 'lms-2'),
    };
    await removeSchool(database.db, a?.id ?? '');
    // The operator lets the source drop past the source guard; each recipient's own valve still holds.
    const held = await exportRun(ctx, 'delta', undefined, { reason: 'school closed' });
    expect([held.get('lms-1')?.status, held.get('lms-2')?.status]).toEqual(['held', 'held']);
    const holds = await listHolds(ctx.db);
    expect(holds.map((hold) => hold.recipientId).sort()).toEqual(['lms-1', 'lms-2']);
    expect(holds.every((hold) => hold.deleted > 0.05 * hold.heldObjects)).toBe(true);

    const one = holds.find((hold) => hold.recipientId === 'lms-1');
    const two = holds.find((hold) => hold.recipientId === 'lms-2');

    // A crash after the feed was recorded but before the hold committed: the retried feed job holds it.
    await sql`delete from hub.hold where transfer_id = ${two?.transferId ?? ''}`.execute(database.db);
    await sql`update hub.transfer set status = 'pending' where id = ${two?.transferId ?? ''}`.execute(
      database.db,
    );
    const again = await writeRecipientFeed(ctx, runIds(two?.runId ?? '').feedId('lms-2'));
    expect(again.held).toBeUndefined();
    expect(
      (await listRunTransfers(ctx.db, two?.runId ?? '')).find((t) => t.recipientId === 'lms-2')?.status,
    ).toBe('held');
    expect((await listHolds(ctx.db)).map((hold) => hold.recipientId).sort()).toEqual(['lms-1', 'lms-2']);
    const approved = await decideHold(ctx, one?.transferId ?? '', {
      decision: 'approve',
      by: 'test:alice',
      reason: 'school closed',
    });
    expect(approved.delivery?.alreadyDelivered).toBe(false);
    const transfers = await listRunTransfers(ctx.db, holds[0]?.runId ?? '');
    const delivered = transfers.find((transfer) => transfer.recipientId === 'lms-1');
    expect(delivered?.status).toBe('delivered');
    const heldFeed = await findFeed(ctx.db, runIds(one?.runId ?? '').feedId('lms-1'));
    expect(delivered?.sha256Hex).toBe(heldFeed?.sha256Hex);
    const afterApprove = await findRecipientState(ctx.db, 'lms-1');
    expect(afterApprove?.transferId).toBe(one?.transferId);
    expect(afterApprove?.objects).toBe((before.one?.objects ?? 0) + (one?.added ?? 0) - (one?.deleted ?? 0));

    await decideHold(ctx, two?.transferId ?? '', {
      decision: 'reject',
      by: 'test:bob',
      reason: 'wrong export',
    });
    expect(await findRecipientState(ctx.db, 'lms-2')).toEqual(before.two);
    expect(
      (await listRunTransfers(ctx.db, two?.runId ?? '')).find((t) => t.recipientId === 'lms-2')?.status,
    ).toBe('rejected');
    expect(
      (await listHolds(ctx.db, { all: true }))
        .map((hold) => [hold.recipientId, hold.decision, hold.decidedBy])
        .sort(),
    ).toEqual([
      ['lms-1', 'approved', 'test:alice'],
      ['lms-2', 'rejected', 'test:bob'],
    ]);
    await expect(
      decideHold(ctx, two?.transferId ?? '', {
        decision: 'approve',
        by: 'test:bob',
        reason: 'changed my mind',
      }),
    ).rejects.toThrow('PIFU_HOLD_DECIDED');
  }, 180_000);

  it('a full that would drop a whole school from what the recipient holds is held too', async () => {
    const [a] = schools;
    const ctx = contextWith((dir) => [recipient('lms-f', 'lms', dir)]);
    await exportRun(ctx, 'full');
    const before = await findRecipientState(ctx.db, 'lms-f');
    await removeSchool(database.db, a?.id ?? '');
    const again = (await exportRun(ctx, 'full', undefined, { reason: 'school closed' })).get('lms-f');
    expect(again?.status).toBe('held');
    expect(await findRecipientState(ctx.db, 'lms-f')).toEqual(before);
    expect((await listHolds(ctx.db)).map((hold) => hold.recipientId)).toEqual(['lms-f']);
  }, 180_000);

  it('a D-number replaced by a fødselsnummer is an update (2) under the same sourcedid', async () => {
    const ctx = contextWith((dir) => [recipient('ad', 'directory', dir)]);
    await exportRun(ctx, 'full');
    const { rows } = await sql<{ id: string; nin: string; birth: string }>`
      select id::text as id, national_identity_number as nin, to_char(birth_date, 'YYYY-MM-DD') as birth
      from records.person p where substr(national_identity_number, 1, 1) >= '4' and status = 'active'
        and exists (select 1 from records.pupil_enrolment e where e.person_id = p.id and e.ends is null)
        and address_protection <> 'strictly_confidential'
      order by id limit 1`.execute(database.db);
    const person = rows[0];
    if (person === undefined) throw new Error('small has D-number pupils');
    let replacement: string | undefined;
    for (let individual = 500; replacement === undefined; individual++) {
      replacement = syntheticNationalIdentityNumber(person.birth, individual, 'fnr');
    }
    await commitRecordsChange(database.db, async (trx) => {
      await sql`update records.person set national_identity_number = ${replacement} where id = ${person.id}`.execute(
        trx,
      );
    });
    const delta = (await exportRun(ctx, 'delta')).get('ad');
    expect(delta?.persons.map((entry) => [entry.object.key, entry.change])).toEqual([[person.id, 'change']]);
    expect(delta?.persons[0]?.object.identifiers).toContainEqual({ type: 'nin', value: replacement });
    expect(JSON.stringify(delta)).not.toContain(person.nin);
  }, 180_000);
});
