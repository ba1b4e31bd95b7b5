import { compareKeys, type Group, type Person } from '../model/index.js';

/**
 * One school's share of a snapshot, kept with the run so the next run can tell a partial source from
 * ordinary churn (the source sanity guard in src/run).
 */
export interface SchoolCounts {
  /** How an operator knows the school: its organisation number, else its NSR id, else its key. */
  readonly label: string;
  /** Persons enrolled or employed there (each once, whatever their number of affiliations). */
  readonly persons: number;
  /** The school's groups, the school's own group included. */
  readonly groups: number;
  /** Memberships in those groups. */
  readonly memberships: number;
}

export interface RosterSpoolCounts {
  readonly persons: number;
  readonly groups: number;
  readonly memberships: number;
  /** By school key. Absent in a spool written before per-school counts were kept. */
  readonly schools?: Readonly<Record<string, SchoolCounts>>;
}

type MutableSchoolCounts = { -readonly [K in keyof SchoolCounts]: SchoolCounts[K] };

/**
 * Counts a roster while it is spooled: the spool writer hands it each object as it encodes it. Memory
 * holds one entry per school (Oslo: about 190), never one per person, group or membership.
 */
export class SnapshotCounter {
  #persons = 0;
  #groups = 0;
  #memberships = 0;
  readonly #schools = new Map<string, MutableSchoolCounts>();
  /** Persons by school, apart: an incremental spool takes persons away as well as adding them. */
  readonly #personsAt = new Map<string, number>();

  /**
   * A counter that starts with an earlier snapshot's persons (an incremental spool copies their frames
   * without decoding them; see personRemoved), and with no groups or memberships.
   */
  static withPersonsOf(counts: RosterSpoolCounts): SnapshotCounter {
    const counter = new SnapshotCounter();
    counter.#persons = counts.persons;
    for (const [key, school] of Object.entries(counts.schools ?? {}))
      if (school.persons > 0) counter.#personsAt.set(key, school.persons);
    return counter;
  }

  person(person: Pick<Person, 'affiliations'>): void {
    this.#countPerson(person, 1);
  }

  /** Takes away a person counted before (withPersonsOf): one of an earlier snapshot, read again. */
  personRemoved(person: Pick<Person, 'affiliations'>): void {
    this.#countPerson(person, -1);
  }

  #countPerson({ affiliations }: Pick<Person, 'affiliations'>, by: 1 | -1): void {
    this.#persons += by;
    for (let i = 0; i < affiliations.length; i++) {
      const schoolKey = (affiliations[i] as Person['affiliations'][number]).schoolKey;
      // Each school once per person, whatever their number of affiliations there.
      if (affiliations.findIndex((affiliation) => affiliation.schoolKey === schoolKey) === i)
        this.#personsAt.set(schoolKey, (this.#personsAt.get(schoolKey) ?? 0) + by);
    }
  }

  group(group: Group): void {
    this.#groups++;
    if (group.schoolKey !== undefined) this.#school(group.schoolKey).groups++;
    if (group.type === 'skole') this.#school(group.key).label = schoolLabel(group);
  }

  /** A membership of a group of `schoolKey` (undefined: a group of no school, or none in the roster). */
  membership(schoolKey: string | undefined): void {
    this.memberships(schoolKey, 1);
  }

  /** `count` memberships of groups of `schoolKey` at once (see membership). */
  memberships(schoolKey: string | undefined, count: number): void {
    this.#memberships += count;
    if (schoolKey !== undefined && count > 0) this.#school(schoolKey).memberships += count;
  }

  /**
   * Adds the groups and memberships another counter counted (the spool's other thread, which reads
   * them: spool-thread.ts), school by school.
   */
  absorb(counts: RosterSpoolCounts): void {
    this.#groups += counts.groups;
    this.#memberships += counts.memberships;
    for (const [key, school] of Object.entries(counts.schools ?? {})) {
      const mine = this.#school(key);
      if (school.label !== key) mine.label = school.label;
      mine.groups += school.groups;
      mine.memberships += school.memberships;
    }
  }

  counts(): RosterSpoolCounts {
    for (const [key, persons] of this.#personsAt) if (persons !== 0) this.#school(key).persons = persons;
    this.#personsAt.clear();
    const schools = [...this.#schools].sort(([a], [b]) => compareKeys(a, b));
    return {
      persons: this.#persons,
      groups: this.#groups,
      memberships: this.#memberships,
      schools: Object.fromEntries(schools.map(([key, counts]) => [key, { ...counts }])),
    };
  }

  #school(key: string): MutableSchoolCounts {
    let counts = this.#schools.get(key);
    if (counts === undefined) {
      counts = { label: key, persons: 0, groups: 0, memberships: 0 };
      this.#schools.set(key, counts);
    }
    return counts;
  }
}

function schoolLabel(school: Group): string {
  const identifier = (type: string) => school.identifiers.find((id) => id.type === type)?.value;
  return identifier('organizationNumber') ?? identifier('nsrId') ?? school.key;
}
