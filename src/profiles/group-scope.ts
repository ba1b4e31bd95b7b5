import type { Group, Timeframe } from '../model/index.js';
import type { Profile } from './profile.js';
import { current, overlaps } from './scope-dates.js';

/** The profile settings which groups are in view depends on; with the day, nothing else reaches it. */
const groupScopeSettings = [
  'schools',
  'groupTypes',
  'levels',
  'activeOnly',
  'dateWindow',
] as const satisfies readonly (keyof Profile)[];

/** Which profiles on which day see the same groups: equal keys, equal GroupScopes of one roster. */
export function groupScopeOf(profile: Profile, on: string): string {
  return JSON.stringify([on, ...groupScopeSettings.map((setting) => profile[setting] ?? null)]);
}

/**
 * Which groups and schools of a roster are in one profile's scope on one day, and each group's nearest
 * in-view parent: filled by one pass over the groups (addGroup, in the roster's order), then closed.
 * Read-only once closed, so recipients with the same group scope (groupScopeOf) may share one (issue 14).
 * Holds the roster's groups themselves, never copies of them.
 */
export class GroupScope {
  readonly #profile: Profile;
  readonly #on: string;
  /** Every group, in the roster's order. */
  readonly #groups: ReadonlyMap<string, Group>;
  /** The map addGroup fills (#groups); undefined for a scope over groups gathered before (over). */
  readonly #gathering: Map<string, Group> | undefined;
  readonly #included = new Set<string>();
  readonly #schoolSelectors: ReadonlySet<string> | undefined;
  readonly #matchedSelectors = new Set<string>();
  readonly #schools = new Set<string>();
  readonly #owners = new Set<string>();
  readonly #parents = new Map<string, string>();
  #closed = false;

  constructor(profile: Profile, on: string, groups?: ReadonlyMap<string, Group>) {
    this.#profile = profile;
    this.#on = on;
    this.#schoolSelectors = profile.schools === 'all' ? undefined : new Set(profile.schools);
    this.#gathering = groups === undefined ? new Map() : undefined;
    this.#groups = groups ?? this.#gathering ?? new Map();
  }

  /**
   * The closed scope of a roster's groups gathered already, by key in the roster's order: every scope
   * of one roster may take the same map (read, never changed), instead of each gathering its own.
   */
  static over(groups: ReadonlyMap<string, Group>, profile: Profile, on: string): GroupScope {
    const scope = new GroupScope(profile, on, groups);
    for (const group of groups.values()) scope.#consider(group);
    scope.closeGroups();
    return scope;
  }

  addGroup(group: Group): void {
    if (this.#closed || this.#gathering === undefined)
      throw new TypeError('the groups of this scope are closed already');
    this.#gathering.set(group.key, group);
    this.#consider(group);
  }

  /** Takes in what of `group` the scope decides on: its school, and whether it is included. */
  #consider(group: Group): void {
    const profile = this.#profile;
    if (group.type === 'skole' && this.#schoolInScope(group)) {
      this.#schools.add(group.key);
      this.#owners.add(group.parentKey);
    }
    const typeAllowed = (profile.groupTypes as readonly string[]).includes(group.type);
    const levelAllowed =
      profile.levels === 'all' || group.level === undefined || profile.levels.includes(group.level);
    if (typeAllowed && levelAllowed && this.#timeframeAllowed(group.timeframe)) this.#included.add(group.key);
    else this.#included.delete(group.key);
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
    if (this.#closed) return;
    this.#closed = true;
    for (const key of this.#included) {
      const group = this.#groups.get(key);
      if (group !== undefined && this.#groupSchoolInScope(group)) this.#parents.set(key, key);
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

  get closed(): boolean {
    return this.#closed;
  }

  #groupSchoolInScope(group: Group): boolean {
    if (group.type === 'skoleeier') return this.#schoolSelectors === undefined || this.#owners.has(group.key);
    if (group.type === 'skole') return this.#schools.has(group.key);
    // Any other group belongs to the nearest school above it.
    let parent: string | undefined = group.parentKey;
    for (let hops = 0; parent !== undefined && hops < 32; hops++) {
      const parentGroup = this.#groups.get(parent);
      if (parentGroup === undefined) return false;
      if (parentGroup.type === 'skole') return this.#schools.has(parent);
      if (parentGroup.type === 'skoleeier') return this.#schoolSelectors === undefined;
      parent = parentGroup.parentKey === parent ? undefined : parentGroup.parentKey;
    }
    return false;
  }

  /** The group the view's copy of `groupKey` points at, or undefined when the group is out of view. */
  parentOf(groupKey: string): string | undefined {
    return this.#parents.get(groupKey);
  }

  /** The type of a group of the roster, in view or not. */
  typeOf(groupKey: string): Group['type'] | undefined {
    return this.#groups.get(groupKey)?.type;
  }

  /** The schools in scope (a person's roles depend on them). */
  get schools(): ReadonlySet<string> {
    return this.#schools;
  }

  /** Every group's key, in the roster's order (a group's position in it). */
  keys(): IterableIterator<string> {
    return this.#groups.keys();
  }

  /**
   * Every group of the roster, in its order: what the pass read, walked without reading the roster
   * again (an async iteration per group costs more than the work on most groups).
   */
  groups(): IterableIterator<Group> {
    return this.#groups.values();
  }

  orgUnits(): Map<string, string> {
    const labels = new Map<string, string>();
    for (const parent of new Set(this.#parents.values())) {
      const group = this.#groups.get(parent);
      if (group !== undefined) labels.set(parent, group.shortName);
    }
    return labels;
  }

  unmatchedSchools(): string[] {
    if (this.#profile.schools === 'all') return [];
    return this.#profile.schools.filter(
      (selector) => !this.#matchedSelectors.has(selector) && !this.#schools.has(selector),
    );
  }
}
