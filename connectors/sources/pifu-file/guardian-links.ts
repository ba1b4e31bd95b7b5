import { rm } from 'node:fs/promises';
import type { FeedPerson, ReadEntry } from '../../../src/pifu/index.js';
import type { FileIdentities } from './file-identities.js';
import type { FileRecords } from './file-records.js';
import type { ProblemLog } from './problem-log.js';
import { readScratch, type ScratchWriter } from './scratch-lines.js';

/** A guardian link not found when its person was read: checked once every person is known. */
export interface PendingGuardian {
  readonly ref: string;
  /** The file's ids, for the problem (masked there). */
  readonly personId: string;
  readonly guardianId: string;
  readonly line: number;
}

/** Where a person read from the file notes the guardian links to check. */
export interface GuardianCheck {
  readonly records: FileRecords;
  readonly pending: ScratchWriter<PendingGuardian>;
}

/** Whether a guardian reference names a person in the roster being built, as rosterPersons resolves it. */
function inRoster(ref: string, identities: FileIdentities, records: FileRecords): boolean {
  const key = identities.findPersonByRef(ref);
  return key !== undefined && records.personKeys.has(key);
}

/**
 * Notes a person's guardian links (`pifu_hasContactPerson type="guardian"`). One to a person read
 * before is settled at once; the rest (a guardian later in the file, or any of a delta's, whose roster
 * is known only once merged) wait in a scratch file, so memory holds none of them.
 */
export async function noteGuardians(
  entry: ReadEntry<FeedPerson>,
  refs: readonly string[],
  identities: FileIdentities,
  check: GuardianCheck,
): Promise<void> {
  for (const [index, ref] of refs.entries()) {
    if (inRoster(ref, identities, check.records)) continue;
    const guardianId = entry.object.guardianKeys[index]!;
    await check.pending.write({ ref, personId: entry.object.key, guardianId, line: entry.line });
  }
}

/**
 * The pending guardian links, once the roster's persons are all known: one to a person the roster does
 * not hold is a dangling reference at the person's line, naming both ids (masked). Strict refuses the
 * file; tolerated, the person is kept without the link (rosterPersons leaves it out).
 */
export async function checkGuardians(
  pendingPath: string,
  identities: FileIdentities,
  records: FileRecords,
  problems: ProblemLog,
  within: 'file' | 'roster',
): Promise<void> {
  for await (const link of readScratch<PendingGuardian>(pendingPath)) {
    if (inRoster(link.ref, identities, records)) continue;
    const id = `${link.personId}, guardian ${link.guardianId}`;
    problems.add('dangling-references', 'person', id, link.line, `its guardian is not in the ${within}`);
  }
  await rm(pendingPath, { force: true });
}
