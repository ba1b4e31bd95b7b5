import { sql, type Transaction } from 'kysely';
import type { Person } from '../../../src/model/index.js';
import { mapPerson, type PersonRows } from './map-person.js';
import { readSource, type PageContext } from './read-pages.js';
import type { SourceDatabase } from './source-database.js';

type Trx = Transaction<SourceDatabase>;

function groupByPerson<T extends { person_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const byPerson = new Map<string, T[]>();
  for (const row of rows) {
    const list = byPerson.get(row.person_id);
    if (list === undefined) byPerson.set(row.person_id, [row]);
    else list.push(row);
  }
  return byPerson;
}

/**
 * One page of persons and, per child table, one range query over the page's keys (`person_id between
 * first and last` walks the child table's primary-key index): 8 queries per page, whatever its size.
 * Enrolments and employments are one `union all` query, the affiliations. Populations come from the
 * data: enrolment or a 01 membership makes a pupil, employment makes staff, a guardian relation makes a
 * guardian. Special-category tables, native tongue and staff position are never named.
 */
async function readPersonPage(trx: Trx, context: PageContext, after: string | undefined): Promise<Person[]> {
  const persons = await readSource(context, 'persons', () =>
    trx
      .selectFrom('records.person')
      .select([
        'id',
        'given_name',
        'middle_name',
        'family_name',
        'gender',
        'national_identity_number',
        'status',
        'preferred_language',
        'address_protection',
      ])
      .select(sql<string | null>`to_char(birth_date, 'YYYY-MM-DD')`.as('birth_date'))
      .$if(after !== undefined, (qb) => qb.where('id', '>', after ?? ''))
      .orderBy('id')
      .limit(context.chunkSize)
      .execute(),
  );
  const first = persons[0]?.id;
  const last = persons.at(-1)?.id;
  if (first === undefined || last === undefined) return [];

  const [identifiers, emails, phones, addresses, guardians, affiliations, populations] = await readSource(
    context,
    'person details',
    async () => [
      await trx
        .selectFrom('records.person_identifier')
        .select(['person_id', 'identifier_type', 'value'])
        .where('person_id', '>=', first)
        .where('person_id', '<=', last)
        .execute(),
      await trx
        .selectFrom('records.person_email')
        .select(['person_id', 'email_type', 'address', 'priority'])
        .where('person_id', '>=', first)
        .where('person_id', '<=', last)
        .execute(),
      await trx
        .selectFrom('records.person_phone')
        .select(['person_id', 'phone_type', 'number', 'priority'])
        .where('person_id', '>=', first)
        .where('person_id', '<=', last)
        .execute(),
      await trx
        .selectFrom('records.person_address')
        .select([
          'person_id',
          'address_type',
          'street1',
          'street2',
          'street3',
          'postal_code',
          'locality',
          'country',
        ])
        .where('person_id', '>=', first)
        .where('person_id', '<=', last)
        .execute(),
      await trx
        .selectFrom('records.guardian_relation')
        .select([
          'pupil_id as person_id',
          'guardian_id',
          'has_parental_responsibility',
          'parent_access_consent',
        ])
        .where('pupil_id', '>=', first)
        .where('pupil_id', '<=', last)
        .execute(),
      await trx
        .selectFrom('records.pupil_enrolment')
        .select([
          'person_id',
          'school_id',
          sql<string>`'pupil'`.as('population'),
          (eb) => eb.ref('grade').$castTo<number | null>().as('grade'),
          (eb) => eb.ref('school_transport_right').$castTo<boolean | null>().as('school_transport_right'),
          sql<string | null>`to_char(begins, 'YYYY-MM-DD')`.as('begins'),
          sql<string | null>`to_char(ends, 'YYYY-MM-DD')`.as('ends'),
        ])
        .where('person_id', '>=', first)
        .where('person_id', '<=', last)
        .unionAll((eb) =>
          eb
            .selectFrom('records.staff_employment')
            .select([
              'person_id',
              'school_id',
              sql<string>`'staff'`.as('population'),
              sql<number | null>`null::smallint`.as('grade'),
              sql<boolean | null>`null::boolean`.as('school_transport_right'),
              sql<string | null>`to_char(begins, 'YYYY-MM-DD')`.as('begins'),
              sql<string | null>`to_char(ends, 'YYYY-MM-DD')`.as('ends'),
            ])
            .where('person_id', '>=', first)
            .where('person_id', '<=', last),
        )
        .execute(),
      // Enrolment and employment add their populations through the affiliations (see mapPerson).
      await trx
        .selectFrom('records.membership')
        .select(['person_id', sql<string>`'pupil'`.as('population')])
        .where('roletype', '=', '01')
        .where('person_id', '>=', first)
        .where('person_id', '<=', last)
        .union((eb) =>
          eb
            .selectFrom('records.guardian_relation')
            .select(['guardian_id as person_id', sql<string>`'guardian'`.as('population')])
            .where('guardian_id', '>=', first)
            .where('guardian_id', '<=', last),
        )
        .execute(),
    ],
  );

  const lookups = {
    identifiers: groupByPerson(identifiers),
    emails: groupByPerson(emails),
    phones: groupByPerson(phones),
    addresses: groupByPerson(addresses),
    guardians: groupByPerson(guardians),
    affiliations: groupByPerson(affiliations),
    populations: groupByPerson(populations),
  };
  return persons.map((person) => {
    const rows: PersonRows = {
      person,
      identifiers: lookups.identifiers.get(person.id) ?? [],
      emails: lookups.emails.get(person.id) ?? [],
      phones: lookups.phones.get(person.id) ?? [],
      addresses: lookups.addresses.get(person.id) ?? [],
      guardians: lookups.guardians.get(person.id) ?? [],
      affiliations: lookups.affiliations.get(person.id) ?? [],
      populations: (lookups.populations.get(person.id) ?? []).map((row) => row.population),
    };
    return mapPerson(rows);
  });
}

/** Persons in key order, one page of `chunkSize` in memory at a time. */
export async function* readPersons(trx: Trx, context: PageContext): AsyncGenerator<Person> {
  let after: string | undefined;
  for (;;) {
    const page = await readPersonPage(trx, context, after);
    yield* page;
    if (page.length < context.chunkSize) return;
    after = page.at(-1)?.key;
  }
}
