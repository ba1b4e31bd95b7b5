import {
  compareKeys,
  isSelectiveRoster,
  membershipsByGroup,
  personFramesOf,
  type Group,
  type Membership,
  type Person,
  type PersonFrame,
  type PersonScopeFacts,
  type Roster,
  type RosterProperties,
} from '../model/index.js';
import { osloDate } from '../schedule/index.js';
import type { Profile } from './profile.js';

export type { DisclosedMembership, DisclosedPerson } from './project.js';
import {
  allowedFor,
  projectGroup,
  projectPerson,
  type DisclosedMembership,
  type DisclosedPerson,
} from './project.js';
import { PersonInputs } from './person-inputs.js';
import { pseudonymFor } from './pseudonym.js';
import { InOrderLookup } from './in-order-lookup.js';
import { RecipientScope } from './recipient-scope.js';
import type { GroupScope } from './group-scope.js';
import { rolesFrom } from './role-flags.js';
import type { PersonScopePass } from './shared-person-scopes.js';
import { roleType } from '../pifu/index.js';

/**
 * A roster seen through one recipient's profile: exactly the persons, groups and memberships it may
 * receive, with only the fields it may receive, in the roster's canonical order (docs/requirements.md#d4).
 * Every reference resolves inside the view: memberships point at persons and groups in it, guardian
 * links at guardians in it, a group's parent at a group in it (or at itself when it is the top).
 * Streams may be read any number of times; each re-reads the roster.
 */
export interface RecipientView {
  readonly properties: RosterProperties;
  /** Labels of the groups other groups point at (`FeedInput.orgUnits`). */
  readonly orgUnits: ReadonlyMap<string, string>;
  /** School selectors of the profile that match no school in the roster (a config mistake to report). */
  readonly unmatchedSchools: readonly string[];
  persons(): AsyncIterable<DisclosedPerson>;
  /**
   * The persons of `persons()`, each with their input hash (see PersonInputs). `reuse` is asked about
   * each one, in key order, before they are decoded: what it returns comes instead of the projection
   * (it answers with what it holds for an equal input hash), undefined has the person projected.
   */
  personsReusing<R>(
    reuse: (personKey: string, inputHash: string) => Promise<R | undefined>,
  ): AsyncIterable<ViewedPerson<R>>;
  groups(): AsyncIterable<Group>;
  memberships(): AsyncIterable<DisclosedMembership>;
}

/** A person in view: projected, or `reused` (what personsReusing's callback gave for them). */
export type ViewedPerson<R> = { readonly personKey: string; readonly inputHash: string } & (
  | { readonly disclosed: DisclosedPerson; readonly reused?: undefined }
  | { readonly reused: R; readonly disclosed?: undefined }
);

export interface ViewOptions {
  /** Secret for the keyed-hash pseudonyms of a pseudonymised profile. */
  readonly pseudonymKey?: Uint8Array;
  /** Persons the hub was asked to forget (R3): out of every view, as guardians too. */
  readonly forgotten?: ReadonlySet<string>;
  /** Persons restricted for this recipient (GDPR Art. 18): out of this view, as guardians too. */
  readonly restricted?: ReadonlySet<string>;
  /**
   * The day (`YYYY-MM-DD`) ages, end dates and date windows are read on: the run's scope date.
   * Undefined: the Europe/Oslo day of the snapshot.
   */
  readonly scopeDate?: string;
  /**
   * The pass over the persons as a view with the same person scope, day and excluded persons settled
   * it (see SharedPersonScopes): taken instead of reading every person's scope facts again.
   */
  readonly personPass?: PersonScopePass;
  /**
   * The pass over the groups as made for this roster, this profile's group settings and this day
   * (groupScopeOf), closed: taken instead of reading the groups again (see SharedGroupScopes).
   */
  readonly groupScope?: GroupScope;
  /** Given the pass over the persons this view made (not when it took `personPass`), once settled. */
  readonly onPersonPass?: (pass: PersonScopePass) => void;
  /**
   * Part of the view only (an incremental delta, src/feed/incremental-delta.ts): of the persons in view,
   * those `persons` accepts; of the groups, those `groups` does; of the memberships in view, those among
   * `memberships` (canonical order).
   * Scope and projection are the whole view's, so what is yielded is exactly what the whole view has.
   */
  readonly only?: {
    readonly persons: (personKey: string) => boolean;
    /** Of the groups in view, those this accepts; undefined: all of them. */
    readonly groups?: (groupKey: string) => boolean;
    /**
     * The frames of (at least) the persons `persons` accepts, in key order: read instead of passing over
     * every person of the roster for them.
     */
    readonly personFrames?: () => Iterable<PersonFrame> | AsyncIterable<PersonFrame>;
    readonly memberships: () => AsyncIterable<Membership>;
    /**
     * Instead of every person's scope facts: enough of them to settle the roles of the persons and
     * memberships yielded exactly (SpoolDiff.scopeFacts). Such a pass is partial, so it is never given
     * to `onPersonPass` for another view to take.
     */
    readonly scopeFacts?: Iterable<PersonScopeFacts>;
  };
}

