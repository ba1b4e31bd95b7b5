import {
  groupTypes,
  type GroupType,
  type OrganizationIdentifierType,
  type PersonIdentifierType,
} from '../model/index.js';

/**
 * The words a recipient profile is written in (docs/requirements.md#vocabulary): PIFU's own names for id
 * types and roletypes, the hub's field keys for person fields. Profiles are read and reviewed by privacy
 * officers next to the privacy declaration, so they use the names that declaration and the PIFU spec use.
 */

/** Person fields a profile may let out, by hub field key (docs/requirements.md#vocabulary). */
export const fieldKeys = [
  'name',
  'bday',
  'gender',
  'status',
  'lang',
  'email.org',
  'email.private',
  'tel.private',
  'mobile.private',
  'tel.org',
  'mobile.org',
  'adr.registered',
  'adr.postal',
  'guardianLinks',
] as const;

export type FieldKey = (typeof fieldKeys)[number];

/** Contact fields: never sent for a person with a protected address (R9). */
export const contactFields: ReadonlySet<FieldKey> = new Set([
  'email.org',
  'email.private',
  'tel.private',
  'mobile.private',
  'tel.org',
  'mobile.org',
]);
export const addressFields: ReadonlySet<FieldKey> = new Set(['adr.registered', 'adr.postal']);

/** The field categories a disclosure answer is grouped by (docs/requirements.md#r5). */
export type FieldCategory = 'identity' | 'contact' | 'address' | 'relations';

export const fieldCategory: Readonly<Record<FieldKey, FieldCategory>> = {
  name: 'identity',
  bday: 'identity',
  gender: 'identity',
  status: 'identity',
  lang: 'identity',
  'email.org': 'contact',
  'email.private': 'contact',
  'tel.private': 'contact',
  'mobile.private': 'contact',
  'tel.org': 'contact',
  'mobile.org': 'contact',
  'adr.registered': 'address',
  'adr.postal': 'address',
  guardianLinks: 'relations',
};

/** PIFU `useridtype` names, as profiles write them. `personNINencrypted` has no agreed method yet. */
export const idTypeNames = [
  'personNIN',
  'personLIN',
  'personFIN',
  'studentID',
  'workforceID',
  'username',
  'sisID',
  'feideID',
  'microsoftUPN',
] as const;

export type IdTypeName = (typeof idTypeNames)[number];

const idTypeOf: Readonly<Record<IdTypeName, PersonIdentifierType>> = {
  personNIN: 'nin',
  personLIN: 'lin',
  personFIN: 'fin',
  studentID: 'studentId',
  workforceID: 'workforceId',
  username: 'username',
  sisID: 'sisId',
  feideID: 'feideId',
  microsoftUPN: 'microsoftUpn',
};

export const idTypeNameOf: Readonly<Record<PersonIdentifierType, IdTypeName>> = Object.fromEntries(
  Object.entries(idTypeOf).map(([name, type]) => [type, name]),
) as Record<PersonIdentifierType, IdTypeName>;

/** Org identifier types a profile may let out on schools and owners (not personal data). */
export const orgIdTypeNames = [
  'organizationNumber',
  'municipalityNumber',
  'countyNumber',
  'gsiNumber',
  'vigoNumber',
  'domainName',
  'grepCode',
] as const satisfies readonly OrganizationIdentifierType[];

export type OrgIdTypeName = (typeof orgIdTypeNames)[number];

/** Profiles name roles by their PIFU roletype code; the table is the feed's own (src/pifu). */
export { roletypeCodes, type RoletypeCode } from '../pifu/index.js';

/** Group types a profile may name: every PIFU type except the deny-listed one. */
export const profileGroupTypes = groupTypes.filter(
  (type): type is Exclude<GroupType, 'språkopplæring'> => type !== 'språkopplæring',
);

export type ProfilePopulation = 'pupil' | 'staff';

/**
 * R1: what no profile can ever ask for, with the reason a config author is told. Matched on a
 * normalised spelling (lower case, letters and digits only), so `specialNeeds`, `special_needs` and
 * `Special needs` are one entry. Most of these are not in the canonical model at all: the hub could not
 * send them even if asked, and refusing the config keeps the privacy declaration honest.
 */
