import type { ActivityStatus, Person } from '../model/index.js';

/**
 * A person as a PIFU feed carries it: what the writer takes and the reader gives back. Left out because
 * PIFU has no place for them: `populations`, `addressProtection` and `affiliations` (the hub's own
 * filtering facts) and a guardian link's flags (every link is written as `pifu_hasContactPerson
 * type="guardian"`). `status` is optional because a profile may leave it out. `name.middle` comes back
 * inside `given`.
 */
export type FeedPerson = Omit<
  Person,
  'populations' | 'addressProtection' | 'guardians' | 'affiliations' | 'status'
> & {
  readonly status?: ActivityStatus;
  /** `pifu_hasContactPerson type="guardian"` links, in document order. */
  readonly guardianKeys: readonly string[];
};

/** Everything of a person that PIFU can carry, with no profile applied (tests, benchmarks, references). */
export function toFeedPerson(person: Person): FeedPerson {
  const {
    populations: _populations,
    addressProtection: _addressProtection,
    affiliations: _affiliations,
    guardians,
    ...rest
  } = person;
  return { ...rest, guardianKeys: guardians.map((guardian) => guardian.guardianKey) };
}
