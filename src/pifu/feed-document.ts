import type { Group, Membership } from '../model/index.js';
import type { FeedEntry } from './feed-input.js';
import type { FeedPerson } from './feed-person.js';

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
