import type { Roster } from '../../../src/model/index.js';
import { viewThroughProfile, type Profile, type ViewOptions } from '../../../src/profiles/index.js';

/** The pseudonym key the profile property tests view rosters with. */
export const pseudonymKey = new TextEncoder().encode('a test secret of at least thirty-two bytes');

/**
 * Everything a view of `roster` through `profile` gives, collected, so two views compare with toEqual:
 * org units, unmatched schools, persons, groups, memberships and each person's input hash.
 */
export async function viewContents(roster: Roster, profile: Profile, options: ViewOptions = {}) {
  const view = await viewThroughProfile(roster, profile, { pseudonymKey, ...options });
  const collect = async <T>(items: AsyncIterable<T>) => {
    const all: T[] = [];
    for await (const item of items) all.push(item);
    return all;
  };
  return {
    orgUnits: [...view.orgUnits],
    unmatched: view.unmatchedSchools,
    persons: await collect(view.persons()),
    groups: await collect(view.groups()),
    memberships: await collect(view.memberships()),
    // Digested from the encoded record or from the decoded one, the same input hashes.
    inputHashes: await collect(view.personsReusing(async () => undefined)),
  };
}
