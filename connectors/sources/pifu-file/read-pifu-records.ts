import { join } from 'node:path';
import { membershipRoles, type Group, type Membership } from '../../../src/model/index.js';
import {
  allowedSubroles,
  type DetailedFeedDocument,
  type FeedPerson,
  type ReadEntry,
} from '../../../src/pifu/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import type { FileIdentities } from './file-identities.js';
import { checkGuardians, noteGuardians, type GuardianCheck, type PendingGuardian } from './guardian-links.js';
import { isValidIdentityNumber } from './identity-number.js';
import {
  countRekeyedGroup,
  newFileRecords,
  withheldCounter,
  withheldGroupKind,
  withheldGroupType,
  withheldWithGroup,
  type FileRecords,
  type GroupFacts,
  type ScratchPerson,
} from './file-records.js';
import type { ProblemLog } from './problem-log.js';
import { keepMemberships } from './roster-persons.js';
import { readScratch, writeScratch } from './scratch-lines.js';

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
  const records = newFileRecords(scratchDir);
  const withhold = withheldCounter(records);

  const guardiansPath = join(scratchDir, 'guardian-links.ndjson');
  await writeScratch<PendingGuardian>(guardiansPath, (pending) =>
    writeScratch<ScratchPerson>(records.personsPath, async (persons) => {
      for await (const entry of document.persons()) {
        withhold(entry.withheld);
        const id = entry.object.key;
        const key = identities.personKey(id, entry.formerIds);
        if (!records.personKeys.add(key, entry.object.status === 'inactive')) {
          problems.add('duplicates', 'person', id, entry.line, 'the person is in the file twice');
          continue;
        }
        if (key !== id) records.rekeyed.persons++;
        await persons.write(await scratchPerson(entry, key, identities, problems, { records, pending }));
        records.counts.persons++;
      }
    }),
  );
  await checkGuardians(guardiansPath, identities, records, problems, 'file');

  await writeScratch<Group>(records.groupsPath, async (groups) => {
    for await (const entry of document.groups()) {
      withhold(entry.withheld);
      const group = entry.object;
      const key = identities.groupKey(group.key, true)!;
      if (records.groups.has(key)) {
        problems.add('duplicates', 'group', group.key, entry.line, 'the group is in the file twice');
        continue;
      }
      if (key !== group.key) countRekeyedGroup(records, identities, group.key);
      const parentKey = identities.groupKey(group.parentKey, true)!;
      const schoolKey =
        group.schoolKey === undefined ? undefined : identities.groupKey(group.schoolKey, true);
      records.groups.set(key, { type: group.type, parentKey, schoolKey, id: group.key, line: entry.line });
      if (group.type === withheldGroupType) {
        records.droppedGroups.add(key);
        withhold([withheldGroupKind]);
        continue;
      }
      await groups.write({ ...group, key, parentKey, ...(schoolKey === undefined ? {} : { schoolKey }) });
    }
  });
  dropDanglingGroups(records, problems);
  records.counts.groups = records.groups.size - records.droppedGroups.size;

  let seq = 0;
  // Straight into the sort, which holds a chunk and writes sorted runs: an unsorted copy on disk was
  // written and read back once more for nothing (1.19 million memberships at Oslo scale).
  async function* memberships(): AsyncGenerator<ScratchMembership> {
    for await (const entry of document.memberships()) {
      withhold(entry.withheld);
      const found = lookUpMembership(entry, identities, records);
      if (found === undefined) continue;
      const keys = resolvedKeys(found, records, problems, 'file');
      if (keys === undefined) continue;
      const { membership } = found;
      const kept = keyedMembership(membership, keys, problems, found);
      yield {
        membership: kept,
        ids: [membership.groupKey, membership.personKey],
        line: entry.line,
        order: fileOrder(kept, seq++),
      };
    }
  }
  await sortMemberships(records, problems, memberships(), scratchDir);
  return records;
}

/**
 * A person record as the roster's scratch file keeps it: under its hub key, NINs checked, guardians as
 * refs, each noted for checkGuardians.
 */
export async function scratchPerson(
  entry: ReadEntry<FeedPerson>,
  key: string,
  identities: FileIdentities,
  problems: ProblemLog,
  guardians: GuardianCheck,
): Promise<ScratchPerson> {
  const id = entry.object.key;
  const identifiers = entry.object.identifiers.filter((identifier) => {
    if (identifier.type !== 'nin' || isValidIdentityNumber(identifier.value)) return true;
    return !problems.add('invalid-nin', 'person', id, entry.line, 'personNIN fails its check digits');
  });
  const guardianRefs = entry.object.guardianKeys.map((guardianId) => identities.personRef(guardianId));
  await noteGuardians(entry, guardianRefs, identities, guardians);
  return { person: { ...entry.object, key, identifiers, guardianKeys: [] }, guardianRefs, line: entry.line };
}