/**
 * Builds the view in two passes over the roster before any stream is read: groups (which groups and
 * schools are in scope, and each group's nearest in-scope parent), then persons (who is in scope as
 * pupil or staff, and which guardians their pupils bring in). Memory holds a set of in-scope person
 * keys and one entry per group, never a person's data.
 */
export async function viewThroughProfile(
  roster: Roster,
  profile: Profile,
  options: ViewOptions = {},
): Promise<RecipientView> {
  if (profile.pseudonymise && options.pseudonymKey === undefined) {
    throw new TypeError('a pseudonymised profile needs ViewOptions.pseudonymKey');
  }
  const on = options.scopeDate ?? osloDate(new Date(roster.properties.snapshotAt));
  const restricted = options.restricted ?? new Set<string>();
  const excluded =
    restricted.size === 0 ? options.forgotten : new Set([...(options.forgotten ?? []), ...restricted]);
  const shared = options.groupScope;
  if (shared !== undefined && !shared.closed) throw new TypeError('a view takes closed groups only');
  const scope = new RecipientScope(profile, on, excluded, shared);
  const inputs = new PersonInputs(profile, options.pseudonymKey);
  const groupKeys: string[] = shared === undefined ? [] : [...shared.keys()];
  if (shared === undefined) {
    for await (const group of roster.groups()) {
      scope.addGroup(group);
      groupKeys.push(group.key);
    }
    scope.closeGroups();
  }
  // By the group's position in the roster: a selective roster skips other groups' memberships unread.
  const groupInView = groupKeys.map((key) => scope.parentOf(key) !== undefined);
  // A recipient of org structure only (statistics) needs neither pass over persons nor memberships.
  const sendsPersons = profile.populations.length > 0;
  const selective = isSelectiveRoster(roster) ? roster : undefined;
  if (options.personPass !== undefined) {
    scope.adoptPersons(options.personPass.persons);
    inputs.adoptLinks(options.personPass.links);
  } else {
    if (sendsPersons) {
      // Only a person in a population the profile sends (guardians: when it sends any) can be in view.
      const populations = [
        ...profile.populations,
        ...(profile.guardians === 'none' ? [] : ['guardian' as const]),
      ];
      const facts = options.only?.scopeFacts ?? selective?.personFacts(populations) ?? roster.persons();
      for await (const person of facts) {
        scope.addPerson(person);
        inputs.addFacts(person, scope);
      }
    }
    scope.closePersons();
    inputs.close(scope);
    if (options.only?.scopeFacts === undefined) {
      options.onPersonPass?.({ persons: scope.settledPersons(), links: inputs.settledLinks() });
    }
  }
  const only = options.only;
  // A pass over the persons asks for each one's flags in the spool's order, several times a person
  // (the reader's filter, their roles, their input hash): walked beside the settled pass, one walk per
  // stream read, instead of looked up each time.
  const settled = scope.settledPersons();
  const personFilter = () => {
    const inOrder = new InOrderLookup(settled);
    const flagsOf = (personKey: string): number => inOrder.get(personKey) ?? 0;
    const inView =
      only === undefined
        ? (personKey: string) => flagsOf(personKey) !== 0
        : (personKey: string) => only.persons(personKey) && flagsOf(personKey) !== 0;
    const links = new InOrderLookup(inputs.settledLinks());
    const linksOf = (personKey: string): string => links.get(personKey) ?? '';
    return { flagsOf, inView, linksOf };
  };

  const keyOf = profile.pseudonymise
    ? (key: string) => pseudonymFor(options.pseudonymKey ?? new Uint8Array(), key)
    : (key: string) => key;
  // What a person may carry depends on their roles and whether their address is protected alone: kept
  // per role flags for this view (a handful of entries), not made again for each person.
  const allowedByFlags = new Map<number, ReturnType<typeof allowedFor>>();
  const project = (person: Person, flags: number, survivingLinks: string): DisclosedPerson => {
    const roles = rolesFrom(flags);
    const protectedKey = person.addressProtection === 'none' ? flags : -1 - flags;
    let allowed = allowedByFlags.get(protectedKey);
    if (allowed === undefined) {
      allowed = allowedFor(person, roles, profile);
      allowedByFlags.set(protectedKey, allowed);
    }
    return projectPerson(person, roles, profile, { feedKey: keyOf(person.key), survivingLinks, allowed });
  };

  return {
    properties: roster.properties,
    orgUnits: scope.orgUnits(),
    unmatchedSchools: scope.unmatchedSchools(),
    async *persons() {
      if (!sendsPersons) return;
      const { flagsOf, inView, linksOf } = personFilter();
      for await (const person of selective?.personsWhere(inView) ?? roster.persons()) {
        if (!inView(person.key)) continue;
        yield project(person, flagsOf(person.key), linksOf(person.key));
      }
    },
    async *personsReusing<R>(reuse: (personKey: string, inputHash: string) => Promise<R | undefined>) {
      if (!sendsPersons) return;
      const { flagsOf, inView, linksOf } = personFilter();
      const frames =
        only?.personFrames?.() ??
        selective?.personFramesWhere?.(inView) ??
        personFramesOf(selective?.personsWhere(inView) ?? roster.persons());
      for await (const frame of frames) {
        const personKey = frame.key;
        if (!inView(personKey)) continue;
        const flags = flagsOf(personKey);
        const links = linksOf(personKey);
        const inputHash = inputs.inputHash(links, flags, frame.digest());
        // The frame stays valid while this generator waits: the next is read only when asked for.
        const reused = await reuse(personKey, inputHash);
        yield reused === undefined
          ? { personKey, inputHash, disclosed: project(frame.person(), flags, links) }
          : { personKey, inputHash, reused };
      }
    },
    async *groups() {
      const among = only?.groups;
      const viewed = (group: Group): Group | undefined => {
        if (among !== undefined && !among(group.key)) return undefined;
        const parentKey = scope.parentOf(group.key);
        return parentKey === undefined ? undefined : projectGroup(group, parentKey, profile);
      };
      // The shared pass holds the roster's groups in its order: walked as they are, not read again.
      if (shared !== undefined) {
        for (const group of shared.groups()) {
          const projected = viewed(group);
          if (projected !== undefined) yield projected;
        }
        return;
      }
      for await (const group of roster.groups()) {
        const projected = viewed(group);
        if (projected !== undefined) yield projected;
      }
    },
    async *memberships() {
      if (!sendsPersons) return;
      const candidates =
        only?.memberships() ??
        selective?.membershipsWhere(
          (index) => groupInView[index] === true,
          (role) => scope.sendsRole(role),
        ) ??
        roster.memberships();
      const included = filterAsync(candidates, (membership) => scope.includesMembership(membership));
      if (!profile.pseudonymise) {
        for await (const membership of included) yield { personKey: membership.personKey, membership };
        return;
      }
      // Pseudonyms reorder the persons inside a group; canonical order is restored one group at a time,
      // so memory holds at most one group's memberships.
      for await (const group of membershipsByGroup(included)) {
        yield* group
          .map((membership) => ({
            personKey: membership.personKey,
            membership: { ...membership, personKey: keyOf(membership.personKey) },
          }))
          .sort(
            (a, b) =>
              compareKeys(a.membership.personKey, b.membership.personKey) ||
              compareKeys(roleType[a.membership.role], roleType[b.membership.role]),
          );
      }
    },
  };
}

async function* filterAsync<T>(items: AsyncIterable<T>, keep: (item: T) => boolean): AsyncGenerator<T> {
  for await (const item of items) if (keep(item)) yield item;
}
