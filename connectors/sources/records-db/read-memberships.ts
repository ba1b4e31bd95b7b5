import { sql, type Transaction } from 'kysely';
import { compareKeys, type Membership } from '../../../src/model/index.js';
import { roleOfRoletype } from '../../../src/pifu/index.js';
import { mapVocabulary } from './map-person.js';
import { readSource, type PageContext } from './read-pages.js';
import type { SourceDatabase } from './source-database.js';

interface Cursor {
  readonly groupId: string;
  readonly personId: string;
  readonly roletype: string;
}

async function readMembershipPage(
  trx: Transaction<SourceDatabase>,
  context: PageContext,
  after: Cursor | undefined,
) {
  return readSource(context, 'memberships', () =>
    trx
      .selectFrom('records.membership')
      .select(['group_id', 'person_id', 'roletype', 'subrole', 'is_active', 'is_primary', 'admin_period'])
      .select([
        sql<string | null>`to_char(begins, 'YYYY-MM-DD')`.as('begins'),
        sql<string | null>`to_char(ends, 'YYYY-MM-DD')`.as('ends'),
      ])
      .$if(after !== undefined, (qb) =>
        qb.where((eb) =>
          eb(
            eb.refTuple('group_id', 'person_id', 'roletype'),
            '>',
            eb.tuple(after?.groupId ?? '', after?.personId ?? '', after?.roletype ?? ''),
          ),
        ),
      )
      .orderBy('group_id')
      .orderBy('person_id')
      .orderBy('roletype')
      .limit(context.chunkSize)
      .execute(),
  );
}

/** A membership's row as the queries give it: dates as YYYY-MM-DD. */
export type MembershipRow = Awaited<ReturnType<typeof readMembershipPage>>[number];

function mapMembership(row: MembershipRow): Membership {
  const timeframe = {
    ...(row.begins === null ? {} : { begin: row.begins }),
    ...(row.ends === null ? {} : { end: row.ends }),
    ...(row.admin_period === null ? {} : { adminPeriod: row.admin_period }),
  };
  return {
    groupKey: row.group_id,
    personKey: row.person_id,
    role: mapVocabulary(
      roleOfRoletype,
      row.roletype,
      `${row.group_id}/${row.person_id}`,
      'membership.roletype',
    ),
    ...(row.subrole === null ? {} : { subrole: row.subrole }),
    isActive: row.is_active,
    isPrimary: row.is_primary,
    ...(Object.keys(timeframe).length === 0 ? {} : { timeframe }),
  };
}

const byRole = (a: Membership, b: Membership): number => compareKeys(a.role, b.role);

/**
 * Memberships as the index gives them, by (group, person, roletype code), in canonical order. The index
 * walks roletype codes ('01' < '02' ...), but the canonical order compares role names, so each (group,
 * person) run is re-sorted here; a run is at most 8 records.
 */
export async function* inRoleOrder(rows: AsyncIterable<MembershipRow>): AsyncGenerator<Membership> {
  let run: Membership[] = [];
  for await (const row of rows) {
    const membership = mapMembership(row);
    const head = run[0];
    if (
      head !== undefined &&
      (head.groupKey !== membership.groupKey || head.personKey !== membership.personKey)
    ) {
      yield* run.sort(byRole);
      run = [];
    }
    run.push(membership);
  }
  yield* run.sort(byRole);
}

/** Membership rows by (group, person, roletype), one keyset page of `chunkSize` at a time. */
async function* membershipPages(
  trx: Transaction<SourceDatabase>,
  context: PageContext,
): AsyncGenerator<MembershipRow> {
  let after: Cursor | undefined;
  for (;;) {
    const page = await readMembershipPage(trx, context, after);
    yield* page;
    const last = page.at(-1);
    if (last === undefined || page.length < context.chunkSize) return;
    after = { groupId: last.group_id, personId: last.person_id, roletype: last.roletype };
  }
}

/** Memberships by (group, person, role), read by keyset pages. */
export function readMemberships(
  trx: Transaction<SourceDatabase>,
  context: PageContext,
): AsyncGenerator<Membership> {
  return inRoleOrder(membershipPages(trx, context));
}