/** How a problem names a membership: its group and its member, as the file gives them (masked there). */
export function membershipId(groupId: string, personId: string): string {
  return `membership in group ${groupId}, member ${personId}`;
}

/** A membership record with the keys its group and member have, if any. */
interface FoundMembership {
  readonly membership: Membership;
  readonly groupKey: string | undefined;
  readonly group: GroupFacts | undefined;
  readonly personKey: string | undefined;
  /** How a problem names it (membershipId; a national number in an id is masked by the log). */
  readonly what: string;
  readonly line: number;
}

/** A membership record's keys; undefined when its group is withheld at the door (counted with it). */
export function lookUpMembership(
  entry: ReadEntry<Membership>,
  identities: FileIdentities,
  records: FileRecords,
): FoundMembership | undefined {
  const membership = entry.object;
  const groupKey = identities.groupKey(membership.groupKey, false);
  const group = groupKey === undefined ? undefined : records.groups.get(groupKey);
  if (withheldWithGroup(records, group)) return undefined;
  const personKey = identities.findPerson(membership.personKey);
  const what = membershipId(membership.groupKey, membership.personKey);
  return { membership, groupKey, group, personKey, what, line: entry.line };
}

/** The hub keys of a membership's group and member. */
export interface MembershipKeys {
  readonly groupKey: string;
  readonly personKey: string;
}

/**
 * The keys of a membership whose group and member are in what is being built (`within`: the file, or
 * the roster a delta changes); undefined, and a dangling reference, when not.
 */
export function resolvedKeys(
  found: FoundMembership,
  records: FileRecords,
  problems: ProblemLog,
  within: 'file' | 'roster',
): MembershipKeys | undefined {
  const { groupKey, personKey, what, line } = found;
  if (groupKey === undefined || found.group === undefined || records.droppedGroups.has(groupKey)) {
    problems.add('dangling-references', 'membership', what, line, `its group is not in the ${within}`);
    return undefined;
  }
  if (personKey === undefined || !records.personKeys.has(personKey)) {
    problems.add('dangling-references', 'membership', what, line, `its person is not in the ${within}`);
    return undefined;
  }
  return { groupKey, personKey };
}

/** The same member with the same role in a group again: a duplicate, at the later one's line. */
export function duplicateRole(problems: ProblemLog, entry: ScratchMembership): void {
  const id = membershipId(...entry.ids);
  problems.add('duplicates', 'membership', id, entry.line, 'the member has this role in the group twice');
}

/**
 * A membership under hub keys, as the roster keeps it. With `checkSubrole`, a subrole PIFU 1.3 does not
 * pair with the roletype is a `legacy-subrole` problem: dropped when that mode is allowed.
 */
export function keyedMembership(
  membership: Membership,
  keys: MembershipKeys,
  problems: ProblemLog,
  where: { readonly what: string; readonly line: number },
  checkSubrole = true,
): Membership {
  let subrole = membership.subrole;
  if (checkSubrole && subrole !== undefined && !allowedSubroles[membership.role].has(subrole)) {
    const why = 'the subrole is not one PIFU 1.3 pairs with the roletype';
    if (problems.add('legacy-subrole', 'membership', where.what, where.line, why)) subrole = undefined;
  }
  const { subrole: _subrole, ...rest } = membership;
  return { ...rest, ...keys, ...(subrole === undefined ? {} : { subrole }) };
}

/** The sort key of a membership read from a file: canonical order, then its place in the file. */
export function fileOrder(membership: Membership, seq: number): string {
  return `${membershipOrder(membership)}\u0000${String(seq).padStart(12, '0')}`;
}

/** Memberships as read (`path`), sorted by `order`: canonical order, then their place in the file. */
export function sortedAsRead<T extends ScratchMembership>(
  path: string,
  scratchDir: string,
): AsyncGenerator<T> {
  return sortExternally(readScratch<T>(path), (entry) => entry.order, { dir: scratchDir });
}

/** The canonical order of a membership read from a file, without its place in the file. */
export function canonicalOrder(entry: { readonly order: string }): string {
  return entry.order.slice(0, entry.order.lastIndexOf('\u0000'));
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
  memberships: AsyncIterable<ScratchMembership>,
  scratchDir: string,
): Promise<void> {
  await keepMemberships(records, async (kept) => {
    let last: string | undefined;
    const sorted = sortExternally(memberships, (entry) => entry.order, { dir: scratchDir });
    for await (const entry of sorted) {
      const key = canonicalOrder(entry);
      if (key === last) {
        duplicateRole(problems, entry);
        continue;
      }
      last = key;
      await kept.keep(entry.membership);
    }
  });
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
