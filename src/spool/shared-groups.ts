import type { Group } from '../model/index.js';
import { KeptPerFile } from './kept-per-file.js';
import { readGroups } from './roster-frames.js';

/**
 * The run spool's groups, decoded once per process and shared by every reader of that spool (issue 14,
 * shared work across recipients): each recipient's view reads the groups twice (its scope, then its
 * feed), so sixteen recipients of an Oslo run decoded its 27,000 groups 32 times. Groups are few (one
 * entry per group, never per person or membership), so the last spool's are kept decoded, deeply
 * frozen: a reader that changed one would change it for every recipient after it.
 *
 * Kept per file (KeptPerFile), so a spool written again under the same path (a retried snapshot) is
 * decoded again, never served stale. One spool at a time: the next run's groups replace the last's, and
 * releaseSharedGroups lets them go sooner (once no feed of the run is left to write here, or the spool
 * is removed).
 */
const kept = new KeptPerFile<Promise<readonly Group[]>>();

export async function* sharedGroups(path: string): AsyncGenerator<Group> {
  const groups = await kept.get(path, () => {
    const decoding = decodeAll(path);
    // A failed read is not kept: the next reader tries again (and sees the failure itself).
    decoding.catch(() => kept.forget(decoding));
    return decoding;
  });
  yield* await groups;
}

/** Lets go of the groups kept decoded for the spool file at `path`, if they are the ones kept. */
export function releaseSharedGroups(path: string): void {
  kept.release(path);
}

async function decodeAll(path: string): Promise<readonly Group[]> {
  const groups: Group[] = [];
  for await (const group of readGroups(path)) groups.push(deepFreeze(group));
  return Object.freeze(groups);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
