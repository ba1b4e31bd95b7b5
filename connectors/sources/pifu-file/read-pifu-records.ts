import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { membershipRoles, type Group, type GroupType, type Membership } from '../../../src/model/index.js';
import {
  allowedSubroles,
  type DetailedFeedDocument,
  type FeedPerson,
  type WithheldKind,
} from '../../../src/pifu/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import { affiliationOf, noteAffiliation, type PersonFacts } from './derive-person.js';
import type { FileIdentities } from './file-identities.js';
import { isValidIdentityNumber } from './identity-number.js';
import type { ProblemLog } from './problem-log.js';
import { readScratch, ScratchWriter } from './scratch-lines.js';

export interface ScratchPerson {
  readonly person: FeedPerson;
  /** The person's guardians as references (FileIdentities.personRef), resolved once every person is known. */
  readonly guardianRefs: readonly string[];
  readonly line: number;
}

export interface GroupFacts {
  readonly type: GroupType;
  readonly parentKey: string;
  readonly schoolKey: string | undefined;
  readonly id: string;
  readonly line: number;
}

/** What one pass over the file leaves for building the roster: scratch files and small maps. */
export interface FileRecords {
  readonly personsPath: string;
  readonly groupsPath: string;
  readonly membershipsPath: string;
  /** Keys of the persons in the file. */
  readonly personKeys: Set<string>;
  /** Keys of the persons the file says are inactive. */
  readonly inactivePersons: Set<string>;
  /** Guardians someone in the roster links to, as references (FileIdentities.personRef). */
  readonly guardianRefs: Set<string>;
  /** By group key; Oslo has about 25,000 groups. */
  readonly groups: Map<string, GroupFacts>;
  /** Groups left out: dangling parents (lenient) and special Norwegian tuition (R1). */
  readonly droppedGroups: Set<string>;
  readonly facts: Map<string, PersonFacts>;
  readonly withheld: Record<string, number>;
  readonly rekeyed: { persons: number; groups: number };
  readonly counts: { persons: number; groups: number; memberships: number };
}

export const withheldGroupType: GroupType = 'språkopplæring';

/**
 * One pass over a file's records: persons, groups and memberships get hub keys and are checked, the
 * problems logged, and what the roster needs written to scratch files (0600, under the spool).
 */
export async function readPifuRecords(
  document: DetailedFeedDocument,
  identities: FileIdentities,
  problems: ProblemLog,
  scratchDir: string,
): Promise<FileRecords> {
  const records: FileRecords = {
    personsPath: join(scratchDir, 'persons.ndjson'),
    groupsPath: join(scratchDir, 'groups.ndjson'),
    membershipsPath: join(scratchDir, 'memberships.ndjson'),
    personKeys: new Set(),
    inactivePersons: new Set(),
    guardianRefs: new Set(),
    groups: new Map(),
    droppedGroups: new Set(),
    facts: new Map(),
    withheld: {},
    rekeyed: { persons: 0, groups: 0 },
    counts: { persons: 0, groups: 0, memberships: 0 },
  };
  let lastWithheld: readonly WithheldKind[] | undefined;
  const withhold = (kinds: readonly WithheldKind[] | string[], count = 1): void => {
    if (kinds === lastWithheld) return;
    lastWithheld = kinds as readonly WithheldKind[];
    for (const kind of kinds) records.withheld[kind] = (records.withheld[kind] ?? 0) + count;
  };

  const persons = new ScratchWriter<ScratchPerson>(records.personsPath);
  for await (const entry of document.persons()) {
    withhold(entry.withheld);
    const id = entry.object.key;
    const key = identities.personKey(id, entry.formerIds);
    if (records.personKeys.has(key)) {
      problems.add('duplicates', 'person', id, entry.line, 'the person is in the file twice');
      continue;
    }
    records.personKeys.add(key);
    if (entry.object.status === 'inactive') records.inactivePersons.add(key);
    if (key !== id) records.rekeyed.persons++;
    const identifiers = entry.object.identifiers.filter((identifier) => {
      if (identifier.type !== 'nin' || isValidIdentityNumber(identifier.value)) return true;
      return !problems.add('invalid-nin', 'person', id, entry.line, 'personNIN fails its check digits');
    });
    const guardianRefs = entry.object.guardianKeys.map((guardianId) => identities.personRef(guardianId));
    for (const ref of guardianRefs) records.guardianRefs.add(ref);
    await persons.write({
      person: { ...entry.object, key, identifiers, guardianKeys: [] },
      guardianRefs,
      line: entry.line,
    });
    records.counts.persons++;
  }
  await persons.close();

  const groups = new ScratchWriter<Group>(records.groupsPath);
  for await (const entry of document.groups()) {
    withhold(entry.withheld);
    const group = entry.object;
    const key = identities.groupKey(group.key, true)!;
    if (records.groups.has(key)) {
      problems.add('duplicates', 'group', group.key, entry.line, 'the group is in the file twice');
      continue;
    }
    if (key !== group.key) records.rekeyed.groups++;
    const parentKey = identities.groupKey(group.parentKey, true)!;
    const schoolKey = group.schoolKey === undefined ? undefined : identities.groupKey(group.schoolKey, true);
    records.groups.set(key, { type: group.type, parentKey, schoolKey, id: group.key, line: entry.line });
    if (group.type === withheldGroupType) {
      records.droppedGroups.add(key);
      withhold(['special Norwegian tuition']);
      continue;
    }
    await groups.write({ ...group, key, parentKey, ...(schoolKey === undefined ? {} : { schoolKey }) });
  }
  await groups.close();
  dropDanglingGroups(records, problems);
  records.counts.groups = records.groups.size - records.droppedGroups.size;

  const unsorted = new ScratchWriter<ScratchMembership>(join(scratchDir, 'memberships-unsorted.ndjson'));
  let seq = 0;
  for await (const entry of document.memberships()) {
    withhold(entry.withheld);
    const membership = entry.object;
    const groupKey = identities.groupKey(membership.groupKey, false);
    const group = groupKey === undefined ? undefined : records.groups.get(groupKey);
    if (group?.type === withheldGroupType) {
      records.withheld['special Norwegian tuition'] =
        (records.withheld['special Norwegian tuition'] ?? 0) + 1;
      continue;
    }
    const personKey = identities.findPerson(membership.personKey);
    const what = `membership in group ${membership.groupKey}`;
    if (groupKey === undefined || group === undefined || records.droppedGroups.has(groupKey)) {
      problems.add('dangling-references', 'membership', what, entry.line, 'its group is not in the file');
      continue;
    }
    if (personKey === undefined || !records.personKeys.has(personKey)) {
      problems.add('dangling-references', 'membership', what, entry.line, 'its person is not in the file');
      continue;
    }
    let subrole = membership.subrole;
    if (subrole !== undefined && !allowedSubroles[membership.role].has(subrole)) {
      const what2 = `the subrole is not one PIFU 1.3 pairs with the roletype`;
      if (problems.add('legacy-subrole', 'membership', what, entry.line, what2)) subrole = undefined;
    }
    const { subrole: _subrole, ...rest } = membership;
    const kept = { ...rest, groupKey, personKey, ...(subrole === undefined ? {} : { subrole }) };
    await unsorted.write({
      membership: kept,
      ids: [membership.groupKey, membership.personKey],
      line: entry.line,
      order: `${membershipOrder(kept)}\u0000${String(seq++).padStart(12, '0')}`,
    });
  }
  await unsorted.close();
  await sortMemberships(records, problems, unsorted.path, scratchDir);
  return records;
}

