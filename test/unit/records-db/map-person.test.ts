import { mapPerson, type PersonRows } from '../../../connectors/sources/records-db/map-person.js';

const rows: PersonRows = {
  person: {
    id: '0b7c4f5e-0000-4000-8000-000000000001',
    given_name: 'Åse',
    middle_name: null,
    family_name: "O'Brien",
    birth_date: '2014-03-09',
    gender: 'female',
    national_identity_number: '09831451234',
    status: 'active',
    preferred_language: 'nn',
    address_protection: 'strictly_confidential',
  },
  identifiers: [
    { identifier_type: 'username', value: 'asebri1' },
    { identifier_type: 'feideID', value: 'asebri1@skole.example.no' },
  ],
  emails: [{ email_type: 'work', address: 'asebri1@skole.example.no', priority: 1 }],
  phones: [
    { phone_type: 'mobile', number: '+4791234567', priority: 2 },
    { phone_type: 'mobile', number: '+4741234567', priority: 1 },
  ],
  addresses: [],
  guardians: [
    {
      guardian_id: 'f0000000-0000-4000-8000-000000000002',
      has_parental_responsibility: true,
      parent_access_consent: true,
    },
    {
      guardian_id: '10000000-0000-4000-8000-000000000003',
      has_parental_responsibility: false,
      parent_access_consent: false,
    },
  ],
  affiliations: [
    {
      school_id: 'c0000000-0000-4000-8000-000000000005',
      population: 'pupil',
      grade: 11,
      school_transport_right: true,
      begins: '2025-08-18',
      ends: null,
    },
    {
      school_id: 'a0000000-0000-4000-8000-000000000004',
      population: 'pupil',
      grade: 10,
      school_transport_right: false,
      begins: '2016-08-18',
      ends: '2025-06-20',
    },
  ],
  populations: ['pupil'],
};

describe('mapPerson', () => {
  it('maps store vocabularies to the model and sorts identifiers, phones and guardians canonically', () => {
    const person = mapPerson(rows);
    expect(person.addressProtection).toBe('strictlyConfidential');
    expect(person.populations).toEqual(['pupil']);
    expect(person.identifiers.map((id) => id.type)).toEqual(['feideId', 'nin', 'username']);
    expect(person.phones.map((phone) => [phone.kind, phone.priority])).toEqual([
      ['mobilePrivate', 1],
      ['mobilePrivate', 2],
    ]);
    expect(person.guardians.map((link) => link.guardianKey)).toEqual([
      '10000000-0000-4000-8000-000000000003',
      'f0000000-0000-4000-8000-000000000002',
    ]);
    expect(person.name).toEqual({ given: 'Åse', family: "O'Brien" });
  });

  it('carries parent-access consent on each guardian link', () => {
    expect(mapPerson(rows).guardians).toEqual([
      {
        guardianKey: '10000000-0000-4000-8000-000000000003',
        hasParentalResponsibility: false,
        parentAccessConsent: false,
      },
      {
        guardianKey: 'f0000000-0000-4000-8000-000000000002',
        hasParentalResponsibility: true,
        parentAccessConsent: true,
      },
    ]);
  });

  it('maps enrolments and employments to affiliations sorted by school, population and begin', () => {
    const staffRow = (school: string, begins: string) => ({
      school_id: school,
      population: 'staff',
      grade: null,
      school_transport_right: null,
      begins,
      ends: null,
    });
    const person = mapPerson({
      ...rows,
      affiliations: [
        ...rows.affiliations,
        staffRow('c0000000-0000-4000-8000-000000000005', '2024-08-01'),
        staffRow('c0000000-0000-4000-8000-000000000005', '2019-08-01'),
      ],
      populations: [],
    });
    expect(person.affiliations).toEqual([
      {
        schoolKey: 'a0000000-0000-4000-8000-000000000004',
        population: 'pupil',
        level: 10,
        transportRight: false,
        begin: '2016-08-18',
        end: '2025-06-20',
      },
      {
        schoolKey: 'c0000000-0000-4000-8000-000000000005',
        population: 'pupil',
        level: 11,
        transportRight: true,
        begin: '2025-08-18',
      },
      { schoolKey: 'c0000000-0000-4000-8000-000000000005', population: 'staff', begin: '2019-08-01' },
      { schoolKey: 'c0000000-0000-4000-8000-000000000005', population: 'staff', begin: '2024-08-01' },
    ]);
    // An affiliation makes its population even with no membership or guardianship behind it.
    expect(person.populations).toEqual(['pupil', 'staff']);
  });

  it('gives a person without enrolment or employment no affiliations', () => {
    const guardian = mapPerson({ ...rows, guardians: [], affiliations: [], populations: ['guardian'] });
    expect(guardian.affiliations).toEqual([]);
    expect(guardian.populations).toEqual(['guardian']);
  });

  it('fails with PIFU_SOURCE_INVALID on an affiliation of an unknown population', () => {
    const broken = {
      ...rows,
      affiliations: [{ ...rows.affiliations[0], population: 'guardian' }] as PersonRows['affiliations'],
    };
    expect(() => mapPerson(broken)).toThrow(expect.objectContaining({ code: 'PIFU_SOURCE_INVALID' }));
  });

  it('fails with PIFU_SOURCE_INVALID naming the key and column, never the personal value', () => {
    const broken = { ...rows, person: { ...rows.person, gender: 'x-unknown-code' } };
    expect(() => mapPerson(broken)).toThrow(
      expect.objectContaining({
        code: 'PIFU_SOURCE_INVALID',
        message: expect.stringContaining(rows.person.id),
      }),
    );
    try {
      mapPerson(broken);
    } catch (error) {
      expect(String(error)).not.toContain('x-unknown-code');
      expect(String(error)).not.toContain("O'Brien");
    }
  });
});
