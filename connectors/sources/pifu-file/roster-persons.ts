import { rm } from 'node:fs/promises';
import type { Membership, Person, Timeframe } from '../../../src/model/index.js';
import { compareKeys } from '../../../src/model/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import { affiliationOf, derivePerson, noteAffiliation, type PersonFacts } from './derive-person.js';
import type { FileIdentities } from './file-identities.js';
import type { BasePerson, FileRecords, ScratchPerson } from './file-records.js';
import { readScratch, ScratchWriter } from './scratch-lines.js';

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

/**
 * Each read's one sort of its persons: resolves to `records.sortedPersonsPath` once that file is
 * complete; rejects (and is forgotten) if the reader it fed stopped before the end, so the next asks again.
 */
const sorts = new WeakMap<FileRecords, Promise<string>>();

/** Why a sort's promise is rejected when the reader it fed stops early: not an error, a retry. */
const abandoned = Symbol('abandoned');

/**
 * The roster's persons in key order (the persons' scratch file sorted once). The first to ask reads the
 * sort's merge as it comes out, and it is written to `records.sortedPersonsPath` as it passes; whoever
 * asks after reads that file (sortPersons for its path). So when the run's snapshot asks first (the
 * bench, a dry run) the persons are not written and then read again; when the kept base asks first
 * (import, which keeps the base before it spools the snapshot), the sort only writes the file. Reading
 * the persons into the sort marks every guardian someone links to (a sort reads all it sorts before it
 * gives the first).
 */
async function* sortedPersons(
  records: FileRecords,
  identities: FileIdentities,
  scratch: string,
): AsyncGenerator<BasePerson> {
  const done = sorts.get(records);
  if (done !== undefined) {
    yield* readScratch<BasePerson>(await sortPersons(records, identities, scratch));
    return;
  }
  let settle!: (path: string | typeof abandoned) => void;
  const sorted = new Promise<string>((resolve, reject) => {
    settle = (path) => (path === abandoned ? reject(abandoned) : resolve(path));
  });
  sorted.catch(() => undefined); // a rejection only tells later askers to sort again
  sorts.set(records, sorted);
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
  const out = new ScratchWriter<BasePerson>(records.sortedPersonsPath);
  let complete = false;
  try {
    const persons = sortExternally(markingGuardians(), (entry) => entry.person.key, { dir: scratch });
    for await (const { person, guardianRefs } of persons) {
      const entry = { person, guardianRefs };
      await out.write(entry);
      yield entry;
    }
    await out.close();
    complete = true;
    settle(records.sortedPersonsPath);
  } finally {
    if (!complete) {
      await out.abandon();
      await rm(records.sortedPersonsPath, { force: true });
      sorts.delete(records);
      settle(abandoned);
    }
  }
}

/**
 * The path of the roster's persons in key order, once the file is complete: the kept base
 * (import-base.ts) takes it as it is. Sorts, writing it, if no one has; waits for a reader being fed by
 * the sort to come to the end (and sorts again if it stopped early).
 */
export async function sortPersons(
  records: FileRecords,
  identities: FileIdentities,
  scratch: string,
): Promise<string> {
  for (;;) {
    const pending = sorts.get(records);
    if (pending === undefined) {
      for await (const _ of sortedPersons(records, identities, scratch));
      continue;
    }
    try {
      return await pending;
    } catch (error) {
      if (error !== abandoned) throw error;
    }
  }
}

/**
 * The roster's persons in key order, each with the affiliations its memberships give it and its
 * guardian links: the sorted persons (sortedPersons) joined with the facts sorted by person (a merge join
 * on disk).
 */
export async function* rosterPersons(
  records: FileRecords,
  identities: FileIdentities,
  scratch: string,
): AsyncGenerator<Person> {
  const { personKeys } = records;
  const persons = sortedPersons(records, identities, scratch);
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
