import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Group } from '../../../src/model/index.js';
import type { DetailedFeedDocument } from '../../../src/pifu/index.js';
import type { RosterChangeCounts } from '../../../src/ports/index.js';
import { applyDeltaMemberships } from './apply-delta-memberships.js';
import type { FileIdentities } from './file-identities.js';
import { baseFiles, type ImportBase } from './import-base.js';
import type { ProblemLog } from './problem-log.js';
import {
  countRekeyedGroup,
  newFileRecords,
  withheldCounter,
  withheldGroupKind,
  withheldGroupType,
  type BasePerson,
  type FileRecords,
  type ScratchPerson,
} from './file-records.js';
import { checkGuardians, type PendingGuardian } from './guardian-links.js';
import { dropDanglingGroups, scratchPerson } from './read-pifu-records.js';
import { PersonKeys } from './person-keys.js';
import { readScratch, writeScratch } from './scratch-lines.js';

export type DeltaChanges = Record<
  'persons' | 'groups' | 'memberships',
  { -readonly [K in keyof RosterChangeCounts]: number }
>;

/**
 * A delta export (properties/type delta) applied to the roster the source's last import left (`base`):
 * recstatus 1 adds an object (or replaces one the roster holds), 2 replaces it, 3 deletes it; a role's
 * recstatus adds, replaces or removes one membership. Deleting a person removes their memberships and
 * every guardian link to them; deleting a group removes its memberships (and a group below it is then
 * a dangling reference, as in a full export). An update or delete of an object the roster does not hold
 * is an `unknown-objects` problem. What it leaves is the same `FileRecords` a full export's read leaves,
 * so the roster is built, checked and spooled the same way: a delta from A to B gives the roster of B.
 * Memory: the person keys and groups, as for a full export, and the delta's own person keys.
 */
export async function readDeltaRecords(
  document: DetailedFeedDocument,
  identities: FileIdentities,
  problems: ProblemLog,
  scratchDir: string,
  base: ImportBase,
): Promise<{ records: FileRecords; changes: DeltaChanges }> {
  const files = baseFiles(base.dir);
  const records = newFileRecords(scratchDir);
  const none = () => ({ added: 0, changed: 0, deleted: 0 });
  const changes: DeltaChanges = { persons: none(), groups: none(), memberships: none() };
  const withhold = withheldCounter(records);

  await applyPersons(document, identities, problems, scratchDir, files.persons, records, changes, withhold);
  await applyGroups(document, identities, problems, files, records, changes, withhold);
  await applyDeltaMemberships(document, identities, problems, scratchDir, files.memberships, records, {
    changes: changes.memberships,
    withhold,
  });
  return { records, changes };
}

async function applyPersons(
  document: DetailedFeedDocument,
  identities: FileIdentities,
  problems: ProblemLog,
  scratchDir: string,
  basePersons: string,
  records: FileRecords,
  changes: DeltaChanges,
  withhold: (kinds: readonly string[]) => void,
): Promise<void> {
  const baseKeys = new PersonKeys();
  for await (const entry of readScratch<BasePerson>(basePersons)) baseKeys.add(entry.person.key, false);
  const seen = new Set<string>();
  const upsertsPath = join(scratchDir, 'delta-persons.ndjson');
  const guardiansPath = join(scratchDir, 'guardian-links.ndjson');
  await writeScratch<PendingGuardian>(guardiansPath, (pending) =>
    writeScratch<ScratchPerson>(upsertsPath, async (upserts) => {
      for await (const entry of document.persons()) {
        withhold(entry.withheld);
        const id = entry.object.key;
        const known = [id, ...entry.formerIds].map((each) => identities.findPerson(each)).find(Boolean);
        const inBase = known !== undefined && baseKeys.has(known);
        if (known !== undefined && seen.has(known)) {
          problems.add('duplicates', 'person', id, entry.line, 'the person is in the file twice');
          continue;
        }
        if (entry.change === 'delete') {
          if (!inBase) {
            problems.notInRoster('person', id, entry.line, 'delete');
            continue;
          }
          seen.add(known);
          changes.persons.deleted++;
          continue;
        }
        if (entry.change === 'change' && !inBase) {
          if (!problems.notInRoster('person', id, entry.line, 'change')) continue;
        }
        const key = identities.personKey(id, entry.formerIds);
        seen.add(key);
        if (key !== id) records.rekeyed.persons++;
        changes.persons[inBase ? 'changed' : 'added']++;
        await upserts.write(await scratchPerson(entry, key, identities, problems, { records, pending }));
      }
    }),
  );

  // The roster's persons: the base's, less those the delta deletes or replaces, then the delta's.
  await writeScratch<ScratchPerson>(records.personsPath, async (persons) => {
    const keep = async (entry: ScratchPerson): Promise<void> => {
      records.personKeys.add(entry.person.key, entry.person.status === 'inactive');
      await persons.write(entry);
    };
    for await (const entry of readScratch<BasePerson>(basePersons)) {
      if (!seen.has(entry.person.key)) await keep({ ...entry, line: 0 });
    }
    for await (const entry of readScratch<ScratchPerson>(upsertsPath)) await keep(entry);
  });
  records.counts.persons = records.personKeys.size;
  // The delta's own guardian links, against the roster it leaves (a link in the base to a person the
  // delta deletes is removed with the person, not a problem).
  await checkGuardians(guardiansPath, identities, records, problems, 'roster');
}

