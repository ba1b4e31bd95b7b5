import type { ChangeKind, FeedType, Group, Membership, RosterProperties } from '../model/index.js';
import type { FeedPerson } from './feed-person.js';

export interface FeedEntry<T> {
  readonly object: T;
  /** Required in a delta feed (becomes recstatus); ignored in a full feed, except that `delete` is refused. */
  readonly change?: ChangeKind;
}

/** Everything `renderFeed` needs for one feed. Every stream is read once, in order. */
export interface FeedInput {
  /** `source` becomes `datasource` and every sourcedid's `source`; `snapshotAt` becomes `datetime`. */
  readonly properties: RosterProperties;
  readonly feedType: FeedType;
  /** The recipient's system id (`properties/target`). */
  readonly target?: string;
  /**
   * Short names of the school owner(s) and schools, by group key: the `relationship/label` of every group
   * (spec 2.3 row 3.11). Groups stream in key order, so a parent often comes after its children; and in a
   * delta the parent may not be in the feed at all. At most a few hundred entries (one per school).
   */
  readonly orgUnits: ReadonlyMap<string, string>;
  readonly persons: AsyncIterable<FeedEntry<FeedPerson>>;
  readonly groups: AsyncIterable<FeedEntry<Group>>;
  /** Ordered by groupKey, then personKey, then role (the canonical order of `Roster`). */
  readonly memberships: AsyncIterable<FeedEntry<Membership>>;
}
