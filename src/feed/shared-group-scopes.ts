import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Group } from '../model/index.js';
import { GroupScope, groupScopeOf, type Profile } from '../profiles/index.js';
import { KeptPerFile, spoolFiles } from '../spool/index.js';

/** What is kept for one spool's groups file: its group scopes, and what was derived from them. */
interface KeptScopes {
  /** The spool's groups by key, in its order, gathered once: every scope of it is over this map. */
  groups: Promise<ReadonlyMap<string, Group>> | undefined;
  readonly scopes: Map<string, Promise<GroupScope>>;
  /** Per comparison of spools (a SpoolDiff, by identity) and group scope: see `derived`. */
  readonly derived: WeakMap<object, Map<string, Promise<unknown>>>;
}

/**
 * The passes over a run spool's groups, closed, shared by every recipient of this process with the same
 * group scope and day (groupScopeOf; issue 14, shared work across recipients): each incremental delta
 * compared its groups' scope before and after and its view made the same pass again, three passes
 * over an Oslo run's 26,880 groups per recipient, 48 a run, where its 16 recipients have 9 group scopes.
 * A scope holds the spool's (shared, frozen) groups by reference: a map entry per group, never a copy.
 *
 * Kept per file (KeptPerFile): a groups file written again under the same path (a retried snapshot)
 * gets new scopes, never stale ones; the next run's spool replaces them. A format-1 spool (no frames
 * file) shares nothing: each caller makes its own.
 */
const kept = new KeptPerFile<KeptScopes>();

/** The closed group scope of the spool in `rosterDir` for `profile` on `on`, made once per process. */
export async function sharedGroupScope(
  rosterDir: string,
  groups: () => AsyncIterable<Group>,
  profile: Profile,
  on: string,
): Promise<GroupScope> {
  const entry = await keptFor(rosterDir);
  if (entry === undefined) return GroupScope.over(await gatherGroups(groups), profile, on);
  const key = groupScopeOf(profile, on);
  let scope = entry.scopes.get(key);
  if (scope === undefined) {
    if (entry.groups === undefined) {
      const gathering = gatherGroups(groups);
      // A failed read is not kept: the next caller reads again (and sees the failure itself).
      gathering.catch(() => {
        if (entry.groups === gathering) entry.groups = undefined;
      });
      entry.groups = gathering;
    }
    scope = entry.groups.then((map) => GroupScope.over(map, profile, on));
    // A failed pass is not kept: the next caller tries again (and sees the failure itself).
    scope.catch(() => entry.scopes.delete(key));
    entry.scopes.set(key, scope);
  }
  return scope;
}

/**
 * What `make` derives from the spool's groups, a comparison of spools (`basis`, by identity) and a group
 * scope, made once per process for each: the groups whose being in view differs between two spools.
 */
export async function sharedDerivation<T>(
  rosterDir: string,
  basis: object,
  scopeKey: string,
  make: () => Promise<T>,
): Promise<T> {
  const entry = await keptFor(rosterDir);
  if (entry === undefined) return make();
  let byScope = entry.derived.get(basis);
  if (byScope === undefined) {
    byScope = new Map();
    entry.derived.set(basis, byScope);
  }
  const found = byScope.get(scopeKey) as Promise<T> | undefined;
  if (found !== undefined) return found;
  const made = make();
  made.catch(() => byScope.delete(scopeKey));
  byScope.set(scopeKey, made);
  return made;
}

/** Lets go of the scopes kept for the spool in `rosterDir`, if they are the ones kept. */
export function releaseSharedGroupScopes(rosterDir: string): void {
  kept.release(join(rosterDir, spoolFiles.groups));
}

async function keptFor(rosterDir: string): Promise<KeptScopes | undefined> {
  const path = join(rosterDir, spoolFiles.groups);
  if (!existsSync(path)) return undefined;
  return kept.get(path, () => ({ groups: undefined, scopes: new Map(), derived: new WeakMap() }));
}

async function gatherGroups(groups: () => AsyncIterable<Group>): Promise<ReadonlyMap<string, Group>> {
  const gathered = new Map<string, Group>();
  for await (const group of groups()) gathered.set(group.key, group);
  return gathered;
}
