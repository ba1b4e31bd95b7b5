import type { Profile } from '../profiles/index.js';

/**
 * Whether a change of profile changes the identity under which the recipient knows its persons, so no
 * delta can express it: switching pseudonyms on or off renames every person. Such a change is sent as a
 * full feed, which replaces everything the recipient holds.
 */
export function identityChanged(
  previous: Pick<Profile, 'pseudonymise'> | undefined,
  next: Pick<Profile, 'pseudonymise'>,
): boolean {
  return previous !== undefined && previous.pseudonymise !== next.pseudonymise;
}
