import type { ChangeKind, Gender, GroupType, MembershipRole, PersonIdentifierType } from '../model/index.js';
import type { AddressKind, EmailKind, PhoneKind } from '../model/index.js';
import type { OrganizationIdentifierType } from '../model/index.js';

/** Spec 2.2 row 2.6.1: IMS coding, not ISO/IEC 5218 (where 1 is male). */
export const genderCode: Readonly<Record<Gender, string>> = { unknown: '0', female: '1', male: '2' };

/** Spec 2.5 rows 2.1/3.1/4.3.4.1: recstatus 1 add, 2 update, 3 delete; delta feeds only. */
export const recstatusCode: Readonly<Record<ChangeKind, string>> = { add: '1', change: '2', delete: '3' };

/** Spec 2.5 row 5.9.1, XSD `useridtype`. */
export const useridType: Readonly<Record<PersonIdentifierType, string>> = {
  nin: 'personNIN',
  lin: 'personLIN',
  fin: 'personFIN',
  studentId: 'studentID',
  workforceId: 'workforceID',
  username: 'username',
  sisId: 'sisID',
  feideId: 'feideID',
  microsoftUpn: 'microsoftUPN',
};

/** PIFU roletype codes (spec 2.4 row 4.3.4.2): always two digits with the leading zero. */
export const roletypeCodes = ['01', '02', '03', '04', '05', '06', '07', '08'] as const;

export type RoletypeCode = (typeof roletypeCodes)[number];

export function isRoletypeCode(code: string | undefined): code is RoletypeCode {
  return (roletypeCodes as readonly (string | undefined)[]).includes(code);
}

/**
 * Spec 2.4 row 4.3.4.2: the roletype of each membership role. The hub's one roletype table: feeds,
 * profiles, the records store and the delivered-state keys all go through it or its inverse below.
 */
export const roleType: Readonly<Record<MembershipRole, RoletypeCode>> = {
  pupil: '01',
  teacher: '02',
  contentDeveloper: '03',
  other: '04',
  management: '05',
  contactTeacher: '06',
  administrator: '07',
  assistant: '08',
};

/** The membership role each roletype code names: `roleType` read backwards. */
export const roleOfRoletype: Readonly<Record<RoletypeCode, MembershipRole>> = Object.fromEntries(
  Object.entries(roleType).map(([role, code]) => [code, role]),
) as Record<RoletypeCode, MembershipRole>;

const pupilSubroles = ['E', 'A', 'F', 'M', 'N', 'U', 'P', 'R', 'V', 'O', 'S', 'D', 'I', 'L', 'K'];

/**
 * Spec 2.4 row 4.3.4.3: the subroles each roletype may carry. The XSD accepts any listed subrole with any
 * roletype; the pairing is the spec's rule. Pupils get the union of the `fag` and `programområde` VIGO
 * codes because a membership does not know its group's type.
 */
export const allowedSubroles: Readonly<Record<MembershipRole, ReadonlySet<string>>> = {
  pupil: new Set(pupilSubroles),
  teacher: new Set(['faglærer', 'lærerstudent', 'vikar']),
  contentDeveloper: new Set(),
  other: new Set([
    'rådgiver',
    'kontormedarbeider',
    'skolehelsetjeneste',
    'skolebibliotekar',
    'vaktmester',
    'renholdsarbeider',
    'foresattrepresentant',
    'sosiallærer',
    'sensor',
    'pptansatt',
  ]),
  management: new Set(['rektor', 'inspektør']),
  contactTeacher: new Set(),
  administrator: new Set(['iktansvarlig']),
  assistant: new Set(),
};

export interface GroupTypeCode {
  readonly scheme: 'pifu-ims-go-org' | 'pifu-ims-go-grp';
  readonly level: string;
}

/** Spec 2.3 rows 3.4.1–3.4.2.1: the org scheme only for owner and school; level must match the value. */
export const groupTypeCode: Readonly<Record<GroupType, GroupTypeCode>> = {
  skoleeier: { scheme: 'pifu-ims-go-org', level: '1' },
  skole: { scheme: 'pifu-ims-go-org', level: '2' },
  basisgruppe: { scheme: 'pifu-ims-go-grp', level: '1' },
  undervisningsgruppe: { scheme: 'pifu-ims-go-grp', level: '2' },
  kontaktlærergruppe: { scheme: 'pifu-ims-go-grp', level: '3' },
  trinn: { scheme: 'pifu-ims-go-grp', level: '4' },
  utdanningsprogram: { scheme: 'pifu-ims-go-grp', level: '5' },
  programområde: { scheme: 'pifu-ims-go-grp', level: '6' },
  fag: { scheme: 'pifu-ims-go-grp', level: '7' },
  foresattegruppe: { scheme: 'pifu-ims-go-grp', level: '8' },
  språkopplæring: { scheme: 'pifu-ims-go-grp', level: '9' },
  sammensattgruppe: { scheme: 'pifu-ims-go-grp', level: '10' },
  elevråd: { scheme: 'pifu-ims-go-grp', level: '11' },
  fau: { scheme: 'pifu-ims-go-grp', level: '12' },
  skoleutvalg: { scheme: 'pifu-ims-go-grp', level: '13' },
  skolemiljøutvalg: { scheme: 'pifu-ims-go-grp', level: '14' },
  sfo: { scheme: 'pifu-ims-go-grp', level: '15' },
  eksamensgruppe: { scheme: 'pifu-ims-go-grp', level: '16' },
};

/** Spec 2.2.1 `pifu_email@type`. */
export const emailType: Readonly<Record<EmailKind, string>> = {
  private: 'personEmailPrivate',
  org: 'personEmailAtOrg',
};

/** Spec 2.2.1 `pifu_tel@type`. */
export const phoneType: Readonly<Record<PhoneKind, string>> = {
  private: 'personTelephonePrivate',
  mobilePrivate: 'personMobilePrivate',
  org: 'personTelephoneAtOrg',
  mobileOrg: 'personMobileAtOrg',
};

/** Spec 2.2.1 `pifu_adr@type`. */
export const addressType: Readonly<Record<AddressKind, string>> = {
  registered: 'personRegisteredAddressPrivate',
  postal: 'personPostalAddressPrivate',
};

export interface OrgIdCode {
  readonly scope: string;
  readonly isUnique: boolean;
}

/**
 * Spec 2.3.1 `pifu_id`: the XSD makes `pifu_scope` and `pifu_unique` mandatory; the scopes follow the
 * official example (Enhetsregisteret, difi's municipality/county lists, vigo, Grep). `nsrId` has no PIFU
 * `pifu_id@type`, so it is never written.
 */
export const orgIdCode: Readonly<Record<Exclude<OrganizationIdentifierType, 'nsrId'>, OrgIdCode>> = {
  organizationNumber: { scope: 'Enhetsregisteret', isUnique: true },
  municipalityNumber: { scope: 'http://hotell.difi.no/?dataset=difi/geo/kommune', isUnique: false },
  countyNumber: { scope: 'http://hotell.difi.no/?dataset=difi/geo/fylke', isUnique: false },
  gsiNumber: { scope: 'GSI', isUnique: true },
  vigoNumber: { scope: 'vigo', isUnique: true },
  domainName: { scope: 'DNS', isUnique: true },
  grepCode: { scope: 'grep - levende læreplaner', isUnique: false },
};

/** Reverse lookup for the reader: PIFU code → model value. */
export function invert<K extends string>(table: Readonly<Record<K, string>>): ReadonlyMap<string, K> {
  return new Map(Object.entries<string>(table).map(([key, code]) => [code, key as K]));
}
