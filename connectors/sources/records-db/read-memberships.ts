import { sql, type Transaction } from 'kysely';
import {
  compareKeys,
  type Membership,
  type MembershipRole,
  type Timeframe,
} from '../../../src/model/index.js';
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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const roles: Readonly<Record<string, MembershipRole>> = roleOfRoletype;

/**
 * One membership from its row's columns, in the queries' order (group, person, roletype, subrole,
 * active, primary, admin period, begins, ends), so neither path builds a row object first. Properties
 * are set in the model's order, optional ones only when present (the spool and the feeds see the same
 * JSON either way); no spreads, since this runs a million times a night.
 */
export function mapMembership(
  groupId: string,
  personId: string,
  roletype: string,
  subrole: string | null,
  isActive: boolean,
  isPrimary: boolean,
  adminPeriod: string | null,
  begins: string | null,
  ends: string | null,
): Membership {
  const role = Object.hasOwn(roles, roletype) ? roles[roletype] : undefined;
  const membership: Mutable<Membership> = {
    groupKey: groupId,
    personKey: personId,
    // The row's name for an error is made only when there is one.
    role: role ?? mapVocabulary(roleOfRoletype, roletype, `${groupId}/${personId}`, 'membership.roletype'),
  } as Mutable<Membership>;
  if (subrole !== null) membership.subrole = subrole;
  membership.isActive = isActive;
  membership.isPrimary = isPrimary;
  if (begins !== null || ends !== null || adminPeriod !== null) {
    const timeframe: Mutable<Timeframe> = {};
    if (begins !== null) timeframe.begin = begins;
    if (ends !== null) timeframe.end = ends;
    if (adminPeriod !== null) timeframe.adminPeriod = adminPeriod;
    membership.timeframe = timeframe;
  }
  return membership;
}

const fromRow = (row: MembershipRow): Membership =>
  mapMembership(
    row.group_id,
    row.person_id,
    row.roletype,
    row.subrole,
    row.is_active,
    row.is_primary,
    row.admin_period,
    row.begins,
    row.ends,
  );

const byRole = (a: Membership, b: Membership): number => compareKeys(a.role, b.role);

/**
 * Memberships as the index gives them, by (group, person, roletype code), in canonical order, a batch
 * at a time (a page, or a COPY chunk's rows, mapped). The index walks roletype codes ('01' < '02' ...),
 * but the canonical order compares role names, so each (group, person) run is re-sorted here; a run is
 * at most 8 records, and one cut by a batch's end is held back for the next batch.
 */
export async function* inRoleOrder(
  batches: AsyncIterable<readonly Membership[]>,
): AsyncGenerator<Membership[]> {
  let run: Membership[] = [];
  for await (const rows of batches) {
    const ready: Membership[] = [];
    for (const membership of rows) {
      const head = run[0];
      if (
        head !== undefined &&
        (head.groupKey !== membership.groupKey || head.personKey !== membership.personKey)
      ) {
        if (run.length > 1) run.sort(byRole);
        for (const inOrder of run) ready.push(inOrder);
        run = [];
      }
      run.push(membership);
    }
    if (ready.length > 0) yield ready;
  }
  if (run.length > 0) yield run.sort(byRole);
}

/** Memberships by (group, person, roletype), one keyset page of `chunkSize` at a time. */
async function* membershipPages(
  trx: Transaction<SourceDatabase>,
  context: PageContext,
): AsyncGenerator<Membership[]> {
  let after: Cursor | undefined;
  for (;;) {
    const page = await readMembershipPage(trx, context, after);
    yield page.map(fromRow);
    const last = page.at(-1);
    if (last === undefined || page.length < context.chunkSize) return;
    after = { groupId: last.group_id, personId: last.person_id, roletype: last.roletype };
  }
}

/** Memberships by (group, person, role), read by keyset pages, a page at a time. */
export function readMembershipBatches(
  trx: Transaction<SourceDatabase>,
  context: PageContext,
): AsyncGenerator<Membership[]> {
  return inRoleOrder(membershipPages(trx, context));
}
