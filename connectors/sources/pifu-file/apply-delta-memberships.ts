import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compareKeys, type ChangeKind, type Membership } from '../../../src/model/index.js';
import type { DetailedFeedDocument } from '../../../src/pifu/index.js';
import type { FileIdentities } from './file-identities.js';
import type { ProblemLog } from './problem-log.js';
import type { FileRecords } from './file-records.js';
import {
  canonicalOrder,
  duplicateRole,
  fileOrder,
  keyedMembership,
  lookUpMembership,
  membershipId,
  membershipOrder,
  resolvedKeys,
  sortedAsRead,
  type MembershipKeys,
  type ScratchMembership,
} from './read-pifu-records.js';
import { keepMemberships, type KeptMemberships } from './roster-persons.js';
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
      const found = lookUpMembership(entry, identities, records);
      if (found === undefined) continue;
      const { membership, groupKey, personKey } = found;
      const change = entry.change ?? 'add';
      let keys: MembershipKeys | undefined;
      if (change !== 'delete') keys = resolvedKeys(found, records, problems, 'roster');
      else if (groupKey === undefined || personKey === undefined) {
        problems.notInRoster('membership', found.what, entry.line, 'delete');
      } else keys = { groupKey, personKey };
      if (keys === undefined) continue;
      const kept = keyedMembership(membership, keys, problems, found, change !== 'delete');
      await unsorted.write({
        membership: kept,
        change,
        ids: [membership.groupKey, membership.personKey],
        line: entry.line,
        order: fileOrder(kept, seq++),
      });
    }
  });

  await keepMemberships(records, (kept) =>
    mergeMemberships(records, problems, scratchDir, baseMemberships, unsortedPath, kept, changes),
  );
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
  const delta = sortedAsRead<DeltaMembership>(unsortedPath, scratchDir)[Symbol.asyncIterator]();
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
        duplicateRole(problems, entry);
        continue;
      }
      lastDelta = deltaKey;
      const inBase = baseKey === deltaKey;
      if (inBase) b = await base.next();
      const what = membershipId(entry.ids[0], entry.ids[1]);
      if (entry.change === 'delete') {
        if (inBase) changes.deleted++;
        else problems.notInRoster('membership', what, entry.line, 'delete');
        continue;
      }
      if (entry.change === 'change' && !inBase) {
        if (!problems.notInRoster('membership', what, entry.line, 'change')) continue;
      }
      changes[inBase ? 'changed' : 'added']++;
      await kept.keep(entry.membership);
    }
  } finally {
    await base.return?.(undefined);
    await delta.return?.(undefined);
  }
}
