import {
  compareKeys,
  type Affiliation,
  type GroupType,
  type Membership,
  type Person,
  type Population,
  type Timeframe,
} from '../../../src/model/index.js';
import type { FeedPerson } from '../../../src/pifu/index.js';

/** A person's share of the memberships, gathered while the file is read: one entry per person. */
export interface PersonFacts {
  /** By school key: the pupil's or staff member's affiliation there. */
  readonly pupilAt: Map<string, Timeframe | undefined>;
  readonly staffAt: Map<string, Timeframe | undefined>;
}

export function newFacts(): PersonFacts {
  return { pupilAt: new Map(), staffAt: new Map() };
}

/**
 * What a membership makes its member at the group's school: a 01 role a pupil; a guardian's seat (a
 * guardian group, a guardian representative on a council) nothing, as the records store employs no
 * guardian for it; any other role staff.
 */
export function affiliationOf(
  membership: Pick<Membership, 'role' | 'subrole'>,
  groupType: GroupType,
): Affiliation['population'] | undefined {
  if (membership.role === 'pupil') return 'pupil';
  if (groupType === 'foresattegruppe' || membership.subrole === 'foresattrepresentant') return undefined;
  return 'staff';
}

/** A school membership's own dates win over a group's; the first seen otherwise. */
export function noteAffiliation(
  at: Map<string, Timeframe | undefined>,
  schoolKey: string,
  timeframe: Timeframe | undefined,
  isSchoolGroup: boolean,
): void {
  if (!at.has(schoolKey) || isSchoolGroup) at.set(schoolKey, isSchoolGroup ? timeframe : at.get(schoolKey));
}

function affiliations(facts: PersonFacts | undefined): Affiliation[] {
  if (facts === undefined) return [];
  const list: Affiliation[] = [];
  for (const [population, at] of [
    ['pupil', facts.pupilAt],
    ['staff', facts.staffAt],
  ] as const) {
    for (const [schoolKey, timeframe] of at) {
      list.push({
        schoolKey,
        population,
        ...(timeframe?.begin === undefined ? {} : { begin: timeframe.begin }),
        ...(timeframe?.end === undefined ? {} : { end: timeframe.end }),
      });
    }
  }
  return list.sort(
    (a, b) =>
      compareKeys(a.schoolKey, b.schoolKey) ||
      compareKeys(a.population, b.population) ||
      compareKeys(a.begin ?? '', b.begin ?? ''),
  );
}

function byKindPriority<T extends { kind: string; priority: number }>(value: (item: T) => string) {
  return (a: T, b: T): number =>
    compareKeys(a.kind, b.kind) || a.priority - b.priority || compareKeys(value(a), value(b));
}

/**
 * The canonical person a file's person becomes. PIFU carries no populations, affiliations, address
 * protection or guardian consent (docs/requirements.md#q1), so: populations and affiliations follow from
 * the memberships (see affiliationOf) and from being
 * someone's guardian; address protection is `none`; a guardian link carries parental responsibility (the
 * file says guardian) and no parent-account consent, so learning platforms get no guardians from a file.
 */
export function derivePerson(
  person: FeedPerson,
  facts: PersonFacts | undefined,
  isGuardian: boolean,
): Person {
  const populations = new Set<Population>();
  if (isGuardian) populations.add('guardian');
  if (facts !== undefined && facts.pupilAt.size > 0) populations.add('pupil');
  if (facts !== undefined && facts.staffAt.size > 0) populations.add('staff');
  const { guardianKeys, status, ...rest } = person;
  return {
    ...rest,
    populations: [...populations].sort(compareKeys),
    status: status ?? 'active',
    addressProtection: 'none',
    identifiers: [...person.identifiers].sort(
      (a, b) => compareKeys(a.type, b.type) || compareKeys(a.value, b.value),
    ),
    emails: [...person.emails].sort(byKindPriority((email) => email.address)),
    phones: [...person.phones].sort(byKindPriority((phone) => phone.number)),
    addresses: [...person.addresses].sort((a, b) => compareKeys(a.kind, b.kind)),
    guardians: [...new Set(guardianKeys)]
      .sort(compareKeys)
      .map((guardianKey) => ({ guardianKey, hasParentalResponsibility: true, parentAccessConsent: false })),
    affiliations: affiliations(facts),
  };
}
