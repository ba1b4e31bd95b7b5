import { join } from 'node:path';
import type { GroupType } from '../../../src/model/index.js';
import type { FeedPerson } from '../../../src/pifu/index.js';
import { PersonKeys } from './person-keys.js';

/*
 * What reading a PIFU file (a full export, read-pifu-records.ts, or a delta applied to a base,
 * read-delta-records.ts) leaves for building the roster: scratch files and small maps.
 */

export interface ScratchPerson {
  readonly person: FeedPerson;
  /** The person's guardians as references (FileIdentities.personRef), resolved once every person is known. */
  readonly guardianRefs: readonly string[];
  readonly line: number;
}

/** A person as the roster keeps it once sorted, in the base and for the snapshot: no line in a file. */
export type BasePerson = Omit<ScratchPerson, 'line'>;

export interface GroupFacts {
  readonly type: GroupType;
  readonly parentKey: string;
  readonly schoolKey: string | undefined;
  readonly id: string;
  readonly line: number;
}

/**
 * What one pass over the file leaves for building the roster: scratch files, the persons' keys in a byte
 * table, and the groups.
 */
export interface FileRecords {
  readonly personsPath: string;
  /** The persons in key order (BasePerson), written once by sortPersons (roster-persons.ts). */
  readonly sortedPersonsPath: string;
  readonly groupsPath: string;
  readonly membershipsPath: string;
  /** What the kept memberships say of their members' affiliations (roster-persons.ts). */
  readonly factsPath: string;
  /** The persons in the roster: keys, and whether inactive. */
  readonly personKeys: PersonKeys;
  /** By group key; Oslo has about 25,000 groups. */
  readonly groups: Map<string, GroupFacts>;
  /** Groups left out: dangling parents (lenient) and special Norwegian tuition (R1). */
  readonly droppedGroups: Set<string>;
  readonly withheld: Record<string, number>;
  readonly rekeyed: { persons: number; groups: number; groupsForNationalNumber: number };
  readonly counts: { persons: number; groups: number; memberships: number };
}

export const withheldGroupType: GroupType = 'språkopplæring';
/** How the import report counts a group of `withheldGroupType`, and the memberships in one. */
export const withheldGroupKind = 'special Norwegian tuition';

/** What a read starts from: nothing yet, its scratch files under `scratchDir`. */
/** A group whose file id the hub replaced: counted, and apart when its id held a national number. */
export function countRekeyedGroup(
  records: FileRecords,
  identities: { isRekeyedGroup(id: string): boolean },
  id: string,
): void {
  records.rekeyed.groups++;
  if (identities.isRekeyedGroup(id)) records.rekeyed.groupsForNationalNumber++;
}

export function newFileRecords(scratchDir: string): FileRecords {
  return {
    personsPath: join(scratchDir, 'persons.ndjson'),
    sortedPersonsPath: join(scratchDir, 'persons-sorted.ndjson'),
    groupsPath: join(scratchDir, 'groups.ndjson'),
    membershipsPath: join(scratchDir, 'memberships.ndjson'),
    factsPath: join(scratchDir, 'person-facts.ndjson'),
    personKeys: new PersonKeys(),
    groups: new Map(),
    droppedGroups: new Set(),
    withheld: {},
    rekeyed: { persons: 0, groups: 0, groupsForNationalNumber: 0 },
    counts: { persons: 0, groups: 0, memberships: 0 },
  };
}

/**
 * Counts what was withheld at the door, once per record: consecutive entries of one record share the
 * same `kinds` array, so a record with several withheld elements is counted once per kind.
 */
export function withheldCounter(records: FileRecords): (kinds: readonly string[]) => void {
  let last: readonly string[] | undefined;
  return (kinds) => {
    if (kinds === last) return;
    last = kinds;
    for (const kind of kinds) records.withheld[kind] = (records.withheld[kind] ?? 0) + 1;
  };
}

/** A membership in a group withheld at the door is withheld with it: counted, never kept. */
export function withheldWithGroup(records: FileRecords, group: GroupFacts | undefined): boolean {
  if (group?.type !== withheldGroupType) return false;
  records.withheld[withheldGroupKind] = (records.withheld[withheldGroupKind] ?? 0) + 1;
  return true;
}
