import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  batched,
  batchesOf,
  streamOfBatches,
  type Group,
  type Membership,
  type Person,
  type Roster,
} from '../../../src/model/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { sampleGroup, sampleMembership, samplePerson } from '../pifu/feed-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';
import { collect } from '../../helpers/collect.js';

async function* streamOf<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

const numbers = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('a stream a batch at a time', () => {
  it('cuts a stream into arrays of the size asked, in order, the last one shorter', async () => {
    const batches = await collect(batchesOf(streamOf(numbers(2_503)), 1_000));
    expect(batches.map((batch) => batch.length)).toEqual([1_000, 1_000, 503]);
    expect(batches.flat()).toEqual(numbers(2_503));
    expect(await collect(batchesOf(streamOf(numbers(6)), 3))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(await collect(batchesOf(streamOf(numbers(3)), 1))).toEqual([[0], [1], [2]]);
  });

  it('gives nothing, not an empty batch, for an empty stream', async () => {
    expect(await collect(batchesOf(streamOf([]), 10))).toEqual([]);
  });

  it('hands each batch over as a new array a consumer may keep', async () => {
    const batches = await collect(batchesOf(streamOf(numbers(9)), 4));
    expect(batches).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8]]);
    expect(new Set(batches).size).toBe(3);
  });

  it('refuses a size that is not a positive integer', async () => {
    for (const size of [0, -1, 1.5, Number.NaN])
      await expect(collect(batchesOf(streamOf([1]), size))).rejects.toThrow(RangeError);
  });

  it('passes a failure of the stream on after the whole batches before it', async () => {
    const failure = new Error('source went away');
    async function* failing(): AsyncGenerator<number> {
      yield* numbers(5);
      throw failure;
    }
    const seen: number[][] = [];
    await expect(
      (async () => {
        for await (const batch of batchesOf(failing(), 2)) seen.push(batch);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('stops the stream when the consumer stops', async () => {
    let stopped = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        stopped = true;
      }
    }
    for await (const batch of batchesOf(endless(), 3)) {
      expect(batch).toEqual([0, 1, 2]);
      break;
    }
    expect(stopped).toBe(true);
  });

  it('reads a stream of batches item by item, in order, or in its own batches', async () => {
    const read = async function* (): AsyncGenerator<number[]> {
      yield [0, 1];
      yield [];
      yield [2];
    };
    expect(await collect(streamOfBatches(read))).toEqual([0, 1, 2]);
    expect(await collect(streamOfBatches(read).batches())).toEqual([[0, 1], [], [2]]);
    // A stream that has its own batches keeps them; any other is cut to the size asked.
    expect(await collect(batched(streamOfBatches(read), 100))).toEqual([[0, 1], [], [2]]);
    expect(await collect(batched(streamOf(numbers(5)), 2))).toEqual([[0, 1], [2, 3], [4]]);
  });
});

describe('the run spool writer and a roster that gives batches', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir('pifu-stream-batches-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const persons: Person[] = numbers(30).map((i) => samplePerson({ key: `p-${String(i).padStart(3, '0')}` }));
  const groups: Group[] = numbers(7).map((i) => sampleGroup({ key: `g-${i}` }));
  const memberships: Membership[] = groups.flatMap((group) =>
    persons.map((person) => sampleMembership({ groupKey: group.key, personKey: person.key })),
  );
  const properties = { source: 'pifu-hub', snapshotAt: '2026-11-23T02:00:00Z' };

  const bytesOf = (spool: string): Record<string, string> =>
    Object.fromEntries(
      readdirSync(spool)
        .sort()
        .map((file) => [file, readFileSync(join(spool, file)).toString('base64')]),
    );

  it('takes a stream that comes in batches in its batches, and writes the same bytes as item by item', async () => {
    const streamed: Roster = {
      properties,
      persons: () => streamOf(persons),
      groups: () => streamOf(groups),
      memberships: () => streamOf(memberships),
    };
    const refuse = async function* (): AsyncGenerator<never> {
      yield* [];
      throw new Error('read one by one although the stream comes in batches');
    };
    const inBatches = <T>(batches: (readonly T[])[]) => ({
      batches: () => streamOf(batches),
      [Symbol.asyncIterator]: refuse,
    });
    const batchedRoster: Roster = {
      properties,
      persons: () => inBatches([persons.slice(0, 3), persons.slice(3)]),
      // Uneven batches, one of them empty, cut across groups.
      groups: () => inBatches([groups.slice(0, 2), [], groups.slice(2)]),
      memberships: () =>
        inBatches([memberships.slice(0, 1), memberships.slice(1, 45), [], memberships.slice(45)]),
    };
    const countsStreamed = await writeRosterSpool(streamed, join(dir, 'streamed'));
    const countsBatched = await writeRosterSpool(batchedRoster, join(dir, 'batched'));
    expect(countsBatched).toEqual(countsStreamed);
    expect(countsBatched.memberships).toBe(memberships.length);
    expect(bytesOf(join(dir, 'batched'))).toEqual(bytesOf(join(dir, 'streamed')));
    const spool = await openRosterSpool(join(dir, 'batched'));
    expect(await collect(spool.memberships())).toEqual(memberships);
    expect(await collect(spool.groups())).toEqual(groups);
  });
});