const specialCategory =
  'is special-category personal data (GDPR Art. 9) and is deny-listed: no profile can send it (docs/requirements.md#r1)';
const notRosterData =
  'is not roster data; that flow is handled case by case outside the hub (docs/requirements.md#r1)';
const deniedFields: Readonly<Record<string, string>> = {
  health: specialCategory,
  healthinformation: specialCategory,
  medical: specialCategory,
  medicalgrounds: `${notRosterData}; medical grounds for transport are health data`,
  diagnosis: specialCategory,
  iop: `(individual education plan) ${specialCategory}`,
  specialneeds: specialCategory,
  specialeducation: specialCategory,
  adaptation: specialCategory,
  accommodations: `${specialCategory}; test accommodations travel by a separate reviewed channel (docs/requirements.md#q10)`,
  extratime: `${specialCategory}; test accommodations travel by a separate reviewed channel (docs/requirements.md#q10)`,
  språkopplæring: `(særskilt norskopplæring) reveals ethnic origin and is deny-listed (docs/requirements.md#r1)`,
  conduct:
    'is a conduct and behaviour (orden og atferd) assessment and is deny-listed (docs/requirements.md#r1)',
  behaviour:
    'is a conduct and behaviour (orden og atferd) assessment and is deny-listed (docs/requirements.md#r1)',
  behavior:
    'is a conduct and behaviour (orden og atferd) assessment and is deny-listed (docs/requirements.md#r1)',
  familycircumstances: 'is family circumstances and is deny-listed (docs/requirements.md#r1)',
  income: 'is guardian income and is deny-listed (docs/requirements.md#r1)',
  absence: 'is absence data; it stays off until a reviewed capability exists (docs/requirements.md#r1)',
  absencereason: `is an absence reason, which may be a health datum; ${specialCategory}`,
  nationality: 'is a proxy for ethnic origin (GDPR Art. 9) and is deny-listed (docs/requirements.md#r1)',
  nativetongue: 'is a proxy for ethnic origin (GDPR Art. 9) and is deny-listed (docs/requirements.md#r1)',
  ethnicity: specialCategory,
  religion: specialCategory,
  results:
    'is grades and results; they stay off until a reviewed capability exists (docs/requirements.md#r1)',
  grades: 'is grades and results; they stay off until a reviewed capability exists (docs/requirements.md#r1)',
  injury: `is an injury case; ${notRosterData}`,
  insurance: `is an insurance case; ${notRosterData}`,
  salary: `is salary data; ${notRosterData}`,
  pension: `is pension reporting; ${notRosterData}`,
  position: `is employment data (position percentage); ${notRosterData}`,
  sickleave: `is sick leave, a health datum; ${specialCategory}`,
  leave: `is leave of absence; ${notRosterData}`,
  attest: `is a staff attest or certificate; ${notRosterData}`,
  height: specialCategory,
  weight: specialCategory,
  menstruation: specialCategory,
  password: 'is a credential; the hub never sends passwords (docs/requirements.md#r1)',
  photo: 'is not held by the hub: feeds are photo-free by design',
  institutionrole:
    'has no element in the PIFU 1.3 XSD; a person’s role travels as the membership roletype, so list roletypes instead',
  personninencrypted: 'has no agreed encryption method with any recipient yet; use personNIN or leave it out',
};

function normaliseTerm(term: string): string {
  return term.toLowerCase().replace(/[^a-z0-9æøå]/g, '');
}

const deniedTerms = Object.keys(deniedFields).filter((denied) => denied.length >= 6);

/**
 * The reason `term` is refused, or undefined when it is not deny-listed. A term that contains a longer
 * deny-listed word (`healthNotes`, `salaryGrade`) is refused for that word's reason.
 */
export function deniedReason(term: string): string | undefined {
  const normalised = normaliseTerm(term);
  const exact = deniedFields[normalised];
  if (exact !== undefined) return exact;
  const contained = deniedTerms.find((denied) => normalised.includes(denied));
  return contained === undefined ? undefined : deniedFields[contained];
}
