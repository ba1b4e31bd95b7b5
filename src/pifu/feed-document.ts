import type { ActivityStatus, Group, Membership, Person } from '../model/index.js';
import type { FeedEntry } from './feed-input.js';

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

export interface FeedProperties {
  readonly datasource: string;
  readonly targets: readonly string[];
  readonly type: 'full' | 'delta' | 'event';
  /** `xs:date` or `xs:dateTime`, as written. */
  readonly datetime: string;
}

/**
 * A feed being read. Like `Roster`, the streams are single-pass and follow the document: read persons,
 * then groups, then memberships. Starting a stream skips what is left of the earlier ones; starting an
 * earlier stream after a later one throws.
 */
export interface FeedDocument {
  readonly properties: FeedProperties;
  persons(): AsyncIterable<FeedEntry<FeedPerson>>;
  groups(): AsyncIterable<FeedEntry<Group>>;
  /** One entry per `role`, flattened from membership/member/role. */
  memberships(): AsyncIterable<FeedEntry<Membership>>;
}
