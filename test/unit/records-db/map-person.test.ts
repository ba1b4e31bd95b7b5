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
    { guardian_id: 'f0000000-0000-4000-8000-000000000002', has_parental_responsibility: true },
    { guardian_id: '10000000-0000-4000-8000-000000000003', has_parental_responsibility: false },
  ],
  populations: ['pupil', 'pupil'],
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
