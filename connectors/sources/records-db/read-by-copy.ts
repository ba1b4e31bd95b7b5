import type { Group, Membership } from '../../../src/model/index.js';
import {
  bool,
  copyBatches,
  nullable,
  smallint,
  text,
  type CopyField,
  type CopySnapshot,
} from './copy-rows.js';
import { keyFilter } from './copy-persons.js';
import { mapGroup, type GroupRow } from './read-groups.js';
import { inRoleOrder, mapMembership } from './read-memberships.js';

/*
 * The groups and memberships of a snapshot read by `COPY (SELECT …) TO STDOUT` in PostgreSQL's exported
 * snapshot, each on a connection of its own (see copyBatches; the persons: copy-persons.ts), a received
 * chunk's rows at a time. They give exactly what the keyset pages give (same columns, same order, same
 * mapping); the equivalence is tested against the paging path.
 */

const json = <T>(field: CopyField | undefined): T[] =>
  field === null || field === undefined ? [] : (JSON.parse(field) as T[]);

/** The keyset path's group query as one statement; school types as a JSON array. Given `where`, some groups. */
const groupsQuery = (where = ''): string => `
select g.id, g.group_type, g.school_id, g.parent_id, g.short_name, g.long_name, g.admin_period, g.grade,
  to_char(g.begins, 'YYYY-MM-DD'), to_char(g.ends, 'YYYY-MM-DD'),
  o.organization_number, o.municipality_number, o.county_number,
  s.organization_number, s.nsr_id, array_to_json(s.school_types)
from records.roster_group g
left join records.school_owner o on o.id = g.id
left join records.school s on s.id = g.id${
  where === ''
    ? ''
    : `
where ${where}`
}
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

/** Groups in key order, owner and schools included (see readGroupBatches); given `keys`, those alone. */
export async function* copyGroupBatches(
  snapshot: CopySnapshot,
  keys?: readonly string[],
): AsyncGenerator<Group[]> {
  const where = keys === undefined ? '' : keyFilter('g.id', keys);
  for await (const groups of copyBatches('groups', snapshot, groupsQuery(where), (row) =>
    mapGroup(groupRow(row)),
  ))
    if (groups.length > 0) yield groups;
}

/** The memberships, or those of some groups (a `keyFilter` on group_id). */
const membershipsQuery = (where = ''): string => `
select group_id, person_id, roletype, subrole, is_active, is_primary, admin_period,
  to_char(begins, 'YYYY-MM-DD'), to_char(ends, 'YYYY-MM-DD')
from records.membership${where === '' ? '' : ` where ${where}`}
order by group_id, person_id, roletype`;

/** A COPY row of membershipsQuery as a membership. */
const fromFields = (row: CopyField[]): Membership =>
  mapMembership(
    text(row[0]),
    text(row[1]),
    text(row[2]),
    nullable(row[3]),
    bool(row[4]),
    bool(row[5]),
    nullable(row[6]),
    nullable(row[7]),
    nullable(row[8]),
  );

/**
 * Memberships by (group, person, role), as readMembershipBatches gives them; given `groupKeys`, only
 * the memberships in those groups.
 */
export function copyMembershipBatches(
  snapshot: CopySnapshot,
  groupKeys?: readonly string[],
): AsyncGenerator<Membership[]> {
  const where = groupKeys === undefined ? '' : keyFilter('group_id', groupKeys);
  return inRoleOrder(copyBatches('memberships', snapshot, membershipsQuery(where), fromFields));
}
