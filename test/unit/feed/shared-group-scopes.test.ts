import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDerivation, sharedGroupScope } from '../../../src/feed/shared-group-scopes.js';
import type { Group, Roster } from '../../../src/model/index.js';
import { GroupScope, resolveProfile, type Profile } from '../../../src/profiles/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { sampleGroup } from '../pifu/feed-fixture.js';
import { rosterOf } from '../profiles/profile-arbitraries.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** A roster of these groups alone. */
const groupsRoster = (groups: readonly Group[]): Roster =>
  rosterOf({ persons: [], groups: [...groups], memberships: [] });

const on = '2026-11-23';
const term = { begin: '2026-08-15', end: '2027-06-20', adminPeriod: '2026/2027' };
const school = sampleGroup({ key: 'g-school', type: 'skole', parentKey: 'g-owner', timeframe: term });
const owner = sampleGroup({ key: 'g-owner', type: 'skoleeier', parentKey: 'g-owner', timeframe: term });
const classes = Array.from({ length: 50 }, (_, i) =>
  sampleGroup({ key: `g-class-${String(i).padStart(3, '0')}`, shortName: `${i}A`, timeframe: term }),
);
const groups = [owner, school, ...classes];

/** What a scope says of every group: its parent in view (undefined: out of view). */
const parents = (scope: GroupScope, of: readonly Group[]) => of.map((group) => scope.parentOf(group.key));

/** The pass over a spool's groups is made once per group scope and day, per groups file as it is. */
describe('group scopes shared across a run’s recipients', () => {
  let dir: string;
  const lms = resolveProfile('lms').profile;
  const sms = resolveProfile('sms').profile;
  beforeEach(() => {
    dir = scratchDir('pifu-shared-group-scopes-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands recipients of one group scope the same closed scope, and another scope its own', async () => {
    await writeRosterSpool(groupsRoster(groups), join(dir, 'roster'));
    const roster = await openRosterSpool(join(dir, 'roster'));
    const scope = (profile: Profile, day = on) =>
      sharedGroupScope(join(dir, 'roster'), () => roster.groups(), profile, day);
    const first = await scope(lms);
    // Settings the groups do not depend on (here the persons' populations) share the scope.
    expect(await scope({ ...lms, populations: ['staff'] })).toBe(first);
    expect(await scope(sms)).not.toBe(first);
    expect(await scope(lms, '2027-08-01')).not.toBe(first);
    expect(first.closed).toBe(true);
    const own = new GroupScope(lms, on);
    for (const group of groups) own.addGroup(group);
    own.closeGroups();
    expect(parents(first, groups)).toEqual(parents(own, groups));
    expect(first.orgUnits()).toEqual(own.orgUnits());
    expect(() => first.addGroup(sampleGroup({ key: 'g-late' }))).toThrow(TypeError);
  });

  it('makes the scope again for a spool written again under the same path, never the last one’s', async () => {
    const path = join(dir, 'roster');
    await writeRosterSpool(groupsRoster(groups), path);
    const before = await sharedGroupScope(path, () => groupsRoster(groups).groups(), lms, on);
    expect(before.parentOf('g-class-007')).toBe('g-school');
    // The class becomes a group type the profile does not send: out of view in the new spool.
    const rewritten = groups.map((group) =>
      group.key === 'g-class-007' ? { ...group, type: 'foresattegruppe' as const } : group,
    );
    await writeRosterSpool(groupsRoster(rewritten), path);
    const roster = await openRosterSpool(path);
    const after = await sharedGroupScope(path, () => roster.groups(), lms, on);
    expect(after).not.toBe(before);
    expect(after.parentOf('g-class-007')).toBeUndefined();
  });

  it('derives once per comparison and group scope, and again for another comparison or a rewritten spool', async () => {
    const path = join(dir, 'roster');
    await writeRosterSpool(groupsRoster(groups), path);
    let made = 0;
    const make = async () => ++made;
    const diff = {};
    expect(await sharedDerivation(path, diff, 'scope-a', make)).toBe(1);
    expect(await sharedDerivation(path, diff, 'scope-a', make)).toBe(1);
    expect(await sharedDerivation(path, diff, 'scope-b', make)).toBe(2);
    expect(await sharedDerivation(path, {}, 'scope-a', make)).toBe(3);
    await writeRosterSpool(groupsRoster(classes.slice(1)), path);
    expect(await sharedDerivation(path, diff, 'scope-a', make)).toBe(4);
  });

  it('keeps no failed derivation: the next caller makes it again', async () => {
    const path = join(dir, 'roster');
    await writeRosterSpool(groupsRoster(groups), path);
    const diff = {};
    await expect(
      sharedDerivation(path, diff, 'a', () => Promise.reject(new Error('failed'))),
    ).rejects.toThrow('failed');
    expect(await sharedDerivation(path, diff, 'a', async () => 'made')).toBe('made');
  });
});
