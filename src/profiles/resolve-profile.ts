import { kindDefaults, type RecipientKind } from './kind-defaults.js';
import {
  guardianPolicies,
  listKeys,
  pupilScopes,
  type DateWindow,
  type ListKey,
  type Profile,
} from './profile.js';

/** What a recipient config writes under `profile` (narrowing) or `override` (widening). */
export type ProfileSettings = { -readonly [K in keyof Profile]?: Profile[K] };

export interface ProfileOverride extends ProfileSettings {
  /** Why the recipient needs more than its kind's default; shown in the disclosure log. */
  readonly reason: string;
}

export interface ProfileProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface ResolvedProfile {
  readonly profile: Profile;
  /** What the override adds beyond the kind's default, e.g. `guardianIdTypes+personNIN`. */
  readonly widenings: readonly string[];
  readonly problems: readonly ProfileProblem[];
}

const narrowOnly = (kind: RecipientKind): string =>
  `a recipient may only narrow the ${kind} default profile; to widen it, move this under "override" with a written reason`;

function rank<T>(order: readonly T[], value: T): number {
  return order.indexOf(value);
}

function windowWithin(inner: DateWindow | undefined, outer: DateWindow | undefined): boolean {
  if (outer === undefined) return true;
  if (inner === undefined) return false;
  const fromOk = outer.from === undefined || (inner.from !== undefined && inner.from >= outer.from);
  const toOk = outer.to === undefined || (inner.to !== undefined && inner.to <= outer.to);
  return fromOk && toOk;
}

/** Scalar settings ordered from narrow to wide: a value of higher rank than the default widens. */
function scalarWidenings(defaults: Profile, settings: ProfileSettings): [keyof Profile, string][] {
  const wider: [keyof Profile, string][] = [];
  if (
    settings.guardians !== undefined &&
    rank(guardianPolicies, settings.guardians) > rank(guardianPolicies, defaults.guardians)
  )
    wider.push(['guardians', settings.guardians]);
  if (settings.activeOnly === false && defaults.activeOnly) wider.push(['activeOnly', 'false']);
  if (
    settings.pupilScope !== undefined &&
    rank(pupilScopes, settings.pupilScope) > rank(pupilScopes, defaults.pupilScope)
  )
    wider.push(['pupilScope', settings.pupilScope]);
  if (settings.pseudonymise === false && defaults.pseudonymise) wider.push(['pseudonymise', 'false']);
  if (settings.strictlyConfidential === 'include' && defaults.strictlyConfidential === 'exclude')
    wider.push(['strictlyConfidential', 'include']);
  // Keeping leavers (closed, inactive) sends persons a deleting recipient would not have.
  if (settings.leavers === 'close' && defaults.leavers === 'delete') wider.push(['leavers', 'close']);
  if (settings.schools !== undefined && settings.schools === 'all' && defaults.schools !== 'all')
    wider.push(['schools', 'all']);
  if (settings.levels !== undefined) {
    const levels = settings.levels;
    const allowed = defaults.levels;
    if (allowed !== 'all' && (levels === 'all' || levels.some((level) => !allowed.includes(level))))
      wider.push(['levels', levels === 'all' ? 'all' : levels.join(',')]);
  }
  if (settings.dateWindow !== undefined && !windowWithin(settings.dateWindow, defaults.dateWindow))
    wider.push(['dateWindow', JSON.stringify(settings.dateWindow)]);
  return wider;
}

function union<T>(first: readonly T[], second: readonly T[]): T[] {
  return [...first, ...second.filter((item) => !first.includes(item))];
}

/**
 * Resolves a recipient's effective profile from its kind's default, the config's narrowing and its
 * override. Anything in `profile` wider than the default is a problem (narrow only); anything in
 * `override` wider than the default is a widening, reported so the disclosure log can show it with
 * the override's reason. Also checks what the XSD and R8 need of the result.
 */
export function resolveProfile(
  kind: RecipientKind,
  narrowing: ProfileSettings = {},
  override?: ProfileOverride,
): ResolvedProfile {
  const defaults = kindDefaults[kind];
  const problems: ProfileProblem[] = [];
  const widenings: string[] = [];

  for (const key of listKeys) {
    const values = narrowing[key] as readonly string[] | undefined;
    values?.forEach((value, index) => {
      if (!(defaults[key] as readonly string[]).includes(value)) {
        problems.push({
          path: ['profile', key, index],
          message: `"${value}" is not in the default; ${narrowOnly(kind)}`,
        });
      }
    });
    const extra = override?.[key] as readonly string[] | undefined;
    for (const value of extra ?? []) {
      if (!(defaults[key] as readonly string[]).includes(value)) widenings.push(`${key}+${value}`);
    }
  }
  for (const [key, value] of scalarWidenings(defaults, narrowing)) {
    problems.push({
      path: ['profile', key],
      message: `${JSON.stringify(value)} is wider than the default; ${narrowOnly(kind)}`,
    });
  }
  if (override !== undefined) {
    for (const [key, value] of scalarWidenings(defaults, override)) widenings.push(`${key}=${value}`);
  }

  const merged: Record<string, unknown> = { ...defaults, ...narrowing };
  for (const key of listKeys) {
    const narrowed = (narrowing[key] ?? defaults[key]) as readonly string[];
    merged[key] = union(narrowed, (override?.[key] ?? []) as readonly string[]);
  }
  if (override !== undefined) {
    const { reason: _reason, ...scalars } = override;
    for (const [key, value] of Object.entries(scalars)) {
      if (!(listKeys as readonly string[]).includes(key) && value !== undefined) merged[key] = value;
    }
  }
  const profile = merged as unknown as Profile;
  problems.push(...coherenceProblems(profile));
  return { profile, widenings, problems };
}

const fieldsOf: Readonly<Record<'pupil' | 'staff', ListKey>> = { pupil: 'fields', staff: 'staffFields' };

/** What the XSD and R8 need of an effective profile, whatever the kind. */
function coherenceProblems(profile: Profile): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  if (!profile.pseudonymise) {
    for (const population of profile.populations) {
      const key = fieldsOf[population];
      if (!(profile[key] as readonly string[]).includes('name')) {
        problems.push({
          path: ['profile', key],
          message: `must include "name" while ${population}s are sent: PIFU requires a name on every person (use "pseudonymise": true to withhold names)`,
        });
      }
    }
    if (profile.guardians !== 'none' && !profile.guardianFields.includes('name')) {
      problems.push({
        path: ['profile', 'guardianFields'],
        message: 'must include "name" while guardians are sent: PIFU requires a name on every person',
      });
    }
  }
  if (profile.guardians !== 'none' && !profile.populations.includes('pupil')) {
    problems.push({
      path: ['profile', 'guardians'],
      message:
        'guardians are only ever sent through in-scope pupils (docs/requirements.md#r8): add "pupil" to populations or set guardians to "none"',
    });
  }
  if (profile.pseudonymise && profile.guardians !== 'none') {
    problems.push({
      path: ['profile', 'guardians'],
      message: 'a pseudonymised recipient receives no guardians: set guardians to "none"',
    });
  }
  return problems;
}