/** A membership as read, with where it was. */
export interface ScratchMembership {
  readonly membership: Membership;
  /** The file's ids of group and member, for a problem. */
  readonly ids: readonly [string, string];
  readonly line: number;
  /** Canonical order, then the place in the file: the sort key, made once. */
  readonly order: string;
}

const roleOrder = new Map(membershipRoles.map((role, index) => [role, String(index)]));

/** Canonical order: group key, person key, role in roletype order; NUL cannot occur in a guarded file. */
export function membershipOrder(membership: Membership): string {
  return `${membership.groupKey}\u0000${membership.personKey}\u0000${roleOrder.get(membership.role) ?? '9'}`;
}

/**
 * The file's memberships into canonical order, once, on disk. The same member with the same role in a
 * group twice (in one `<membership>` or two) is a duplicate, reported at the later one's line: the
 * import is refused unless `duplicates` is tolerated, and then the first in the file is kept, whatever
 * the later one says. Affiliations are taken from the memberships kept, so a dropped duplicate changes
 * nothing. Memory holds one sort chunk, never every membership's key.
 */
async function sortMemberships(
  records: FileRecords,
  problems: ProblemLog,
  unsortedPath: string,
  scratchDir: string,
): Promise<void> {
  const sorted = new ScratchWriter<Membership>(records.membershipsPath);
  let last: string | undefined;
  for await (const entry of sortExternally(
    readScratch<ScratchMembership>(unsortedPath),
    (entry) => entry.order,
    {
      dir: scratchDir,
    },
  )) {
    const { membership } = entry;
    const key = entry.order.slice(0, entry.order.lastIndexOf('\u0000'));
    if (key === last) {
      const what = 'the member has this role in the group twice';
      const [groupId, personId] = entry.ids;
      const id = `membership in group ${groupId}, member ${personId}`;
      problems.add('duplicates', 'membership', id, entry.line, what);
      continue;
    }
    last = key;
    await keepMembership(records, sorted, membership);
  }
  await sorted.close();
  await rm(unsortedPath, { force: true });
}

/** A membership into the roster (written in canonical order), counted, its affiliation noted. */
export async function keepMembership(
  records: FileRecords,
  sorted: ScratchWriter<Membership>,
  membership: Membership,
): Promise<void> {
  await sorted.write(membership);
  records.counts.memberships++;
  const group = records.groups.get(membership.groupKey)!;
  const schoolKey = group.type === 'skole' ? membership.groupKey : group.schoolKey;
  const population = affiliationOf(membership, group.type);
  // An inactive person's inactive memberships still place them, as the records store keeps an inactive
  // pupil's enrolment; an active person's inactive membership is a group they left, and places nothing.
  const places = membership.isActive || records.inactivePersons.has(membership.personKey);
  if (places && schoolKey !== undefined && population !== undefined) {
    let facts = records.facts.get(membership.personKey);
    if (facts === undefined) records.facts.set(membership.personKey, (facts = []));
    noteAffiliation(facts, population, schoolKey, membership.timeframe, group.type === 'skole');
  }
}

/** A group whose parent is not in the file, or is itself left out, is a dangling reference; to a fixed point. */
export function dropDanglingGroups(records: FileRecords, problems: ProblemLog): void {
  for (let changed = true; changed;) {
    changed = false;
    for (const [key, group] of records.groups) {
      if (records.droppedGroups.has(key) || group.parentKey === key) continue;
      if (records.groups.has(group.parentKey) && !records.droppedGroups.has(group.parentKey)) continue;
      problems.add('dangling-references', 'group', group.id, group.line, 'its parent is not in the file');
      records.droppedGroups.add(key);
      changed = true;
    }
  }
}
