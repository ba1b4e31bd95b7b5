import type {
  Affiliation,
  GuardianLink,
  Group,
  Membership,
  MembershipRole,
  Person,
  PersonScopeFacts,
  Timeframe,
} from '../model/index.js';
import type { Profile } from './profile.js';
import type { PersonRoles } from './project.js';
import { roleOfRoletype } from '../pifu/index.js';
import { candidateFlag, guardianFlag, leaverFlag, pupilFlag, rolesFrom, staffFlag } from './role-flags.js';
import { current, isMinorOn, overlaps } from './scope-dates.js';
import { packPersons } from './packed-key-map.js';
import { PersonFlagsBuilder, WantedKeys } from './person-flags-builder.js';

interface GroupFacts {
  readonly parentKey: string;
  readonly type: Group['type'];
  readonly shortName: string;
  readonly included: boolean;
}

/**
 * Who and what is in one recipient's scope. Filled by one pass over the groups and one over the persons
 * (see viewThroughProfile); then answers, per key, whether a person, group or membership is in view.
 */
export class RecipientScope {
  readonly #profile: Profile;
  readonly #on: string;
  readonly #groups = new Map<string, GroupFacts>();
  readonly #schoolSelectors: ReadonlySet<string> | undefined;
  readonly #matchedSelectors = new Set<string>();
  readonly #schools = new Set<string>();
  readonly #owners = new Set<string>();
  readonly #parents = new Map<string, string>();
  /** Person key → role flags (1 pupil, 2 staff, 4 guardian), filled by the pass over the persons. */
  #building: PersonFlagsBuilder | undefined = new PersonFlagsBuilder();
  /** The same, read: the one being filled, or a settled one (closePersons, adoptPersons). */
  #persons: Pick<ReadonlyMap<string, number>, 'get'> = this.#building ?? new Map();
  #settled: ReadonlyMap<string, number> | undefined;
  #wantedGuardians = new WantedKeys();
  readonly #roles: ReadonlySet<string>;

  readonly #forgotten: ReadonlySet<string>;

  constructor(profile: Profile, on: string, forgotten: ReadonlySet<string> = new Set()) {
    this.#profile = profile;
    this.#on = on;
    this.#forgotten = forgotten;
    this.#schoolSelectors = profile.schools === 'all' ? undefined : new Set(profile.schools);
    this.#roles = new Set(profile.roletypes.map((code) => roleOfRoletype[code]));
  }

