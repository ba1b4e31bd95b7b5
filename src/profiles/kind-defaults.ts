import type { Profile } from './profile.js';
import { orgIdTypeNames, roletypeCodes, type IdTypeName, type RoletypeCode } from './vocabulary.js';

/** The kinds of recipient system the hub ships a default profile for (docs/requirements.md#kinds). */
export const recipientKinds = [
  'lms',
  'directory',
  'archive',
  'sms',
  'assessment',
  'portal',
  'statistics',
  'course',
  'culture',
  'analytics',
  'transport',
  'staff',
] as const;

export type RecipientKind = (typeof recipientKinds)[number];

/** Every roletype but 01: the roles staff hold. */
const staffRoles: readonly RoletypeCode[] = ['02', '05', '06', '07', '08'];

const base = {
  schools: 'all',
  guardians: 'none',
  activeOnly: true,
  roletypes: roletypeCodes,
  levels: 'all',
  pupilScope: 'all',
  staffFields: [],
  guardianFields: [],
  staffIdTypes: [],
  guardianIdTypes: [],
  orgIdTypes: orgIdTypeNames,
  pseudonymise: false,
  strictlyConfidential: 'exclude',
  leavers: 'delete',
} as const satisfies Partial<Profile>;

const directoryIds: readonly IdTypeName[] = [
  'personNIN',
  'personLIN',
  'feideID',
  'username',
  'microsoftUPN',
  'studentID',
  'workforceID',
  'sisID',
];

/**
 * The shipped default profile of each kind (docs/requirements.md#kinds), the widest a recipient of that kind
 * gets without an override. Where a kind names no staff fields, staff get the pupils' fields; personNIN only
 * where the kind needs it. `institutionRole` is not here: PIFU 1.3 carries it as the membership roletype.
 */
export const kindDefaults: Readonly<Record<RecipientKind, Profile>> = {
  directory: {
    ...base,
    populations: ['pupil', 'staff'],
    groupTypes: [
      'skoleeier',
      'skole',
      'basisgruppe',
      'undervisningsgruppe',
      'kontaktlærergruppe',
      'trinn',
      'fag',
      'programområde',
      'utdanningsprogram',
    ],
    roletypes: ['01', '02', '05', '06', '07', '08'],
    fields: ['name', 'email.org', 'status', 'lang'],
    staffFields: ['name', 'email.org', 'status', 'lang'],
    idTypes: directoryIds,
    staffIdTypes: directoryIds,
  },
  lms: {
    ...base,
    populations: ['pupil', 'staff'],
    guardians: 'consentedViaPupils',
    groupTypes: ['skoleeier', 'skole', 'basisgruppe', 'undervisningsgruppe', 'trinn', 'fag'],
    roletypes: ['01', '02', '05', '06', '08'],
    fields: ['name', 'email.org', 'status'],
    staffFields: ['name', 'email.org', 'status'],
    guardianFields: ['name', 'email.private', 'guardianLinks'],
    idTypes: ['username', 'feideID', 'sisID'],
    staffIdTypes: ['username', 'feideID', 'sisID'],
    guardianIdTypes: ['personNIN'],
  },
  sms: {
    ...base,
    populations: ['pupil', 'staff'],
    guardians: 'viaPupils',
    groupTypes: [
      'skole',
      'basisgruppe',
      'undervisningsgruppe',
      'kontaktlærergruppe',
      'trinn',
      'foresattegruppe',
    ],
    fields: ['name', 'mobile.private'],
    staffFields: ['name', 'mobile.private'],
    guardianFields: ['name', 'mobile.private', 'email.private', 'guardianLinks'],
    idTypes: ['sisID', 'username', 'feideID'],
    staffIdTypes: ['sisID', 'username', 'feideID'],
  },
  archive: {
    ...base,
    populations: ['pupil'],
    guardians: 'viaPupils',
    groupTypes: ['skole', 'trinn', 'basisgruppe'],
    roletypes: ['01'],
    fields: ['name', 'bday', 'adr.registered', 'status'],
    guardianFields: ['name', 'adr.postal', 'guardianLinks'],
    idTypes: ['personNIN', 'sisID'],
    leavers: 'close',
  },
  assessment: {
    ...base,
    populations: ['pupil', 'staff'],
    groupTypes: ['skole', 'trinn', 'basisgruppe', 'undervisningsgruppe', 'eksamensgruppe'],
    roletypes: ['01', '02', '05', '06'],
    fields: ['name', 'status', 'lang'],
    staffFields: ['name', 'status', 'lang'],
    idTypes: ['feideID', 'username', 'sisID'],
    staffIdTypes: ['feideID', 'username', 'sisID'],
  },
  portal: {
    ...base,
    populations: ['pupil', 'staff'],
    groupTypes: ['skole', 'trinn', 'basisgruppe', 'fag', 'eksamensgruppe'],
    roletypes: ['01', '02', '05'],
    fields: ['name', 'bday'],
    staffFields: ['name', 'email.org'],
    idTypes: ['personNIN'],
    staffIdTypes: ['personNIN'],
    orgIdTypes: ['organizationNumber'],
  },
  statistics: {
    ...base,
    populations: [],
    groupTypes: ['skoleeier', 'skole'],
    roletypes: [],
    fields: [],
    idTypes: [],
    orgIdTypes: ['organizationNumber', 'gsiNumber', 'municipalityNumber'],
  },
  transport: {
    ...base,
    populations: ['pupil'],
    groupTypes: ['skole', 'trinn'],
    roletypes: ['01'],
    pupilScope: 'transportRight',
    fields: ['name', 'bday', 'adr.registered'],
    idTypes: ['sisID'],
  },
  analytics: {
    ...base,
    populations: ['pupil', 'staff'],
    groupTypes: ['skole', 'trinn', 'basisgruppe', 'undervisningsgruppe', 'kontaktlærergruppe'],
    fields: ['name', 'gender', 'bday'],
    staffFields: ['name', 'email.org'],
    idTypes: ['feideID', 'sisID'],
    staffIdTypes: ['feideID', 'sisID'],
  },
  course: {
    ...base,
    populations: ['staff'],
    groupTypes: ['skoleeier', 'skole'],
    roletypes: staffRoles,
    fields: [],
    staffFields: ['name', 'email.org'],
    idTypes: [],
    staffIdTypes: ['workforceID', 'username'],
  },
  culture: {
    ...base,
    populations: ['staff'],
    groupTypes: ['skole', 'trinn', 'basisgruppe'],
    roletypes: staffRoles,
    fields: [],
    staffFields: ['name', 'email.org', 'tel.org'],
    idTypes: [],
    staffIdTypes: ['workforceID', 'username'],
  },
  staff: {
    ...base,
    populations: ['staff'],
    groupTypes: ['skoleeier', 'skole'],
    roletypes: staffRoles,
    fields: [],
    staffFields: ['name', 'email.org', 'tel.org', 'mobile.org', 'status'],
    idTypes: [],
    staffIdTypes: ['workforceID', 'username', 'feideID'],
  },
};
