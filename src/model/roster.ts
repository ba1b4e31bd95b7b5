import { hash } from 'node:crypto';
import type { Group } from './group.js';
import type { Membership, MembershipRole } from './membership.js';
import type { Person, Population } from './person.js';

/** Facts about the roster as a whole: who sends it, and when it was read. */
export interface RosterProperties {
  /** Short name of the source (PIFU `datasource` and every sourcedid's `source`), at most 32 chars. */
  readonly source: string;
  /** ISO 8601 date-time of the snapshot. */
  readonly snapshotAt: string;
  /**
   * The source holds synthetic data living in its own time (a generated school year): its dates are to
   * be read on the source's clock, not the wall clock (see ScopeClock).
   */
  readonly synthetic?: boolean;
  /**
   * The source's own token for what this snapshot saw, when it has one (the records store: the
   * PostgreSQL snapshot it was read in). Given it later, the source tells whether anything changed since
   * (SourceConnector.changedSince); it is never written to a feed.
   */
  readonly sourceMarker?: string;
}

/**
 * One consistent view of the whole roster. Each stream yields its objects in canonical order:
 * persons by key, groups by key, memberships by (groupKey, personKey, role) with roles in
 * roletype order (01..08, the order of `membershipRoles`) — keys compared by UTF-16
 * code units (`a < b`), which is PostgreSQL's `COLLATE "C"` order for the ASCII keys the hub uses.
 * Streams are single-pass; memory must not grow with the number of objects.
 */
export interface Roster {
  readonly properties: RosterProperties;
  persons(): AsyncIterable<Person>;
  groups(): AsyncIterable<Group>;
  memberships(): AsyncIterable<Membership>;
}

/** Canonical key order (see Roster). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What of a person decides whether a profile sees them (see RecipientScope): no name, contact or ids. */
export type PersonScopeFacts = Pick<
  Person,
  'key' | 'populations' | 'status' | 'addressProtection' | 'birthDate' | 'affiliations' | 'guardians'
>;

/**
 * One person as the roster holds them, not yet decoded. Valid until the next one is read from the same
 * stream: call `digest` and `person` before that.
 */
export interface PersonFrame {
  readonly key: string;
  /** SHA-256 (base64) of the person's JSON, `JSON.stringify(person)` in UTF-8: equal bytes, equal digest. */
  digest(): string;
  person(): Person;
}

/** Decoded persons as frames, for a roster that keeps none encoded: digests of their JSON. */
export async function* personFramesOf(persons: AsyncIterable<Person>): AsyncGenerator<PersonFrame> {
  for await (const person of persons) {
    yield {
      key: person.key,
      digest: () => hash('sha256', JSON.stringify(person), 'base64'),
      person: () => person,
    };
  }
}

/**
 * A roster that can be read selectively (the run spool): a view that needs one field of everybody, or
 * only some groups' memberships, skips the rest without decoding it. Same canonical order as `Roster`;
 * each stream may be read any number of times.
 */
export interface SelectiveRoster extends Roster {
  /**
   * Every person's scope facts, in key order; given `populations`, only of the persons in at least one
   * of them (the others are skipped undecoded).
   */
  personFacts(populations?: readonly Population[]): AsyncIterable<PersonScopeFacts>;
  /** The persons whose key `keep` accepts, whole, in key order. */
  personsWhere(keep: (personKey: string) => boolean): AsyncIterable<Person>;
  /**
   * As personsWhere, each person still encoded: a reader that recognises a person it has seen before by
   * their digest need not decode them. Absent where the roster keeps no encoded persons.
   */
  personFramesWhere?(keep: (personKey: string) => boolean): AsyncIterable<PersonFrame>;
  /**
   * The memberships of the groups `keepGroup` accepts (by the group's position in `groups()`, from 0)
   * with a role `keepRole` accepts, in canonical order.
   */
  membershipsWhere(
    keepGroup: (groupIndex: number) => boolean,
    keepRole: (role: MembershipRole) => boolean,
  ): AsyncIterable<Membership>;
}

export function isSelectiveRoster(roster: Roster): roster is SelectiveRoster {
  return 'personFacts' in roster && 'membershipsWhere' in roster;
}
