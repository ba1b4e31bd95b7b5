import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Group, Roster } from '../../../src/model/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { sampleGroup } from '../pifu/feed-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { collect } from '../../helpers/collect.js';

function rosterOf(groups: readonly Group[]): Roster {
  return {
    properties: { source: 'pifu-hub', snapshotAt: '2026-11-23T02:00:00Z' },
    persons: async function* () {},
    groups: async function* () {
      yield* groups;
    },
    memberships: async function* () {},
  };
}

/** Every recipient's view of a run reads the spool's groups twice; they are decoded once per process. */
describe('the run spool’s shared groups', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir('pifu-shared-groups-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const groups = Array.from({ length: 2_000 }, (_, i) =>
    sampleGroup({
      key: `g-${String(i).padStart(5, '0')}`,
      shortName: `Gruppe ${i} ÆØÅ`,
      identifiers: [{ type: 'organizationNumber', value: String(900_000_000 + i) }],
    }),
  );

  it('hands every reader, and every open of the same spool, the same decoded groups, frozen', async () => {
    await writeRosterSpool(rosterOf(groups), join(dir, 'roster'));
    const first = await collect((await openRosterSpool(join(dir, 'roster'))).groups());
    const again = await collect((await openRosterSpool(join(dir, 'roster'))).groups());
    expect(first).toEqual(groups);
    // The very same objects: decoded once, not once per recipient.
    expect(again.every((group, i) => group === first[i])).toBe(true);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(Object.isFrozen(first[0]?.identifiers[0])).toBe(true);
    expect(() => {
      (first[0] as { shortName: string }).shortName = 'changed';
    }).toThrow(TypeError);
  });

  it('decodes a spool written again under the same path afresh, never serving the last one’s groups', async () => {
    await writeRosterSpool(rosterOf(groups), join(dir, 'roster'));
    expect(await collect((await openRosterSpool(join(dir, 'roster'))).groups())).toEqual(groups);
    const renamed = groups.map((group) => ({ ...group, shortName: `${group.shortName} (ny)` }));
    await writeRosterSpool(rosterOf(renamed), join(dir, 'roster'));
    expect(await collect((await openRosterSpool(join(dir, 'roster'))).groups())).toEqual(renamed);
  });
});
