import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { runInProcess } from '../../../jobs/in-process-runner.js';
import { loadRecipientConfigs, type RecipientConfig } from '../../../src/config/index.js';
import { listPersonDisclosures } from '../../../src/disclosure/index.js';
import type { Group, Membership } from '../../../src/model/index.js';
import { readFeed, validateFeedFile, type FeedPerson } from '../../../src/pifu/index.js';
import { idTypeNameOf, pseudonymFor } from '../../../src/profiles/index.js';
import { startRun } from '../../../src/run/index.js';
import { listRunTransfers } from '../../../src/transfer/index.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { carriedByTransfer } from '../../helpers/register-carried.js';

interface Feed {
  readonly persons: FeedPerson[];
  readonly groups: Group[];
  readonly memberships: Membership[];
  readonly sha256: string;
}

interface SourceFacts {
  readonly pupils: Set<string>;
  readonly staff: Set<string>;
  readonly guardians: Set<string>;
  readonly protectedAddress: Set<string>;
  readonly strictlyConfidential: Set<string>;
  readonly transportRight: Set<string>;
  readonly adults: Set<string>;
  /** guardian → pupils linking them with parental responsibility (and whether with consent). */
  readonly links: { pupil: string; guardian: string; responsibility: boolean; consent: boolean }[];
  readonly names: Set<string>;
  readonly nins: Set<string>;
}

const shipped = loadRecipientConfigs(new URL('../../../fixtures/recipients', import.meta.url).pathname);

/** Fields a feed person shows, as field keys and `id:<type>`. */
function shown(person: FeedPerson): Set<string> {
  const keys = new Set<string>();
  if (person.birthDate !== undefined) keys.add('bday');
  if (person.gender !== undefined) keys.add('gender');
  if (person.status !== undefined) keys.add('status');
  if (person.preferredLanguage !== undefined) keys.add('lang');
  for (const email of person.emails) keys.add(email.kind === 'org' ? 'email.org' : 'email.private');
  for (const phone of person.phones) {
    keys.add(
      { private: 'tel.private', mobilePrivate: 'mobile.private', org: 'tel.org', mobileOrg: 'mobile.org' }[
        phone.kind
      ],
    );
  }
  for (const address of person.addresses)
    keys.add(address.kind === 'registered' ? 'adr.registered' : 'adr.postal');
  if (person.guardianKeys.length > 0) keys.add('guardianLinks');
  for (const identifier of person.identifiers) keys.add(`id:${idTypeNameOf[identifier.type]}`);
  return keys;
}

