import type { Membership, Person, Timeframe } from '../../../src/model/index.js';
import { compareKeys } from '../../../src/model/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import { affiliationOf, derivePerson, noteAffiliation, type PersonFacts } from './derive-person.js';
import type { FileIdentities } from './file-identities.js';
import type { BasePerson, FileRecords, ScratchPerson } from './file-records.js';
import { readScratch, ScratchWriter, writeScratch } from './scratch-lines.js';

/**
 * What one kept membership says of its member's affiliation, written to a scratch file as memberships
 * are kept (in canonical membership order) and sorted by person, then by that order: the roster's
 * persons are read in key order and joined with their facts on disk, so memory holds no map of them.
 */
interface ScratchFact {
  /** The person's key, NUL, the membership's place among those kept: the sort key. */
  readonly order: string;
  readonly population: 'pupil' | 'staff';
  readonly schoolKey: string;
  readonly timeframe?: Timeframe;
  readonly isSchoolGroup: boolean;
}

/**
 * The roster's memberships as they are kept, in canonical order (`records.membershipsPath`), counted,
 * and each one's affiliation written for the persons' join (rosterPersons). Made by keepMemberships,
 * which closes it whatever happens.
 */
export class KeptMemberships {
  readonly #records: FileRecords;
  readonly #memberships: ScratchWriter<Membership>;
  readonly #facts: ScratchWriter<ScratchFact>;
  #seq = 0;

  constructor(records: FileRecords) {
    this.#records = records;
    this.#memberships = new ScratchWriter(records.membershipsPath);
    this.#facts = new ScratchWriter(records.factsPath);
  }

  async keep(membership: Membership): Promise<void> {
    const records = this.#records;
    await this.#memberships.write(membership);
    records.counts.memberships++;
    const group = records.groups.get(membership.groupKey)!;
    const isSchoolGroup = group.type === 'skole';
    const schoolKey = isSchoolGroup ? membership.groupKey : group.schoolKey;
    const population = affiliationOf(membership, group.type);
    // An inactive person's inactive memberships still place them, as the records store keeps an inactive
    // pupil's enrolment; an active person's inactive membership is a group they left, and places nothing.
    const places = membership.isActive || records.personKeys.isInactive(membership.personKey);
    if (!places || schoolKey === undefined || population === undefined) return;
    const { timeframe } = membership;
    await this.#facts.write({
      order: `${membership.personKey}\u0000${String(this.#seq++).padStart(12, '0')}`,
      population,
      schoolKey,
      ...(timeframe === undefined ? {} : { timeframe }),
      isSchoolGroup,
    });
  }

  /** Writes what is left; after a failure, closes the files without it. */
  async close(): Promise<void> {
    await this.#memberships.close();
    await this.#facts.close();
  }

  async abandon(): Promise<void> {
    await this.#memberships.abandon();
    await this.#facts.abandon();
  }
}

/** Keeps the memberships `fill` gives, and closes the files whatever happens: a failure leaves none open. */
export async function keepMemberships(
  records: FileRecords,
  fill: (kept: KeptMemberships) => Promise<void>,
): Promise<void> {
  const kept = new KeptMemberships(records);
  try {
    await fill(kept);
    await kept.close();
  } finally {
    await kept.abandon();
  }
}

/** Each read's one sort of its persons, shared by whoever asks first and after. */
const sorts = new WeakMap<FileRecords, Promise<string>>();

/**
 * The roster's persons in key order: the persons' scratch file sorted once, to
 * `records.sortedPersonsPath`, whose path this resolves to; the run's snapshot (rosterPersons) and the
 * kept base (import-base.ts) both read that file, whichever asks first. Reading the persons into the
 * sort marks every guardian someone links to (a sort reads all it sorts before it gives the first).
 */
export function sortPersons(
  records: FileRecords,
  identities: FileIdentities,
  scratch: string,
): Promise<string> {
  let sorted = sorts.get(records);
  if (sorted === undefined) {
    const { personKeys } = records;
    async function* markingGuardians(): AsyncGenerator<ScratchPerson> {
      for await (const entry of readScratch<ScratchPerson>(records.personsPath)) {
        for (const ref of entry.guardianRefs) {
          const key = identities.findPersonByRef(ref);
          if (key !== undefined) personKeys.markGuardian(key);
        }
        yield entry;
      }
    }
    sorted = writeScratch<BasePerson>(records.sortedPersonsPath, async (out) => {
      const persons = sortExternally(markingGuardians(), (entry) => entry.person.key, { dir: scratch });
      for await (const { person, guardianRefs } of persons) await out.write({ person, guardianRefs });
    }).then(() => records.sortedPersonsPath);
    sorts.set(records, sorted);
  }
  return sorted;
}

/**
 * The roster's persons in key order, each with the affiliations its memberships give it and its
 * guardian links: the sorted persons (sortPersons) joined with the facts sorted by person (a merge join
 * on disk).
 */
export async function* rosterPersons(
  records: FileRecords,
  identities: FileIdentities,
  scratch: string,
): AsyncGenerator<Person> {
  const { personKeys } = records;
  const persons = readScratch<BasePerson>(await sortPersons(records, identities, scratch));
  const facts = sortExternally(readScratch<ScratchFact>(records.factsPath), (fact) => fact.order, {
    dir: scratch,
  })[Symbol.asyncIterator]();
  try {
    let fact = await facts.next();
    for await (const entry of persons) {
      const { key } = entry.person;
      const own: PersonFacts = [];
      for (; fact.done !== true; fact = await facts.next()) {
        const factKey = fact.value.order.slice(0, fact.value.order.indexOf('\u0000'));
        if (compareKeys(factKey, key) > 0) break;
        if (factKey !== key) continue;
        const { population, schoolKey, timeframe, isSchoolGroup } = fact.value;
        noteAffiliation(own, population, schoolKey, timeframe, isSchoolGroup);
      }
      const guardianKeys = entry.guardianRefs
        .map((ref) => identities.findPersonByRef(ref))
        .filter((found): found is string => found !== undefined && personKeys.has(found));
      const person = { ...entry.person, guardianKeys };
      yield derivePerson(person, own.length === 0 ? undefined : own, personKeys.isGuardian(key));
    }
  } finally {
    await facts.return?.(undefined);
  }
}
