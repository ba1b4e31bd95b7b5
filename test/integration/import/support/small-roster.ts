import type { Group, Membership } from '../../../../src/model/index.js';
import type { FeedPerson } from '../../../../src/pifu/index.js';
import { byMembership, type ExportRoster } from './roster-change.js';

export const pupil = '11111111-1111-4111-8111-111111111111';
export const guardian = '22222222-2222-4222-8222-222222222222';
export const teacher = '33333333-3333-4333-8333-333333333333';
export const stranger = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
export const gone = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';

export function person(key: string, given: string, guardianKeys: string[] = []): FeedPerson {
  return {
    key,
    name: { given, family: 'Testesen' },
    identifiers: [],
    emails: [],
    phones: [],
    addresses: [],
    guardianKeys,
  };
}

const group = (key: string, type: Group['type'], parentKey: string, shortName: string): Group => ({
  key,
  type,
  parentKey,
  ...(type === 'skoleeier' ? {} : { schoolKey: type === 'skole' ? key : parentKey }),
  shortName,
  identifiers: [],
  schoolTypes: [],
});

export const role = (groupKey: string, personKey: string, which: Membership['role']): Membership => ({
  groupKey,
  personKey,
  role: which,
  isActive: true,
  isPrimary: false,
});

/** A pupil with a guardian in class 1A, their teacher in the class and the school. */
export const rosterA: ExportRoster = {
  persons: [person(pupil, 'Elev', [guardian]), person(guardian, 'Verge'), person(teacher, 'Lærer')],
  groups: [
    group('001', 'skole', 'k', 'Skole'),
    group('001-1A', 'basisgruppe', '001', '1A'),
    group('001-1B', 'basisgruppe', '001', '1B'),
    group('k', 'skoleeier', 'k', 'Kommune'),
  ],
  memberships: [
    role('001', pupil, 'pupil'),
    role('001', teacher, 'teacher'),
    role('001-1A', pupil, 'pupil'),
    role('001-1A', teacher, 'teacher'),
  ].sort(byMembership),
};