describe('every shipped seed recipient, exported from a mini synthetic municipality', () => {
  let database: TestDatabase;
  const feeds = new Map<string, Feed>();
  let facts: SourceFacts;
  let ctx: ReturnType<typeof hubContext>;
  let runId: string;

  beforeAll(async () => {
    database = await createTestDatabase({ seeded: 'mini' });
    ctx = hubContext(database.db, {
      recipients: (dir) => [
        ...shipped.map((config): RecipientConfig => ({
          ...config,
          transport: { kind: 'file-drop', directory: join(dir, config.id) },
        })),
        // No seed names a staff/HR system; its kind default is pinned all the same.
        recipient('personalsystem', 'staff', join(dir, 'personalsystem')),
      ],
    });
    runId = await startRun(ctx, {
      recipientIds: [...ctx.recipients.keys()],
      trigger: 'operator',
      feedType: 'full',
    });
    const outcome = await runInProcess(ctx, runId);
    expect(outcome.failed).toBe(0);
    for (const transfer of await listRunTransfers(ctx.db, runId)) {
      const document = await readFeed(readFileSync(transfer.location ?? '', 'utf8'));
      const feed: Feed = { persons: [], groups: [], memberships: [], sha256: transfer.sha256Hex ?? '' };
      for await (const { object } of document.persons()) feed.persons.push(object);
      for await (const { object } of document.groups()) feed.groups.push(object);
      for await (const { object } of document.memberships()) feed.memberships.push(object);
      feeds.set(transfer.recipientId, feed);
    }
    const keys = async (query: ReturnType<typeof sql<{ id: string }>>): Promise<Set<string>> =>
      new Set((await query.execute(database.db)).rows.map((row) => row.id));
    facts = {
      pupils: await keys(sql`select distinct person_id::text as id from records.pupil_enrolment`),
      staff: await keys(sql`select distinct person_id::text as id from records.staff_employment`),
      guardians: await keys(sql`select distinct guardian_id::text as id from records.guardian_relation`),
      protectedAddress: await keys(
        sql`select id::text as id from records.person where address_protection <> 'none'`,
      ),
      strictlyConfidential: await keys(
        sql`select id::text as id from records.person where address_protection = 'strictly_confidential'`,
      ),
      transportRight: await keys(
        sql`select person_id::text as id from records.pupil_enrolment where school_transport_right`,
      ),
      adults: await keys(
        sql`select id::text as id from records.person where birth_date <= (select max(changed_at)::date from records.change_log) - interval '18 years'`,
      ),
      links: (
        await sql<{ pupil: string; guardian: string; responsibility: boolean; consent: boolean }>`
          select pupil_id::text as pupil, guardian_id::text as guardian,
                 has_parental_responsibility as responsibility, parent_access_consent as consent
          from records.guardian_relation`.execute(database.db)
      ).rows,
      names: await keys(
        sql`select given_name as id from records.person union select family_name from records.person`,
      ),
      nins: await keys(
        sql`select national_identity_number as id from records.person where national_identity_number is not null`,
      ),
    };
  }, 300_000);
  afterAll(async () => database.destroy());

  const feed = (id: string): Feed => {
    const found = feeds.get(id);
    if (found === undefined) throw new Error(`no feed for ${id}`);
    return found;
  };
  const keysOf = (id: string): string[] => feed(id).persons.map((person) => person.key);
  const showsAnywhere = (id: string): Set<string> => {
    const all = new Set<string>();
    for (const person of feed(id).persons) for (const key of shown(person)) all.add(key);
    return all;
  };

  it('delivers an XSD-valid feed to every one of them', async () => {
    expect([...feeds.keys()].sort()).toEqual(
      [...shipped.map((config) => config.id), 'personalsystem'].sort(),
    );
    for (const transfer of await listRunTransfers(ctx.db, runId)) {
      expect([transfer.recipientId, await validateFeedFile(transfer.location ?? '')]).toEqual([
        transfer.recipientId,
        { valid: true, errors: [] },
      ]);
    }
  });

  it('keeps referential integrity and R9 in every feed; språkopplæring never leaves', () => {
    const violations: string[] = [];
    for (const [id, { persons, groups, memberships }] of feeds) {
      const personKeys = new Set(persons.map((person) => person.key));
      const groupKeys = new Set(groups.map((group) => group.key));
      for (const membership of memberships) {
        if (!personKeys.has(membership.personKey)) violations.push(`${id}: member ${membership.personKey}`);
        if (!groupKeys.has(membership.groupKey))
          violations.push(`${id}: membership group ${membership.groupKey}`);
      }
      for (const group of groups) {
        if (!groupKeys.has(group.parentKey)) violations.push(`${id}: parent of ${group.key}`);
        if (group.type === 'språkopplæring') violations.push(`${id}: språkopplæring ${group.key}`);
      }
      for (const person of persons) {
        for (const guardian of person.guardianKeys) {
          if (!personKeys.has(guardian)) violations.push(`${id}: guardian link ${person.key} → ${guardian}`);
        }
        if (facts.strictlyConfidential.has(person.key))
          violations.push(`${id}: strictly confidential ${person.key}`);
        const contact = person.emails.length + person.phones.length + person.addresses.length;
        if (facts.protectedAddress.has(person.key) && contact > 0)
          violations.push(`${id}: contact of ${person.key}`);
      }
    }
    expect(violations).toEqual([]);
    // The rules were exercised: protected persons are in some feeds, guardian links in some.
    const all = [...feeds.values()].flatMap((current) => current.persons);
    expect(all.some((person) => facts.protectedAddress.has(person.key))).toBe(true);
    expect(all.some((person) => person.guardianKeys.length > 0)).toBe(true);
  });

  it('records one disclosure row per person in each delivered file, with the categories the file shows', async () => {
    const secret = (
      await database.db
        .withSchema('hub')
        .selectFrom('pseudonym_secret' as never)
        .select(sql<Uint8Array>`secret`.as('secret'))
        .where(sql`recipient_id`, '=', 'conexus-engage')
        .executeTakeFirstOrThrow()
    ).secret;
    for (const transfer of await listRunTransfers(ctx.db, runId)) {
      const rows = (
        await sql<{ person_key: string; categories: string[] }>`
          select person_key, categories from (${carriedByTransfer(transfer.id)}) c`.execute(database.db)
      ).rows;
      const pseudonymised = transfer.recipientId === 'conexus-engage';
      const feedKeyOf = (key: string): string => (pseudonymised ? pseudonymFor(secret, key) : key);
      const byFeedKey = new Map(rows.map((row) => [feedKeyOf(row.person_key), row.categories]));
      const current = feed(transfer.recipientId);
      expect([transfer.recipientId, byFeedKey.size]).toEqual([transfer.recipientId, current.persons.length]);
      const members = new Set(current.memberships.map((membership) => membership.personKey));
      const mismatches: string[] = [];
      for (const person of current.persons) {
        const categories = byFeedKey.get(person.key);
        if (categories === undefined) mismatches.push(`${person.key}: no disclosure row`);
        for (const key of shown(person))
          if (!categories?.includes(key)) mismatches.push(`${person.key}: ${key}`);
        if (categories?.includes('memberships') !== members.has(person.key))
          mismatches.push(`${person.key}: memberships`);
      }
      expect([transfer.recipientId, mismatches]).toEqual([transfer.recipientId, []]);
    }
  });

  it('answers the Art. 15 question for a person with recipient, categories, legal basis and trigger', async () => {
    const pupil = keysOf('websak').find((key) => facts.pupils.has(key) && !facts.guardians.has(key)) ?? '';
    const answers = await listPersonDisclosures(ctx.db, pupil);
    const recipients = answers.map((answer) => answer.recipientId);
    expect(recipients).toContain('websak');
    expect(recipients).not.toContain('gsi-udir');
    const websak = answers.find((answer) => answer.recipientId === 'websak');
    expect(websak).toMatchObject({ trigger: 'operator', legalBasis: expect.stringContaining('arkivlova') });
    expect(websak?.categories).toEqual(
      expect.arrayContaining(['name', 'bday', 'id:personNIN', 'memberships']),
    );
    const messaging = (
      await listPersonDisclosures(
        ctx.db,
        keysOf('skoleplattform-messaging').find((key) => facts.guardians.has(key)) ?? '',
      )
    ).find((answer) => answer.recipientId === 'skoleplattform-messaging');
    expect(messaging?.overrideReason).toContain('ID-porten');
    expect(messaging?.widenings).toEqual(['guardianIdTypes+personNIN']);
  });

  it('directory: pupils and staff with catalogue data, never guardians, home address or private contact', () => {
    const id = 'skoleplattform-directory';
    expect(keysOf(id).every((key) => facts.pupils.has(key) || facts.staff.has(key))).toBe(true);
    expect(keysOf(id).some((key) => facts.pupils.has(key))).toBe(true);
    expect(keysOf(id).some((key) => facts.staff.has(key))).toBe(true);
    const fields = showsAnywhere(id);
    expect(fields).toEqual(
      new Set(
        [...fields].filter((key) => ['email.org', 'status', 'lang'].includes(key) || key.startsWith('id:')),
      ),
    );
    expect(fields.has('email.org')).toBe(true);
    expect(fields.has('id:personNIN')).toBe(true);
  });

  it('lms: no national number for pupils or staff, guardians only with consent through a minor pupil', () => {
    const id = 'itslearning';
    const persons = feed(id).persons;
    for (const person of persons) {
      const keys = shown(person);
      if (!facts.guardians.has(person.key) || facts.pupils.has(person.key) || facts.staff.has(person.key)) {
        expect([person.key, keys.has('id:personNIN')]).toEqual([person.key, false]);
      }
      for (const key of keys)
        expect(
          ['email.org', 'email.private', 'status', 'guardianLinks'].includes(key) || key.startsWith('id:'),
        ).toBe(true);
      expect(person.addresses).toEqual([]);
      expect(person.phones).toEqual([]);
    }
    const inFeed = new Set(keysOf(id));
    const guardiansOnly = keysOf(id).filter(
      (key) => facts.guardians.has(key) && !facts.pupils.has(key) && !facts.staff.has(key),
    );
    expect(guardiansOnly.length).toBeGreaterThan(0);
    for (const guardian of guardiansOnly) {
      expect(
        facts.links.some(
          (link) =>
            link.guardian === guardian &&
            link.consent &&
            link.responsibility &&
            inFeed.has(link.pupil) &&
            !facts.adults.has(link.pupil),
        ),
      ).toBe(true);
    }
  });

  it('sms: mobile numbers and guardians, never a national number, address or birth date; no guardians of adults', () => {
    const id = 'skole-sms';
    const fields = showsAnywhere(id);
    for (const forbidden of ['id:personNIN', 'adr.registered', 'adr.postal', 'bday'])
      expect(fields.has(forbidden)).toBe(false);
    expect(fields.has('mobile.private')).toBe(true);
    expect(fields.has('guardianLinks')).toBe(true);
    for (const person of feed(id).persons) {
      if (person.guardianKeys.length > 0) expect(facts.adults.has(person.key)).toBe(false);
    }
    // The Skoleplattform messaging side has the same scope, plus guardians' NIN by its override only.
    for (const person of feed('skoleplattform-messaging').persons) {
      if (shown(person).has('id:personNIN')) expect(facts.guardians.has(person.key)).toBe(true);
    }
  });

  it('archive: pupils with NIN and registered address, guardians as case parties with postal address only', () => {
    const id = 'websak';
    for (const person of feed(id).persons) {
      expect(facts.pupils.has(person.key) || facts.guardians.has(person.key)).toBe(true);
      expect(person.phones).toEqual([]);
      expect(person.emails).toEqual([]);
      if (!facts.pupils.has(person.key)) {
        expect(person.addresses.every((address) => address.kind === 'postal')).toBe(true);
        expect(person.birthDate).toBeUndefined();
      }
    }
    expect(showsAnywhere(id).has('id:personNIN')).toBe(true);
  });

  it('assessment and portal: no guardians, no contact or address data; NIN only to the portal', () => {
    for (const id of ['inspera', 'pas']) {
      for (const person of feed(id).persons) {
        expect(facts.pupils.has(person.key) || facts.staff.has(person.key)).toBe(true);
        expect([person.phones, person.addresses]).toEqual([[], []]);
      }
    }
    expect(showsAnywhere('inspera').has('id:personNIN')).toBe(false);
    expect(showsAnywhere('inspera').has('email.org')).toBe(false);
    expect(showsAnywhere('pas').has('id:personNIN')).toBe(true);
    for (const group of feed('pas').groups) {
      for (const identifier of group.identifiers) expect(identifier.type).toBe('organizationNumber');
    }
  });

  it('statistics and Sommerskolen: the school structure only, no person and no membership', () => {
    for (const id of ['gsi-udir', 'vis-udir', 'sommerskolen']) {
      expect([id, feed(id).persons.length, feed(id).memberships.length]).toEqual([id, 0, 0]);
      expect(new Set(feed(id).groups.map((group) => group.type))).toEqual(new Set(['skoleeier', 'skole']));
    }
  });

  it('transport: pupils with a transport right, their school and year, name, birth date and registered address', () => {
    for (const id of ['ruter-reisekort', 'skyssportal']) {
      const keys = keysOf(id);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(facts.transportRight.has(key)).toBe(true);
      for (const key of showsAnywhere(id)) expect(['bday', 'adr.registered', 'id:sisID']).toContain(key);
      for (const person of feed(id).persons)
        expect(person.addresses.every((a) => a.kind === 'registered')).toBe(true);
      expect(new Set(feed(id).groups.map((group) => group.type))).toEqual(new Set(['skole', 'trinn']));
    }
  });

  it('analytics (Conexus, pseudonymised): no name, national number or identifier from the source', () => {
    const id = 'conexus-engage';
    expect(feed(id).persons.length).toBeGreaterThan(0);
    for (const person of feed(id).persons) {
      expect(person.key).toMatch(/^psn-[0-9a-f]{32}$/);
      expect(facts.names.has(person.name.given) || facts.names.has(person.name.family)).toBe(false);
      expect(person.identifiers).toEqual([]);
      expect([person.emails, person.phones, person.addresses, person.birthDate]).toEqual([
        [],
        [],
        [],
        undefined,
      ]);
    }
    const text = JSON.stringify(feed(id));
    for (const nin of [...facts.nins].slice(0, 500)) expect(text.includes(nin)).toBe(false);
  });

  it('staff/HR: staff only, with work contact data and staff identifiers', () => {
    const keys = keysOf('personalsystem');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(facts.staff.has(key)).toBe(true);
    const fields = showsAnywhere('personalsystem');
    for (const key of fields) {
      expect([
        'email.org',
        'tel.org',
        'mobile.org',
        'status',
        'id:workforceID',
        'id:username',
        'id:feideID',
      ]).toContain(key);
    }
    expect(fields.has('email.org')).toBe(true);
    expect(new Set(feed('personalsystem').groups.map((group) => group.type))).toEqual(
      new Set(['skoleeier', 'skole']),
    );
  });

  it('course and culture: staff only, with work contact data', () => {
    for (const id of ['eft-kurssenter', 'laerers-laering', 'den-kulturelle-skolesekken']) {
      const keys = keysOf(id);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(facts.staff.has(key)).toBe(true);
      for (const key of showsAnywhere(id))
        expect(['email.org', 'tel.org', 'id:workforceID', 'id:username']).toContain(key);
    }
  });
});
