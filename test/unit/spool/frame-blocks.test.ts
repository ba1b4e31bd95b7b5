import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Person, Roster } from '../../../src/model/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { sampleGroup, sampleMembership, samplePerson } from '../pifu/feed-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { collect } from '../../helpers/collect.js';

/** Frames are encoded in place into blocks of ~256 KiB; a frame bigger than a block grows it. */
describe('the run spool’s frame blocks', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir('pifu-frame-blocks-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back every person as written, across block ends, multi-byte text and a frame of megabytes', async () => {
    const persons: Person[] = [];
    for (let i = 0; i < 3_000; i++) {
      const key = `p-${String(i).padStart(6, '0')}`;
      // Every 1,000th person is bigger than a whole block; the others have multi-byte names.
      const given = i % 1_000 === 999 ? 'Å'.repeat(700_000) : `Ærlig Øyvind ${'å'.repeat(i % 300)} 🙂`;
      persons.push(samplePerson({ key, name: { given, family: 'Bråten' } }));
    }
    const roster: Roster = {
      properties: { source: 'pifu-hub', snapshotAt: '2026-11-23T02:00:00Z' },
      persons: async function* () {
        yield* persons;
      },
      groups: async function* () {
        yield sampleGroup({ key: 'g-1' });
      },
      memberships: async function* () {
        yield sampleMembership({ groupKey: 'g-1', personKey: 'p-000001' });
      },
    };
    await writeRosterSpool(roster, join(dir, 'roster'));
    const spool = await openRosterSpool(join(dir, 'roster'));
    const read = await collect(spool.persons());
    expect(read.length).toBe(persons.length);
    expect(read.map((person) => JSON.stringify(person))).toEqual(
      persons.map((person) => JSON.stringify(person)),
    );
    expect((await collect(spool.personFacts())).map((facts) => facts.key)).toEqual(persons.map((p) => p.key));
  }, 60_000);

  it('skips undecoded the facts of persons in none of the populations asked for', async () => {
    const populations: Person['populations'][] = [
      [],
      ['pupil'],
      ['staff'],
      ['guardian'],
      ['guardian', 'staff'],
    ];
    // A key that spells the field it is looked up by does not fool the reader: JSON escapes its quotes.
    const persons = populations.map((listed, i) =>
      samplePerson({ key: `p${i}"populations":["staff"]`, populations: listed }),
    );
    const roster: Roster = {
      properties: { source: 'pifu-hub', snapshotAt: '2026-11-23T02:00:00Z' },
      persons: async function* () {
        yield* persons;
      },
      groups: async function* () {},
      memberships: async function* () {},
    };
    await writeRosterSpool(roster, join(dir, 'roster'));
    const spool = await openRosterSpool(join(dir, 'roster'));
    const keysIn = async (wanted?: Person['populations']) =>
      (await collect(spool.personFacts(wanted))).map((facts) => facts.key.slice(0, 2));
    expect(await keysIn()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(await keysIn(['staff'])).toEqual(['p2', 'p4']);
    expect(await keysIn(['pupil', 'staff'])).toEqual(['p1', 'p2', 'p4']);
    expect(await keysIn(['pupil', 'staff', 'guardian'])).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(await keysIn(['guardian'])).toEqual(['p3', 'p4']);
  });
});
