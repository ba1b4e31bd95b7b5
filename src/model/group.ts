/**
 * A group in the roster: the school owner, a school, or any teaching/administrative group below one.
 * The names are the Norwegian PIFU 1.3 type values, because they are the domain's own words
 * (docs/requirements.md#vocabulary); the scheme and level codes are `src/pifu`'s business.
 */
export const groupTypes = [
  'skoleeier',
  'skole',
  'basisgruppe',
  'undervisningsgruppe',
  'kontaktlærergruppe',
  'trinn',
  'utdanningsprogram',
  'programområde',
  'fag',
  'foresattegruppe',
  'språkopplæring',
  'sammensattgruppe',
  'elevråd',
  'fau',
  'skoleutvalg',
  'skolemiljøutvalg',
  'sfo',
  'eksamensgruppe',
] as const;

export type GroupType = (typeof groupTypes)[number];

export type OrganizationIdentifierType =
  | 'organizationNumber'
  | 'nsrId'
  | 'municipalityNumber'
  | 'countyNumber'
  | 'gsiNumber'
  | 'vigoNumber'
  | 'domainName'
  | 'grepCode';

export interface OrganizationIdentifier {
  readonly type: OrganizationIdentifierType;
  readonly value: string;
}

export type SchoolType = 'barneskole' | 'ungdomsskole' | 'videregående' | 'barnehage' | 'sfo';

export interface Timeframe {
  /** YYYY-MM-DD */
  readonly begin?: string;
  /** YYYY-MM-DD */
  readonly end?: string;
  /** `2024`, `2024/2025`, `H2024`, `V2025` */
  readonly adminPeriod?: string;
}

export interface Group {
  /** The records store's internal, opaque, stable key (PIFU sourcedid id). */
  readonly key: string;
  readonly type: GroupType;
  /**
   * The organisational unit this group belongs to: the owner points to itself, a school to its owner,
   * every other group to its school.
   */
  readonly parentKey: string;
  /** The school the group belongs to; undefined for the owner. Equals `key` for a school. */
  readonly schoolKey?: string;
  /** Short name, at most 60 characters. */
  readonly shortName: string;
  /** At most 256 characters. */
  readonly longName?: string;
  readonly timeframe?: Timeframe;
  /** Sorted by type, then value. Only owners and schools carry any. */
  readonly identifiers: readonly OrganizationIdentifier[];
  readonly schoolTypes: readonly SchoolType[];
  /** The trinn (1–10, Vg1–Vg3 as 11–13) of a trinn, class, subject or exam group bound to one level. */
  readonly level?: number;
}
