import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Group, Person, Roster } from '../../../src/model/index.js';
import { resolveProfile } from '../../../src/profiles/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { applyFeed, expectSameHolding } from '../../helpers/recipient-holding.js';
import {
  profileArbitrary,
  rosterArrays,
  rosterOf,
  snapshotDay,
  type RosterArrays,
} from '../profiles/profile-arbitraries.js';
import { HeldState, exportOnce, type Exported } from './input-hash-state.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/**
 * Issue 14: a delta reuses the held content hash of a person whose input hash it holds, without
 * decoding or projecting them. It must send exactly what a delta that projects everybody sends: a
 * person whose own record is unchanged can still change through others (their guardians, what decides
 * their roles) or through the day, and none of that may be missed.
 */

const dir = scratchDir('pifu-input-hash-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let spools = 0;

/** The roster as a run spool (the frames a feed job reads), so reuse digests the encoded records. */
async function spooled(arrays: RosterArrays): Promise<Roster> {
  const spoolDir = join(dir, `roster-${spools++}`);
  await writeRosterSpool(rosterOf(arrays), spoolDir);
  return openRosterSpool(spoolDir);
}

/**
 * A full of `before`, acknowledged, then a delta of `after`: once from the state with input hashes
 * (reusing) and once from the same state without them (projecting everybody, as before issue 14).
 */
async function deltaBothWays(
  before: RosterArrays,
  after: RosterArrays,
  profile = resolveProfile('sms').profile,
  days: { before?: string; after?: string } = {},
): Promise<{ reusing: Exported; projecting: Exported }> {
  const state = new HeldState();
  await exportOnce(await spooled(before), profile, state, 'full', { scopeDate: days.before ?? snapshotDay });
  const plain = state.withoutInputHashes();
  const roster = await spooled(after);
  const scopeDate = days.after ?? snapshotDay;
  const reusing = await exportOnce(roster, profile, state, 'delta', { scopeDate });
  const projecting = await exportOnce(roster, profile, plain, 'delta', { scopeDate });
  expect(projecting.reused).toEqual([]);
  expect(reusing.xml).toBe(projecting.xml);
  expect(reusing.counts).toMatchObject(projecting.counts);
  // Acknowledged, both leave the same state, input hashes included (the unchanged are restated).
  expect(state.entries()).toEqual(plain.entries());
  return { reusing, projecting };
}

const school: Group = {
  key: 's1',
  type: 'skole',
  parentKey: 's1',
  schoolKey: 's1',
  shortName: 'School',
  identifiers: [{ type: 'organizationNumber', value: '911111111' }],
  schoolTypes: ['barneskole'],
};

const person = (key: string, changes: Partial<Person>): Person => ({
  key,
  populations: [],
  name: { given: `Given${key}`, family: `Family${key}` },
  status: 'active',
  addressProtection: 'none',
  identifiers: [],
  emails: [{ kind: 'private', address: `${key}@mail.example.org`, priority: 1 }],
  phones: [{ kind: 'mobilePrivate', number: '+4779000000', priority: 1 }],
  addresses: [],
  guardians: [],
  affiliations: [],
  ...changes,
});

const link = (guardianKey: string) => ({
  guardianKey,
  hasParentalResponsibility: true,
  parentAccessConsent: true,
});
const at = (population: 'pupil' | 'staff') => ({
  schoolKey: 's1',
  population,
  ...(population === 'pupil' ? { level: 5 } : {}),
  begin: '2024-08-15',
});

/** A pupil turning 18 the day after the snapshot, two guardians (one also staff), one other staff. */
const pupil = person('p001', {
  populations: ['pupil'],
  birthDate: '2007-03-02',
  guardians: [link('p002'), link('p003')],
  affiliations: [at('pupil')],
});
const guardian = person('p002', { populations: ['guardian'] });
const staffGuardian = person('p003', { populations: ['guardian', 'staff'], affiliations: [at('staff')] });
const staff = person('p004', { populations: ['staff'], affiliations: [at('staff')] });
const roster = (persons: Person[]): RosterArrays => ({ persons, groups: [school], memberships: [] });
const before = roster([pupil, guardian, staffGuardian, staff]);

describe('a delta reusing held persons by input hash', () => {
  it('reuses everyone when nothing changed', async () => {
    const { reusing } = await deltaBothWays(before, before);
    expect(reusing.reused).toEqual(['p001', 'p002', 'p003', 'p004']);
    expect(reusing.counts).toMatchObject({ added: 0, changed: 0, deleted: 0 });
  });

  it('projects a pupil again when only a guardian changed (the link no longer survives)', async () => {
    const after = roster([pupil, { ...guardian, status: 'inactive' }, staffGuardian, staff]);
    const { reusing } = await deltaBothWays(before, after);
    expect(reusing.reused).toEqual(['p003', 'p004']);
    // The pupil loses the guardian link, the guardian leaves the view.
    expect(reusing.counts).toMatchObject({ added: 0, changed: 1, deleted: 1 });
  });

  it('projects a guardian again whose roles changed through a pupil alone', async () => {
    const after = roster([{ ...pupil, status: 'inactive' }, guardian, staffGuardian, staff]);
    const { reusing } = await deltaBothWays(before, after);
    expect(reusing.reused).toEqual(['p004']);
    // p003 stays as staff without the guardian's fields; the pupil and p002 leave.
    expect(reusing.counts).toMatchObject({ added: 0, changed: 1, deleted: 2 });
  });

  it('projects a pupil again when only the day changed (an adult has no links)', async () => {
    const { reusing } = await deltaBothWays(before, before, undefined, { after: '2025-03-02' });
    expect(reusing.reused).toEqual(['p004']);
    expect(reusing.counts).toMatchObject({ added: 0, changed: 2, deleted: 1 });
  });

  it('projects everyone again under another profile', async () => {
    const state = new HeldState();
    await exportOnce(await spooled(before), resolveProfile('sms').profile, state, 'full');
    const narrower = resolveProfile('sms', { staffFields: ['name'] }).profile;
    const delta = await exportOnce(await spooled(before), narrower, state, 'delta');
    expect(delta.reused).toEqual([]);
  });

  it('sends what projecting everybody sends, whatever changed: records, groups, memberships, the day', async () => {
    const pick = <T>(flags: readonly boolean[], a: readonly T[], b: readonly T[]): T[] =>
      Array.from({ length: Math.max(a.length, b.length) }, (_, i) =>
        (flags[i] ?? false) ? b[i] : a[i],
      ).filter((item): item is T => item !== undefined);
    await fc.assert(
      fc.asyncProperty(
        rosterArrays(),
        rosterArrays(),
        profileArbitrary(),
        fc.array(fc.boolean(), { maxLength: 14 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(snapshotDay, '2025-03-02', '2025-09-01'),
        async (a, b, { profile }, personFlags, newGroups, newMemberships, day) => {
          const persons = pick(personFlags, a.persons, b.persons).sort((x, y) => (x.key < y.key ? -1 : 1));
          const mixed: RosterArrays = {
            persons,
            groups: newGroups ? b.groups : a.groups,
            memberships: newMemberships ? b.memberships : a.memberships,
          };
          const { reusing } = await deltaBothWays(a, mixed, profile, { after: day });
          // And applied to what the full left, the delta gives what a fresh full gives.
          const full = await exportOnce(rosterOf(a), profile, new HeldState(), 'full', {
            scopeDate: snapshotDay,
          });
          const fresh = await exportOnce(rosterOf(mixed), profile, new HeldState(), 'full', {
            scopeDate: day,
          });
          expectSameHolding(
            await applyFeed(await applyFeed(undefined, full.xml), reusing.xml),
            await applyFeed(undefined, fresh.xml),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
