import type { Group, Membership, Person } from '../../../src/model/index.js';
import { HubError } from '../../../src/errors/index.js';
import { copyRows, type CopyField, type CopySnapshot } from './copy-rows.js';
import { mapPerson, type PersonRows } from './map-person.js';
import { mapGroup, type GroupRow } from './read-groups.js';
import { inRoleOrder, type MembershipRow } from './read-memberships.js';

/*
 * The three streams of a snapshot read by `COPY (SELECT …) TO STDOUT` in PostgreSQL's exported snapshot,
 * each on a connection of its own (see copyRows). They give exactly what the keyset pages give (same
 * columns, same order, same mapping); the equivalence is tested against the paging path.
 */

const text = (field: CopyField | undefined): string => {
  if (field === null || field === undefined)
    throw new HubError('PIFU_SOURCE_INVALID', 'a records store COPY row lacks a value its column requires');
  return field;
};
const nullable = (field: CopyField | undefined): string | null => field ?? null;
const bool = (field: CopyField | undefined): boolean => text(field) === 't';
const smallint = (field: CopyField | undefined): number | null =>
  field === null || field === undefined ? null : Number(field);
const json = <T>(field: CopyField | undefined): T[] =>
  field === null || field === undefined ? [] : (JSON.parse(field) as T[]);

/**
 * One row per person with every child table aggregated beside it as a JSON array of arrays (values, no
 * keys: a column's position is its name). Each child table is read once, grouped by person; the planner
 * joins them to the persons by hash or merge, so the whole read is a few scans, not 8 queries per page.
 * Populations: a 01 membership makes a pupil, a guardian relation makes a guardian (enrolment and
 * employment add theirs through the affiliations, see mapPerson). Special categories are never named.
 */
const personsQuery = `
select p.id, p.given_name, p.middle_name, p.family_name, p.gender, p.national_identity_number, p.status,
  p.preferred_language, p.address_protection, to_char(p.birth_date, 'YYYY-MM-DD'),
  i.rows, e.rows, ph.rows, a.rows, gr.rows, af.rows,
  m.person_id is not null, g.guardian_id is not null
from records.person p
left join (select person_id, json_agg(json_build_array(identifier_type, value)) as rows
  from records.person_identifier group by person_id) i on i.person_id = p.id
left join (select person_id, json_agg(json_build_array(email_type, address, priority)) as rows
  from records.person_email group by person_id) e on e.person_id = p.id
left join (select person_id, json_agg(json_build_array(phone_type, number, priority)) as rows
  from records.person_phone group by person_id) ph on ph.person_id = p.id
left join (select person_id,
    json_agg(json_build_array(address_type, street1, street2, street3, postal_code, locality, country)) as rows
  from records.person_address group by person_id) a on a.person_id = p.id
left join (select pupil_id,
    json_agg(json_build_array(guardian_id, has_parental_responsibility, parent_access_consent)) as rows
  from records.guardian_relation group by pupil_id) gr on gr.pupil_id = p.id
left join (select person_id, json_agg(json_build_array(school_id, population, grade, school_transport_right,
      to_char(begins, 'YYYY-MM-DD'), to_char(ends, 'YYYY-MM-DD'))) as rows
  from (select person_id, school_id, 'pupil' as population, grade, school_transport_right, begins, ends
      from records.pupil_enrolment
    union all
    select person_id, school_id, 'staff', null::smallint, null::boolean, begins, ends
      from records.staff_employment) affiliation
  group by person_id) af on af.person_id = p.id
left join (select distinct person_id from records.membership where roletype = '01') m on m.person_id = p.id
left join (select distinct guardian_id from records.guardian_relation) g on g.guardian_id = p.id
order by p.id`;

type Json = string | number | boolean | null;

