import { hash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Person, Roster } from '../../../src/model/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { PersonDigests } from '../../../src/spool/shared-digests.js';
import { samplePerson } from '../pifu/feed-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

function rosterOf(persons: readonly Person[]): Roster {
  return {
    properties: { source: 'pifu-hub', snapshotAt: '2026-11-23T02:00:00Z' },
    persons: async function* () {
      yield* persons;
    },
    groups: async function* () {},
    memberships: async function* () {},
  };
}

const digestOf = (person: Person): string => hash('sha256', JSON.stringify(person), 'base64');

/** Each view of a run digests its persons' records; the digests are computed once per spool and process. */
describe('the run spool’s shared person digests', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir('pifu-shared-digests-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Enough persons to fill several read blocks (1 MiB), so positions carry across blocks.
  const persons = Array.from({ length: 3_000 }, (_, i) =>
    samplePerson({
      key: `p-${String(i).padStart(5, '0')}`,
      name: { given: `Åse ${i}`, family: 'Ødegård'.repeat(1 + (i % 40)) },
    }),
  );

  async function digests(keep: (personKey: string) => boolean): Promise<{ key: string; digest: string }[]> {
    const spool = await openRosterSpool(join(dir, 'roster'));
    const read: { key: string; digest: string }[] = [];
    // A frame is valid until the next is read: digested as it passes.
    for await (const frame of spool.personFramesWhere?.(keep) ?? []) {
      read.push({ key: frame.key, digest: frame.digest() });
    }
    return read;
  }

  it('gives each person the digest of their own record, whichever persons a view reads first', async () => {
    await writeRosterSpool(rosterOf(persons), join(dir, 'roster'));
    const everyThird = (key: string) => Number(key.slice(2)) % 3 === 0;
    // The first view reads a third of the persons; the next ones every person, then every other one.
    for (const keep of [everyThird, () => true, (key: string) => Number(key.slice(2)) % 2 === 1]) {
      const read = await digests(keep);
      const expected = persons.filter((person) => keep(person.key));
      expect(read.map(({ key }) => key)).toEqual(expected.map((person) => person.key));
      expect(read.map(({ digest }) => digest)).toEqual(expected.map(digestOf));
    }
  });

  it('digests a spool written again under the same path afresh, never serving the last one’s', async () => {
    await writeRosterSpool(rosterOf(persons), join(dir, 'roster'));
    expect((await digests(() => true)).map(({ digest }) => digest)).toEqual(persons.map(digestOf));
    const moved = persons.map((person) => ({ ...person, birthDate: '2013-01-02' }));
    await writeRosterSpool(rosterOf(moved), join(dir, 'roster'));
    expect((await digests(() => true)).map(({ digest }) => digest)).toEqual(moved.map(digestOf));
  });

  it('hashes the record at a position once, and answers with that digest after', () => {
    const table = new PersonDigests();
    const first = Buffer.from('{"key":"p-1"}');
    expect(table.digest(4_000, first)).toBe(hash('sha256', first, 'base64'));
    // The bytes are not hashed again: what a later view hands in for the same position is never read.
    expect(table.digest(4_000, Buffer.from('{"key":"p-2"}'))).toBe(hash('sha256', first, 'base64'));
    expect(table.digest(3, Buffer.from('{"key":"p-2"}'))).toBe(
      hash('sha256', Buffer.from('{"key":"p-2"}'), 'base64'),
    );
  });
});
