import type {
  FieldKey,
  IdTypeName,
  OrgIdTypeName,
  ProfilePopulation,
  RoletypeCode,
  profileGroupTypes,
} from './vocabulary.js';

export type ProfileGroupType = (typeof profileGroupTypes)[number];

/**
 * Which guardians a recipient receives, from narrowest to widest. Guardians are never a population of
 * their own (R8): only those linked, with parental responsibility, to an in-scope pupil under 18.
 * `consentedViaPupils` further needs the guardian's consent to a parent account (learning platforms).
 */
export const guardianPolicies = ['none', 'consentedViaPupils', 'viaPupils'] as const;
export type GuardianPolicy = (typeof guardianPolicies)[number];

/** Which pupils are in scope: all, or only those entitled to school transport (transport recipients). */
export const pupilScopes = ['transportRight', 'all'] as const;
export type PupilScope = (typeof pupilScopes)[number];

export interface DateWindow {
  /** YYYY-MM-DD, inclusive. */
  readonly from?: string;
  /** YYYY-MM-DD, inclusive. */
  readonly to?: string;
}

/**
 * A recipient's profile, fully resolved: the scope of whom it receives and the fields, identifier types
 * and org identifiers it receives of them (docs/requirements.md#kinds). Everything not listed stays in the
 * hub.
 */
export interface Profile {
  /** School org numbers or NSR ids, or every school of the owner. */
  readonly schools: 'all' | readonly string[];
  readonly populations: readonly ProfilePopulation[];
  readonly guardians: GuardianPolicy;
  /** Only active persons, current enrolments/employments and active memberships. */
  readonly activeOnly: boolean;
  readonly groupTypes: readonly ProfileGroupType[];
  readonly roletypes: readonly RoletypeCode[];
  /** Pupils' trinn (1–10, Vg1–Vg3 as 11–13), and groups bound to one. */
  readonly levels: 'all' | readonly number[];
  /** Enrolments, employments, groups and memberships must overlap it. */
  readonly dateWindow?: DateWindow;
  readonly pupilScope: PupilScope;
  /** Pupils' fields. */
  readonly fields: readonly FieldKey[];
  readonly staffFields: readonly FieldKey[];
  readonly guardianFields: readonly FieldKey[];
  readonly idTypes: readonly IdTypeName[];
  readonly staffIdTypes: readonly IdTypeName[];
  readonly guardianIdTypes: readonly IdTypeName[];
  readonly orgIdTypes: readonly OrgIdTypeName[];
  /** Stable per-recipient pseudonyms instead of keys; no names, birth dates, ids or contact data. */
  readonly pseudonymise: boolean;
  /** R9: persons with a strictly confidential address are left out unless an override opts them in. */
  readonly strictlyConfidential: 'exclude' | 'include';
  /**
   * What an active-only recipient sees of a pupil who left (R2): `delete` (recstatus 3, the default), or
   * `close` for an archive, which must never be asked to erase a pupil record: the leaver stays, with
   * status inactive, without memberships and without guardians.
   */
  readonly leavers: 'delete' | 'close';
}

/** Every profile key, in the order docs/recipients.md lists them. */
export const profileKeys = [
  'schools',
  'populations',
  'guardians',
  'activeOnly',
  'pupilScope',
  'levels',
  'dateWindow',
  'groupTypes',
  'roletypes',
  'fields',
  'staffFields',
  'guardianFields',
  'idTypes',
  'staffIdTypes',
  'guardianIdTypes',
  'orgIdTypes',
  'pseudonymise',
  'strictlyConfidential',
  'leavers',
] as const satisfies readonly (keyof Profile)[];

/** The profile keys whose values are lists; narrowing a list means a subset of the default. */
export const listKeys = [
  'populations',
  'groupTypes',
  'roletypes',
  'fields',
  'staffFields',
  'guardianFields',
  'idTypes',
  'staffIdTypes',
  'guardianIdTypes',
  'orgIdTypes',
] as const satisfies readonly (keyof Profile)[];

export type ListKey = (typeof listKeys)[number];