function personRows(row: CopyField[]): PersonRows {
  const [id, given, middle, family, gender, nin, status, language, protection, birthDate] = row;
  const populations: string[] = [];
  if (bool(row[16])) populations.push('pupil');
  if (bool(row[17])) populations.push('guardian');
  return {
    person: {
      id: text(id),
      given_name: text(given),
      middle_name: nullable(middle),
      family_name: text(family),
      gender: text(gender),
      national_identity_number: nullable(nin),
      status: text(status),
      preferred_language: nullable(language),
      address_protection: text(protection),
      birth_date: nullable(birthDate),
    },
    identifiers: json<[string, string]>(row[10]).map(([identifier_type, value]) => ({
      identifier_type,
      value,
    })),
    emails: json<[string, string, number]>(row[11]).map(([email_type, address, priority]) => ({
      email_type,
      address,
      priority,
    })),
    phones: json<[string, string, number]>(row[12]).map(([phone_type, number, priority]) => ({
      phone_type,
      number,
      priority,
    })),
    addresses: json<[string, string, ...(string | null)[]]>(row[13]).map(
      ([address_type, street1, street2, street3, postal_code, locality, country]) => ({
        address_type,
        street1,
        street2: street2 ?? null,
        street3: street3 ?? null,
        postal_code: postal_code ?? null,
        locality: locality ?? null,
        country: text(country),
      }),
    ),
    guardians: json<[string, boolean, boolean]>(row[14]).map(
      ([guardian_id, has_parental_responsibility, parent_access_consent]) => ({
        guardian_id,
        has_parental_responsibility,
        parent_access_consent,
      }),
    ),
    affiliations: json<Json[]>(row[15]).map(([school_id, population, grade, transport, begins, ends]) => ({
      school_id: String(school_id),
      population: String(population),
      grade: typeof grade === 'number' ? grade : null,
      school_transport_right: typeof transport === 'boolean' ? transport : null,
      begins: typeof begins === 'string' ? begins : null,
      ends: typeof ends === 'string' ? ends : null,
    })),
    populations,
  };
}

/** Persons in key order, mapped one row at a time. */
export async function* copyPersons(snapshot: CopySnapshot): AsyncGenerator<Person> {
  for await (const row of copyRows('persons', snapshot, personsQuery)) yield mapPerson(personRows(row));
}

/** The keyset path's group query as one statement; school types as a JSON array. */
const groupsQuery = `
select g.id, g.group_type, g.school_id, g.parent_id, g.short_name, g.long_name, g.admin_period, g.grade,
  to_char(g.begins, 'YYYY-MM-DD'), to_char(g.ends, 'YYYY-MM-DD'),
  o.organization_number, o.municipality_number, o.county_number,
  s.organization_number, s.nsr_id, array_to_json(s.school_types)
from records.roster_group g
left join records.school_owner o on o.id = g.id
left join records.school s on s.id = g.id
order by g.id`;

function groupRow(row: CopyField[]): GroupRow {
  const [id, type, school, parent, short, long, adminPeriod, grade, begins, ends] = row;
  return {
    id: text(id),
    group_type: text(type),
    school_id: nullable(school),
    parent_id: text(parent),
    short_name: text(short),
    long_name: nullable(long),
    admin_period: nullable(adminPeriod),
    grade: smallint(grade),
    begins: nullable(begins),
    ends: nullable(ends),
    owner_organization_number: nullable(row[10]),
    municipality_number: nullable(row[11]),
    county_number: nullable(row[12]),
    school_organization_number: nullable(row[13]),
    nsr_id: nullable(row[14]),
    school_types: row[15] === null || row[15] === undefined ? null : json<string>(row[15]),
  };
}

/** Groups in key order, owner and schools included (see readGroups). */
export async function* copyGroups(snapshot: CopySnapshot): AsyncGenerator<Group> {
  for await (const row of copyRows('groups', snapshot, groupsQuery)) yield mapGroup(groupRow(row));
}

const membershipsQuery = `
select group_id, person_id, roletype, subrole, is_active, is_primary, admin_period,
  to_char(begins, 'YYYY-MM-DD'), to_char(ends, 'YYYY-MM-DD')
from records.membership
order by group_id, person_id, roletype`;

async function* membershipRows(snapshot: CopySnapshot): AsyncGenerator<MembershipRow> {
  for await (const row of copyRows('memberships', snapshot, membershipsQuery)) {
    const [group, person, roletype, subrole, active, primary, adminPeriod, begins, ends] = row;
    yield {
      group_id: text(group),
      person_id: text(person),
      roletype: text(roletype),
      subrole: nullable(subrole),
      is_active: bool(active),
      is_primary: bool(primary),
      admin_period: nullable(adminPeriod),
      begins: nullable(begins),
      ends: nullable(ends),
    };
  }
}

/** Memberships by (group, person, role), as readMemberships gives them. */
export function copyMemberships(snapshot: CopySnapshot): AsyncGenerator<Membership> {
  return inRoleOrder(membershipRows(snapshot));
}
