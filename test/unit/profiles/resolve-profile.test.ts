import fc from 'fast-check';
import {
  deniedReason,
  kindDefaults,
  listKeys,
  recipientKinds,
  pseudonymFor,
  resolveProfile,
  type ProfileSettings,
} from '../../../src/profiles/index.js';

describe('kind default profiles (docs/requirements.md#kinds)', () => {
  it('send personNIN to pupils or staff only where the kind default lists it', () => {
    const withNin = recipientKinds.filter(
      (kind) =>
        kindDefaults[kind].idTypes.includes('personNIN') ||
        kindDefaults[kind].staffIdTypes.includes('personNIN'),
    );
    expect(withNin.sort()).toEqual(['archive', 'directory', 'portal']);
    expect(recipientKinds.filter((kind) => kindDefaults[kind].guardianIdTypes.includes('personNIN'))).toEqual(
      ['lms'],
    );
  });

  it('let guardians in only through pupils, and only for the kinds that need them', () => {
    expect(Object.fromEntries(recipientKinds.map((kind) => [kind, kindDefaults[kind].guardians]))).toEqual({
      lms: 'consentedViaPupils',
      directory: 'none',
      archive: 'viaPupils',
      sms: 'viaPupils',
      assessment: 'none',
      portal: 'none',
      statistics: 'none',
      course: 'none',
      culture: 'none',
      analytics: 'none',
      transport: 'none',
      staff: 'none',
    });
    for (const kind of recipientKinds) expect(kindDefaults[kind].populations).not.toContain('guardian');
  });

  it('are active-only, exclude strictly confidential persons, and never name a deny-listed group type', () => {
    for (const kind of recipientKinds) {
      const profile = kindDefaults[kind];
      expect([kind, profile.activeOnly, profile.strictlyConfidential]).toEqual([kind, true, 'exclude']);
      for (const type of profile.groupTypes) expect(deniedReason(type)).toBeUndefined();
    }
  });

  it('give the transport kind only pupils with a transport right, and statistics no persons', () => {
    expect(kindDefaults.transport.pupilScope).toBe('transportRight');
    expect(kindDefaults.transport.fields).toEqual(['name', 'bday', 'adr.registered']);
    expect(kindDefaults.statistics.populations).toEqual([]);
  });

  it('resolve to themselves with no problems', () => {
    for (const kind of recipientKinds) {
      expect(resolveProfile(kind)).toEqual({ profile: kindDefaults[kind], widenings: [], problems: [] });
    }
  });
});

describe('resolveProfile', () => {
  it('never widens a list without an override: any accepted narrowing is a subset of the default', () => {
    const lists = fc.constantFrom(...recipientKinds).chain((kind) =>
      fc.tuple(
        fc.constant(kind),
        fc.record(
          Object.fromEntries(
            listKeys.map((key) => [
              key,
              // Values valid for the key (some kind's default has them), wider or not than this kind's.
              fc.subarray([
                ...new Set(recipientKinds.flatMap((other) => kindDefaults[other][key] as readonly string[])),
              ]),
            ]),
          ),
          { requiredKeys: [] },
        ),
      ),
    );
    fc.assert(
      fc.property(lists, ([kind, narrowing]) => {
        const { profile, problems, widenings } = resolveProfile(kind, narrowing as ProfileSettings);
        expect(widenings).toEqual([]);
        const widened = listKeys.flatMap((key) =>
          (profile[key] as readonly string[])
            .filter((value) => !(kindDefaults[kind][key] as readonly string[]).includes(value))
            .map((value) => `${key}.${value}`),
        );
        // Whatever went wider than the default was reported as a problem, so the config is refused.
        for (const wider of widened) {
          const [key] = wider.split('.');
          expect(problems.some((problem) => problem.path[1] === key)).toBe(true);
        }
      }),
    );
  });

  it('reports every widening an override makes, and only those', () => {
    const { profile, widenings, problems } = resolveProfile('assessment', undefined, {
      fields: ['name', 'bday'],
      strictlyConfidential: 'include',
      reason: 'The exam office needs birth dates to tell candidates apart',
    });
    expect(problems).toEqual([]);
    expect(widenings).toEqual(['fields+bday', 'strictlyConfidential=include']);
    expect(profile.fields).toEqual(['name', 'status', 'lang', 'bday']);
    expect(profile.strictlyConfidential).toBe('include');
  });
});

describe('pseudonymFor', () => {
  const secretA = new TextEncoder().encode('recipient A secret, thirty-two bytes or more');
  const secretB = new TextEncoder().encode('recipient B secret, thirty-two bytes or more');

  it('is stable for one recipient and unlinkable across recipients', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (key, other) => {
        expect(pseudonymFor(secretA, key)).toBe(pseudonymFor(secretA, key));
        expect(pseudonymFor(secretA, key)).not.toBe(pseudonymFor(secretB, key));
        expect(pseudonymFor(secretA, key)).toMatch(/^psn-[0-9a-f]{32}$/);
        if (key !== other) expect(pseudonymFor(secretA, key)).not.toBe(pseudonymFor(secretA, other));
        expect(pseudonymFor(secretA, key)).not.toContain(key.slice(0, 8));
      }),
    );
  });
});
