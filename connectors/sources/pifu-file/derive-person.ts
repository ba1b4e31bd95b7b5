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

/**
 * A person's share of the memberships, gathered while the file is read and kept for the whole file: one
 * per person with a school, so flat and small (a triple of population, school key and that school
 * membership's dates per school and population; about 100 bytes for the usual one school). Two maps a
 * person cost some 350 bytes.
 */
export type PersonFacts = (Population | string | Timeframe | undefined)[];

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
  facts: PersonFacts,
  population: 'pupil' | 'staff',
  schoolKey: string,
  timeframe: Timeframe | undefined,
  isSchoolGroup: boolean,
): void {
  for (let at = 0; at < facts.length; at += 3) {
    if (facts[at] !== population || facts[at + 1] !== schoolKey) continue;
    if (isSchoolGroup) facts[at + 2] = timeframe;
    return;
  }
  facts.push(population, schoolKey, isSchoolGroup ? timeframe : undefined);
}

function affiliations(facts: PersonFacts | undefined): Affiliation[] {
  const list: Affiliation[] = [];
  for (let at = 0; facts !== undefined && at < facts.length; at += 3) {
    const timeframe = facts[at + 2] as Timeframe | undefined;
    list.push({
      schoolKey: facts[at + 1] as string,
      population: facts[at] as 'pupil' | 'staff',
      ...(timeframe?.begin === undefined ? {} : { begin: timeframe.begin }),
      ...(timeframe?.end === undefined ? {} : { end: timeframe.end }),
    });
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
  for (let at = 0; facts !== undefined && at < facts.length; at += 3) {
    populations.add(facts[at] as 'pupil' | 'staff');
  }
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