  addGroup(group: Group): void {
    const profile = this.#profile;
    if (group.type === 'skole' && this.#schoolInScope(group)) {
      this.#schools.add(group.key);
      this.#owners.add(group.parentKey);
    }
    const typeAllowed = (profile.groupTypes as readonly string[]).includes(group.type);
    const levelAllowed =
      profile.levels === 'all' || group.level === undefined || profile.levels.includes(group.level);
    const timeAllowed = this.#timeframeAllowed(group.timeframe);
    this.#groups.set(group.key, {
      parentKey: group.parentKey,
      type: group.type,
      shortName: group.shortName,
      included: typeAllowed && levelAllowed && timeAllowed,
    });
  }

  #schoolInScope(school: Group): boolean {
    if (this.#schoolSelectors === undefined) return true;
    let matched = this.#schoolSelectors.has(school.key);
    for (const identifier of school.identifiers) {
      if (
        (identifier.type === 'organizationNumber' || identifier.type === 'nsrId') &&
        this.#schoolSelectors.has(identifier.value)
      ) {
        this.#matchedSelectors.add(identifier.value);
        matched = true;
      }
    }
    return matched;
  }

  #timeframeAllowed(timeframe: Timeframe | undefined): boolean {
    if (this.#profile.activeOnly && !current(undefined, timeframe?.end, this.#on)) return false;
    return overlaps(timeframe?.begin, timeframe?.end, this.#profile.dateWindow);
  }

  /** Settles which groups are in view (their school must be) and each one's nearest in-view parent. */
  closeGroups(): void {
    for (const [key, facts] of this.#groups) {
      if (!facts.included || !this.#groupSchoolInScope(key, facts)) continue;
      this.#parents.set(key, key);
    }
    for (const key of this.#parents.keys()) {
      let parent = this.#groups.get(key)?.parentKey;
      let hops = 0;
      while (parent !== undefined && !this.#parents.has(parent) && hops++ < 32) {
        const next = this.#groups.get(parent)?.parentKey;
        parent = next === parent ? undefined : next;
      }
      if (parent !== undefined && this.#parents.has(parent)) this.#parents.set(key, parent);
    }
  }

  #groupSchoolInScope(key: string, facts: GroupFacts): boolean {
    if (facts.type === 'skoleeier') return this.#schoolSelectors === undefined || this.#owners.has(key);
    if (facts.type === 'skole') return this.#schools.has(key);
    // Any other group belongs to the nearest school above it.
    let parent: string | undefined = facts.parentKey;
    for (let hops = 0; parent !== undefined && hops < 32; hops++) {
      const parentFacts = this.#groups.get(parent);
      if (parentFacts === undefined) return false;
      if (parentFacts.type === 'skole') return this.#schools.has(parent);
      if (parentFacts.type === 'skoleeier') return this.#schoolSelectors === undefined;
      parent = parentFacts.parentKey === parent ? undefined : parentFacts.parentKey;
    }
    return false;
  }

  /** The group the view's copy of `groupKey` points at, or undefined when the group is out of view. */
  parentOf(groupKey: string): string | undefined {
    return this.#parents.get(groupKey);
  }

  /**
   * After closeGroups, what of the groups anything else of the view depends on: the schools in scope
   * (a person's roles) and each group in view with its type (a membership's inclusion).
   */
  groupsInScope(): { schools: ReadonlySet<string>; groups: Map<string, Group['type']> } {
    const groups = new Map<string, Group['type']>();
    for (const [key, facts] of this.#groups) if (this.#parents.has(key)) groups.set(key, facts.type);
    return { schools: this.#schools, groups };
  }

  orgUnits(): Map<string, string> {
    const labels = new Map<string, string>();
    for (const parent of new Set(this.#parents.values())) {
      const facts = this.#groups.get(parent);
      if (facts !== undefined) labels.set(parent, facts.shortName);
    }
    return labels;
  }

  unmatchedSchools(): string[] {
    if (this.#profile.schools === 'all') return [];
    return this.#profile.schools.filter(
      (selector) => !this.#matchedSelectors.has(selector) && !this.#schools.has(selector),
    );
  }

  #affiliationInScope(affiliation: Affiliation, ignoreActivity = false): boolean {
    const profile = this.#profile;
    if (!this.#schools.has(affiliation.schoolKey)) return false;
    if (profile.activeOnly && !ignoreActivity && !current(affiliation.begin, affiliation.end, this.#on))
      return false;
    if (!overlaps(affiliation.begin, affiliation.end, profile.dateWindow)) return false;
    if (affiliation.population === 'pupil') {
      if (
        profile.levels !== 'all' &&
        (affiliation.level === undefined || !profile.levels.includes(affiliation.level))
      )
        return false;
      if (profile.pupilScope === 'transportRight' && affiliation.transportRight !== true) return false;
    }
    return true;
  }

  /** A pupil who would be in scope but for being inactive or no longer enrolled (R2, `leavers: close`). */
  #isLeaver(person: PersonScopeFacts): boolean {
    if (!this.#profile.populations.includes('pupil') || !person.populations.includes('pupil')) return false;
    return person.affiliations.some(
      (affiliation) => affiliation.population === 'pupil' && this.#affiliationInScope(affiliation, true),
    );
  }

  /** Guardian links that may bring a guardian in (R8): parental responsibility, a minor, consent where asked. */
  linkEligible(link: GuardianLink, pupil: Pick<Person, 'birthDate'>): boolean {
    const policy = this.#profile.guardians;
    if (policy === 'none' || !link.hasParentalResponsibility) return false;
    if (policy === 'consentedViaPupils' && !link.parentAccessConsent) return false;
    return isMinorOn(pupil.birthDate, this.#on);
  }

  addPerson(person: PersonScopeFacts): void {
    const persons = this.#building;
    if (persons === undefined) throw new TypeError('the persons of this scope are settled already');
    const profile = this.#profile;
    if (person.addressProtection === 'strictlyConfidential' && profile.strictlyConfidential === 'exclude')
      return;
    if (this.#forgotten.has(person.key)) return;
    const active = !profile.activeOnly || person.status === 'active';
    let flags = 0;
    if (active) {
      for (const affiliation of person.affiliations) {
        if (!(profile.populations as readonly string[]).includes(affiliation.population)) continue;
        if (!person.populations.includes(affiliation.population)) continue;
        if (this.#affiliationInScope(affiliation))
          flags |= affiliation.population === 'pupil' ? pupilFlag : staffFlag;
      }
    }
    if (flags & pupilFlag) {
      for (const link of person.guardians) {
        if (this.linkEligible(link, person)) this.#wantedGuardians.add(link.guardianKey);
      }
    }
    if (flags === 0 && profile.leavers === 'close' && profile.activeOnly && this.#isLeaver(person)) {
      flags |= leaverFlag;
    }
    if (person.populations.includes('guardian') && active && profile.guardians !== 'none')
      flags |= candidateFlag;
    if (flags !== 0) persons.set(person.key, flags);
  }

  /**
   * Settles the guardians: wanted by an in-scope pupil and seen in the roster as an eligible guardian
   * (active where the profile asks, not strictly confidential unless opted in). A link to anyone else
   * is dropped, so no guardian link ever dangles.
   */
  closePersons(): void {
    const persons = this.#building;
    if (persons === undefined) return;
    const settled = persons.settle(this.#wantedGuardians, (flags, wanted) =>
      (flags & candidateFlag) === 0 ? flags : (flags & ~candidateFlag) | (wanted ? guardianFlag : 0),
    );
    this.#wantedGuardians = new WantedKeys();
    this.#building = undefined;
    // Held for the rest of the view (and maybe by the next recipient's): packed, not a Map of strings.
    this.#settled = packPersons(settled);
    this.#persons = this.#settled;
  }

  /** After closePersons: each person in scope and their role flags (what another view may adopt). */
  settledPersons(): ReadonlyMap<string, number> {
    if (this.#settled === undefined) throw new TypeError('the persons of this scope are not settled yet');
    return this.#settled;
  }

  /**
   * Instead of the pass over the persons: what closePersons settled for a scope that sees the same
   * persons in the same roles (same person scope settings, day and excluded persons; see
   * SharedPersonScopes), after this scope's groups are closed. Never changed afterwards.
   */
  adoptPersons(persons: ReadonlyMap<string, number>): void {
    if (this.#building?.size !== 0) throw new TypeError('a scope adopts persons instead of its own pass');
    this.#building = undefined;
    this.#settled = persons;
    this.#persons = persons;
  }

  rolesOf(personKey: string): PersonRoles {
    return rolesFrom(this.#persons.get(personKey) ?? 0);
  }

  /** rolesOf as one number (a digest's input): equal numbers, equal roles. */
  roleFlags(personKey: string): number {
    return this.#persons.get(personKey) ?? 0;
  }

  /** Whether the profile sends memberships of this role at all. */
  sendsRole(role: MembershipRole): boolean {
    return this.#roles.has(role);
  }

  includesMembership(membership: Membership): boolean {
    const profile = this.#profile;
    const group = this.#groups.get(membership.groupKey);
    if (group === undefined || !this.#parents.has(membership.groupKey)) return false;
    if (!this.#roles.has(membership.role)) return false;
    if (
      profile.activeOnly &&
      (!membership.isActive || !current(undefined, membership.timeframe?.end, this.#on))
    )
      return false;
    if (!overlaps(membership.timeframe?.begin, membership.timeframe?.end, profile.dateWindow)) return false;
    const flags = this.#persons.get(membership.personKey) ?? 0;
    if (membership.role === 'pupil') return (flags & pupilFlag) !== 0;
    if (group.type === 'foresattegruppe') return (flags & (guardianFlag | staffFlag)) !== 0;
    return (flags & staffFlag) !== 0;
  }
}
