import { compareKeys, type Group, type Membership, type Person } from '../model/index.js';

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
 * Counts a roster while it is spooled: each method passes its stream through unchanged. Memory holds
 * one entry per school (Oslo: about 190), never one per person, group or membership.
 */
export class SnapshotCounter {
  #persons = 0;
  #groups = 0;
  #memberships = 0;
  readonly #schools = new Map<string, MutableSchoolCounts>();

  async *persons(persons: AsyncIterable<Person>): AsyncGenerator<Person> {
    for await (const person of persons) {
      this.#persons++;
      for (const schoolKey of new Set(person.affiliations.map((affiliation) => affiliation.schoolKey))) {
        this.#school(schoolKey).persons++;
      }
      yield person;
    }
  }

  async *groups(groups: AsyncIterable<Group>): AsyncGenerator<Group> {
    for await (const group of groups) {
      this.#groups++;
      if (group.schoolKey !== undefined) this.#school(group.schoolKey).groups++;
      if (group.type === 'skole') this.#school(group.key).label = schoolLabel(group);
      yield group;
    }
  }

  /**
   * `groupsByKey` is the same roster's groups again, in canonical order. Memberships come sorted by
   * group key too, so the two are walked side by side to find each membership's school: no map of all
   * groups is held (Oslo has 25,000).
   */
  async *memberships(
    memberships: AsyncIterable<Membership>,
    groupsByKey: AsyncIterable<Group>,
  ): AsyncGenerator<Membership> {
    const groups = groupsByKey[Symbol.asyncIterator]();
    let group: Group | undefined;
    let exhausted = false;
    let lastGroupKey: string | undefined;
    let schoolKey: string | undefined;
    try {
      for await (const membership of memberships) {
        this.#memberships++;
        if (membership.groupKey !== lastGroupKey) {
          lastGroupKey = membership.groupKey;
          while (!exhausted && (group === undefined || compareKeys(group.key, lastGroupKey) < 0)) {
            const next = await groups.next();
            exhausted = next.done === true;
            group = next.done === true ? undefined : next.value;
          }
          schoolKey = group?.key === lastGroupKey ? group.schoolKey : undefined;
        }
        if (schoolKey !== undefined) this.#school(schoolKey).memberships++;
        yield membership;
      }
    } finally {
      await groups.return?.();
    }
  }

  counts(): RosterSpoolCounts {
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