async function applyGroups(
  document: DetailedFeedDocument,
  identities: FileIdentities,
  problems: ProblemLog,
  files: ReturnType<typeof baseFiles>,
  records: FileRecords,
  changes: DeltaChanges,
  withhold: (kinds: readonly string[]) => void,
): Promise<void> {
  const groups = new Map<string, Group>();
  for await (const group of readScratch<Group>(files.groups)) groups.set(group.key, group);
  const withheldKeys = new Set(JSON.parse(await readFile(files.withheldGroups, 'utf8')) as string[]);
  const lines = new Map<string, number>();
  const seen = new Set<string>();
  for await (const entry of document.groups()) {
    withhold(entry.withheld);
    const group = entry.object;
    const known = identities.groupKey(group.key, false);
    const inBase = known !== undefined && (groups.has(known) || withheldKeys.has(known));
    if (known !== undefined && seen.has(known)) {
      problems.add('duplicates', 'group', group.key, entry.line, 'the group is in the file twice');
      continue;
    }
    if (entry.change === 'delete') {
      if (!inBase) {
        problems.notInRoster('group', group.key, entry.line, 'delete');
        continue;
      }
      seen.add(known);
      lines.set(known, entry.line);
      groups.delete(known);
      withheldKeys.delete(known);
      changes.groups.deleted++;
      continue;
    }
    if (entry.change === 'change' && !inBase) {
      if (!problems.notInRoster('group', group.key, entry.line, 'change')) continue;
    }
    const key = identities.groupKey(group.key, true)!;
    seen.add(key);
    lines.set(key, entry.line);
    if (key !== group.key) countRekeyedGroup(records, identities, group.key);
    changes.groups[inBase ? 'changed' : 'added']++;
    if (group.type === withheldGroupType) {
      groups.delete(key);
      withheldKeys.add(key);
      withhold([withheldGroupKind]);
      continue;
    }
    withheldKeys.delete(key);
    const parentKey = identities.groupKey(group.parentKey, true)!;
    const schoolKey = group.schoolKey === undefined ? undefined : identities.groupKey(group.schoolKey, true);
    groups.set(key, { ...group, key, parentKey, ...(schoolKey === undefined ? {} : { schoolKey }) });
  }

  await writeScratch<Group>(records.groupsPath, async (writer) => {
    for (const [key, group] of groups) {
      // A group the delta did not name, left dangling by a delete, is reported at that delete's line.
      const line = lines.get(key) ?? lines.get(group.parentKey) ?? 0;
      const { type, parentKey, schoolKey } = group;
      records.groups.set(key, { type, parentKey, schoolKey, id: key, line });
      await writer.write(group);
    }
  });
  for (const key of withheldKeys) {
    records.groups.set(key, {
      type: withheldGroupType,
      parentKey: key,
      schoolKey: undefined,
      id: key,
      line: 0,
    });
    records.droppedGroups.add(key);
  }
  dropDanglingGroups(records, problems);
  records.counts.groups = records.groups.size - records.droppedGroups.size;
}
