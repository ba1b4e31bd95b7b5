import { sql, type Transaction } from 'kysely';
import {
  groupTypes,
  compareKeys,
  type Group,
  type GroupType,
  type OrganizationIdentifier,
  type SchoolType,
} from '../../../src/model/index.js';
import { mapVocabulary } from './map-person.js';
import { readSource, type PageContext } from './read-pages.js';
import type { SourceDatabase } from './source-database.js';

const groupTypeByName: Readonly<Record<string, GroupType>> = Object.fromEntries(
  groupTypes.map((type) => [type, type]),
);
const schoolTypeByName: Readonly<Record<string, SchoolType>> = {
  barneskole: 'barneskole',
  ungdomsskole: 'ungdomsskole',
  videregående: 'videregående',
  barnehage: 'barnehage',
  sfo: 'sfo',
};

async function readGroupPage(
  trx: Transaction<SourceDatabase>,
  context: PageContext,
  after: string | undefined,
) {
  return readSource(context, 'groups', () =>
    trx
      .selectFrom('records.roster_group as g')
      .leftJoin('records.school_owner as o', 'o.id', 'g.id')
      .leftJoin('records.school as s', 's.id', 'g.id')
      .select([
        'g.id',
        'g.group_type',
        'g.school_id',
        'g.parent_id',
        'g.short_name',
        'g.long_name',
        'g.admin_period',
        'g.grade',
      ])
      .select([
        sql<string | null>`to_char(g.begins, 'YYYY-MM-DD')`.as('begins'),
        sql<string | null>`to_char(g.ends, 'YYYY-MM-DD')`.as('ends'),
        'o.organization_number as owner_organization_number',
        'o.municipality_number',
        'o.county_number',
        's.organization_number as school_organization_number',
        's.nsr_id',
        's.school_types',
      ])
      .$if(after !== undefined, (qb) => qb.where('g.id', '>', after ?? ''))
      .orderBy('g.id')
      .limit(context.chunkSize)
      .execute(),
  );
}

/** A group's row as the queries give it: dates as YYYY-MM-DD, identifiers from the owner and school rows. */
export type GroupRow = Awaited<ReturnType<typeof readGroupPage>>[number];

function identifiersOf(row: GroupRow): OrganizationIdentifier[] {
  const candidates: [OrganizationIdentifier['type'], string | null][] = [
    ['organizationNumber', row.owner_organization_number ?? row.school_organization_number],
    ['municipalityNumber', row.municipality_number],
    ['countyNumber', row.county_number],
    ['nsrId', row.nsr_id],
  ];
  return candidates
    .filter((candidate): candidate is [OrganizationIdentifier['type'], string] => candidate[1] !== null)
    .map(([type, value]) => ({ type, value: value.trim() }))
    .sort((a, b) => compareKeys(a.type, b.type) || compareKeys(a.value, b.value));
}

export function mapGroup(row: GroupRow): Group {
  const type = mapVocabulary(groupTypeByName, row.group_type, row.id, 'roster_group.group_type');
  const timeframe = {
    ...(row.begins === null ? {} : { begin: row.begins }),
    ...(row.ends === null ? {} : { end: row.ends }),
    ...(row.admin_period === null ? {} : { adminPeriod: row.admin_period }),
  };
  const schoolKey = type === 'skoleeier' ? undefined : (row.school_id ?? undefined);
  return {
    key: row.id,
    type,
    parentKey: row.parent_id,
    ...(schoolKey === undefined ? {} : { schoolKey }),
    shortName: row.short_name,
    ...(row.long_name === null ? {} : { longName: row.long_name }),
    ...(Object.keys(timeframe).length === 0 ? {} : { timeframe }),
    identifiers: identifiersOf(row),
    schoolTypes: (row.school_types ?? [])
      .map((schoolType) => mapVocabulary(schoolTypeByName, schoolType, row.id, 'school.school_types'))
      .sort(compareKeys),
    ...(row.grade === null ? {} : { level: row.grade }),
  };
}

/**
 * Groups in key order, owner and schools included (they share their uuid with the owner and school
 * rows, which supply their identifiers), a keyset page at a time. A group's grade becomes its level.
 * Grep codes of fag groups are not in the model and stay behind.
 */
export async function* readGroupBatches(
  trx: Transaction<SourceDatabase>,
  context: PageContext,
): AsyncGenerator<Group[]> {
  let after: string | undefined;
  for (;;) {
    const page = await readGroupPage(trx, context, after);
    if (page.length > 0) yield page.map(mapGroup);
    if (page.length < context.chunkSize) return;
    after = page.at(-1)?.id;
  }
}
