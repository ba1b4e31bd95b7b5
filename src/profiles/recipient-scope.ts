import type {
  Affiliation,
  GuardianLink,
  Group,
  Membership,
  MembershipRole,
  Person,
  PersonScopeFacts,
} from '../model/index.js';
import type { Profile } from './profile.js';
import type { PersonRoles } from './project.js';
import { roleOfRoletype } from '../pifu/index.js';
import { candidateFlag, guardianFlag, leaverFlag, pupilFlag, rolesFrom, staffFlag } from './role-flags.js';
import { GroupScope } from './group-scope.js';
import { current, isMinorOn, overlaps } from './scope-dates.js';
import { packPersons } from './packed-key-map.js';
import { PersonFlagsBuilder, WantedKeys } from './person-flags-builder.js';

/**
 * Who and what is in one recipient's scope. Filled by one pass over the groups and one over the persons
 * (see viewThroughProfile); then answers, per key, whether a person, group or membership is in view.
 */
export class RecipientScope {
  readonly #profile: Profile;
  readonly #on: string;
  readonly #groups: GroupScope;
  /** Person key → role flags (1 pupil, 2 staff, 4 guardian), filled by the pass over the persons. */
  #building: PersonFlagsBuilder | undefined = new PersonFlagsBuilder();
  /** The same, read: the one being filled, or a settled one (closePersons, adoptPersons). */
  #persons: Pick<ReadonlyMap<string, number>, 'get'> = this.#building ?? new Map();
  #settled: ReadonlyMap<string, number> | undefined;
  #wantedGuardians = new WantedKeys();
  readonly #roles: ReadonlySet<string>;

  readonly #forgotten: ReadonlySet<string>;

  /**
   * `groups`: a closed GroupScope of the same roster, profile group settings and day (groupScopeOf), to
   * take instead of this scope's own pass over the groups; never changed afterwards.
   */
  constructor(
    profile: Profile,
    on: string,
    forgotten: ReadonlySet<string> = new Set(),
    groups: GroupScope = new GroupScope(profile, on),
  ) {
    this.#profile = profile;
    this.#on = on;
    this.#forgotten = forgotten;
    this.#groups = groups;
    this.#roles = new Set(profile.roletypes.map((code) => roleOfRoletype[code]));
  }

  addGroup(group: Group): void {
    this.#groups.addGroup(group);
  }

  /** Settles which groups are in view (their school must be) and each one's nearest in-view parent. */
  closeGroups(): void {
    this.#groups.closeGroups();
  }

  /** The scope's groups: once closed, what another scope of the same group scope may take. */
  get groups(): GroupScope {
    return this.#groups;
  }

  /** The group the view's copy of `groupKey` points at, or undefined when the group is out of view. */
  parentOf(groupKey: string): string | undefined {
    return this.#groups.parentOf(groupKey);
  }

  orgUnits(): Map<string, string> {
    return this.#groups.orgUnits();
  }

  unmatchedSchools(): string[] {
    return this.#groups.unmatchedSchools();
  }

  #affiliationInScope(affiliation: Affiliation, ignoreActivity = false): boolean {
    const profile = this.#profile;
    if (!this.#groups.schools.has(affiliation.schoolKey)) return false;
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
    const type = this.#groups.typeOf(membership.groupKey);
    if (type === undefined || this.#groups.parentOf(membership.groupKey) === undefined) return false;
    if (!this.#roles.has(membership.role)) return false;
    if (
      profile.activeOnly &&
      (!membership.isActive || !current(undefined, membership.timeframe?.end, this.#on))
    )
      return false;
    if (!overlaps(membership.timeframe?.begin, membership.timeframe?.end, profile.dateWindow)) return false;
    const flags = this.#persons.get(membership.personKey) ?? 0;
    if (membership.role === 'pupil') return (flags & pupilFlag) !== 0;
    if (type === 'foresattegruppe') return (flags & (guardianFlag | staffFlag)) !== 0;
    return (flags & staffFlag) !== 0;
  }
}
