import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compareKeys, type ChangeKind, type Membership } from '../../../src/model/index.js';
import type { DetailedFeedDocument } from '../../../src/pifu/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import type { FileIdentities } from './file-identities.js';
import type { ProblemLog } from './problem-log.js';
import { withheldWithGroup, type FileRecords } from './file-records.js';
import {
  canonicalOrder,
  fileOrder,
  keyedMembership,
  membershipOrder,
  type ScratchMembership,
} from './read-pifu-records.js';
import { KeptMemberships } from './roster-persons.js';
import { readScratch, writeScratch } from './scratch-lines.js';

interface DeltaMembership extends ScratchMembership {
  /** A role without recstatus in a delta adds or replaces, as recstatus 1 does. */
  readonly change: ChangeKind;
}

/**
 * The delta's roles merged into the base's memberships, both in canonical order, into the roster's
 * memberships (`records.membershipsPath`, affiliations noted as for a full export). One role of a
 * member in a group is one membership: recstatus 3 removes it, 1 and 2 add or replace it. A base
 * membership whose person or group is gone (deleted, or dropped as dangling) goes with it.
 */
export async function applyDeltaMemberships(
  document: DetailedFeedDocument,
  identities: FileIdentities,
  problems: ProblemLog,
  scratchDir: string,
  baseMemberships: string,
  records: FileRecords,
  options: {
    readonly changes: { added: number; changed: number; deleted: number };
    readonly withhold: (kinds: readonly string[]) => void;
  },
): Promise<void> {
  const { changes } = options;
  const unsortedPath = join(scratchDir, 'delta-memberships.ndjson');
  let seq = 0;
  await writeScratch<DeltaMembership>(unsortedPath, async (unsorted) => {
    for await (const entry of document.memberships()) {
      options.withhold(entry.withheld);
      const membership = entry.object;
      const groupKey = identities.groupKey(membership.groupKey, false);
      const group = groupKey === undefined ? undefined : records.groups.get(groupKey);
      if (withheldWithGroup(records, group)) continue;
      const personKey = identities.findPerson(membership.personKey);
      const what = `membership in group ${membership.groupKey}`;
      const change = entry.change ?? 'add';
      if (change === 'delete') {
        if (groupKey === undefined || personKey === undefined) {
          problems.add(
            'unknown-objects',
            'membership',
            what,
            entry.line,
            'recstatus 3 removes a role the roster does not hold',
          );
          continue;
        }
      } else {
        if (groupKey === undefined || group === undefined || records.droppedGroups.has(groupKey)) {
          problems.add(
            'dangling-references',
            'membership',
            what,
            entry.line,
            'its group is not in the roster',
          );
          continue;
        }
        if (personKey === undefined || !records.personKeys.has(personKey)) {
          problems.add(
            'dangling-references',
            'membership',
            what,
            entry.line,
            'its person is not in the roster',
          );
          continue;
        }
      }
      const kept = keyedMembership(
        membership,
        { groupKey, personKey },
        problems,
        { what, line: entry.line },
        change !== 'delete',
      );
      await unsorted.write({
        membership: kept,
        change,
        ids: [membership.groupKey, membership.personKey],
        line: entry.line,
        order: fileOrder(kept, seq++),
      });
    }
  });

  const kept = new KeptMemberships(records);
  try {
    await mergeMemberships(records, problems, scratchDir, baseMemberships, unsortedPath, kept, changes);
    await kept.close();
  } finally {
    await kept.abandon();
  }
  await rm(unsortedPath, { force: true });
}

/** The base's memberships and the delta's sorted ones, merged in canonical order into `kept`. */
async function mergeMemberships(
  records: FileRecords,
  problems: ProblemLog,
  scratchDir: string,
  baseMemberships: string,
  unsortedPath: string,
  kept: KeptMemberships,
  changes: { added: number; changed: number; deleted: number },
): Promise<void> {
  const resolves = (membership: Membership): boolean =>
    records.personKeys.has(membership.personKey) &&
    records.groups.has(membership.groupKey) &&
    !records.droppedGroups.has(membership.groupKey);
  const base = readScratch<Membership>(baseMemberships)[Symbol.asyncIterator]();
  const delta = sortExternally(readScratch<DeltaMembership>(unsortedPath), (entry) => entry.order, {
    dir: scratchDir,
  })[Symbol.asyncIterator]();
  try {
    let b = await base.next();
    let d = await delta.next();
    let lastDelta: string | undefined;
    while (b.done !== true || d.done !== true) {
      const baseKey = b.done === true ? undefined : membershipOrder(b.value);
      const deltaKey = d.done === true ? undefined : canonicalOrder(d.value);
      if (deltaKey === undefined || (baseKey !== undefined && compareKeys(baseKey, deltaKey) < 0)) {
        if (resolves(b.value!)) await kept.keep(b.value!);
        b = await base.next();
        continue;
      }
      const entry = d.value!;
      d = await delta.next();
      if (deltaKey === lastDelta) {
        const [groupId, personId] = entry.ids;
        const id = `membership in group ${groupId}, member ${personId}`;
        problems.add(
          'duplicates',
          'membership',
          id,
          entry.line,
          'the member has this role in the group twice',
        );
        continue;
      }
      lastDelta = deltaKey;
      const inBase = baseKey === deltaKey;
      if (inBase) b = await base.next();
      const what = `membership in group ${entry.ids[0]}`;
      if (entry.change === 'delete') {
        if (inBase) changes.deleted++;
        else
          problems.add(
            'unknown-objects',
            'membership',
            what,
            entry.line,
            'recstatus 3 removes a role the roster does not hold',
          );
        continue;
      }
      if (entry.change === 'change' && !inBase) {
        const why = 'recstatus 2 updates a role the roster does not hold';
        if (!problems.add('unknown-objects', 'membership', what, entry.line, why)) continue;
      }
      changes[inBase ? 'changed' : 'added']++;
      await kept.keep(entry.membership);
    }
  } finally {
    await base.return?.(undefined);
    await delta.return?.(undefined);
  }
}
