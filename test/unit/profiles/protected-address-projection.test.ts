import type { Person, Roster } from '../../../src/model/index.js';
import { resolveProfile, viewThroughProfile, type DisclosedPerson } from '../../../src/profiles/index.js';
import { owner, samplePerson, school } from '../pifu/feed-fixture.js';

function rosterOf(persons: readonly Person[]): Roster {
  return {
    properties: { source: 'pifu-hub', snapshotAt: '2025-03-01T02:00:00Z' },
    persons: async function* () {
      yield* persons;
    },
    groups: async function* () {
      yield* [owner, school];
    },
    memberships: async function* () {},
  };
}

/**
 * What a person may carry is decided once per role combination in a view (not once per person), so the
 * one other input, a protected address (R9), must still tell persons of the same roles apart.
 */
describe('fields by role in a view', () => {
  const pupil = (key: string, addressProtection: Person['addressProtection']): Person =>
    samplePerson({ key, addressProtection, guardians: [] });

  async function persons(roster: Person[]): Promise<Map<string, DisclosedPerson>> {
    const { profile } = resolveProfile('sms');
    const view = await viewThroughProfile(rosterOf(roster), profile, { scopeDate: '2025-03-01' });
    const seen = new Map<string, DisclosedPerson>();
    for await (const person of view.persons()) seen.set(person.personKey, person);
    return seen;
  }

  it('sends no address or contact data of a pupil with a protected address after a pupil without one', async () => {
    const seen = await persons([pupil('p-1', 'none'), pupil('p-2', 'confidential'), pupil('p-3', 'none')]);
    for (const key of ['p-1', 'p-3']) expect(seen.get(key)?.person.phones.length).toBeGreaterThan(0);
    const hidden = seen.get('p-2')?.person;
    expect(hidden).toBeDefined();
    expect(hidden?.phones).toEqual([]);
    expect(hidden?.emails).toEqual([]);
    expect(hidden?.addresses).toEqual([]);
  });

  it('sends the contact data of a pupil without protection after a pupil with it', async () => {
    const seen = await persons([pupil('p-1', 'confidential'), pupil('p-2', 'none')]);
    expect(seen.get('p-1')?.person.phones).toEqual([]);
    expect(seen.get('p-2')?.person.phones.length).toBeGreaterThan(0);
  });
});
