import type { Timeframe } from './group.js';

/** A member's role in a group; mapped to PIFU roletype 01..08 only in `src/pifu`. */
export const membershipRoles = [
  'pupil', // 01
  'teacher', // 02
  'contentDeveloper', // 03
  'other', // 04
  'management', // 05
  'contactTeacher', // 06
  'administrator', // 07
  'assistant', // 08
] as const;

export type MembershipRole = (typeof membershipRoles)[number];

/**
 * One person's one role in one group. A PIFU membership element gathers every such record of one group;
 * the flat form is what the hub keys, hashes and diffs.
 */
export interface Membership {
  readonly groupKey: string;
  readonly personKey: string;
  readonly role: MembershipRole;
  /** e.g. `rektor`, `faglærer`; must be one the spec allows for the role. */
  readonly subrole?: string;
  readonly isActive: boolean;
  readonly isPrimary: boolean;
  readonly timeframe?: Timeframe;
}

/** The identity of a membership record: group, person, role. */
export function membershipKey(membership: Pick<Membership, 'groupKey' | 'personKey' | 'role'>): string {
  return `${membership.groupKey}/${membership.personKey}/${membership.role}`;
}

/** Consecutive memberships of one group, as arrays (the input is in canonical, group-first order). */
export async function* membershipsByGroup(
  memberships: AsyncIterable<Membership>,
): AsyncGenerator<Membership[]> {
  let current: Membership[] = [];
  for await (const membership of memberships) {
    if (current.length > 0 && current[0]?.groupKey !== membership.groupKey) {
      yield current;
      current = [];
    }
    current.push(membership);
  }
  if (current.length > 0) yield current;
}
