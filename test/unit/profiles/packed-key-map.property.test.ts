import fc from 'fast-check';
import { compareKeys } from '../../../src/model/index.js';
import { InOrderLookup } from '../../../src/profiles/in-order-lookup.js';
import {
  formatKey,
  PackedKeyMap,
  packLinks,
  packPersons,
  parseKey,
} from '../../../src/profiles/packed-key-map.js';

/** Keys as the hub's are (lower-case uuids), now and then one that is not. */
const uuidKeys = fc.uniqueArray(
  fc.uuid().map((key) => key.toLowerCase()),
  { maxLength: 60 },
);
const otherKey = fc.oneof(
  fc.string({ maxLength: 40 }),
  // Upper case, so not a key a packed map takes: a uuid of digits only reads the same either way.
  fc
    .uuid()
    .map((key) => key.toUpperCase())
    .filter((key) => key !== key.toLowerCase()),
  fc.uuid().map((key) => `${key.slice(0, 8)}_${key.slice(9)}`),
);
const asked = fc.array(
  fc.oneof(
    fc.uuid().map((key) => key.toLowerCase()),
    otherKey,
  ),
  { maxLength: 30 },
);

const sorted = (keys: readonly string[]): string[] => [...keys].sort(compareKeys);

describe('a packed pass map (PackedKeyMap)', () => {
  it('gives back every uuid it packs, whatever its 128 bits', () => {
    // Any bits, not only the ones fc.uuid's versions and variants leave free: each word's top bit too.
    const anyUuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => {
      const hex = Buffer.from(bytes).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    });
    fc.assert(
      fc.property(anyUuid, fc.nat({ max: 3 }), (key, slot) => {
        const words = new Uint32Array(16);
        expect(parseKey(key, words, slot * 4)).toBe(true);
        expect(formatKey(words, slot * 4)).toBe(key);
        expect([...packPersons(new Map([[key, 1]])).keys()]).toEqual([key]);
      }),
    );
  });

  it('answers exactly what the role flags map it was packed from answers', () => {
    fc.assert(
      fc.property(uuidKeys, asked, fc.array(fc.integer({ min: 0, max: 31 })), (keys, questions, flags) => {
        const map = new Map(sorted(keys).map((key, index) => [key, flags[index] ?? 1]));
        const packed = packPersons(map);
        expect(packed).toBeInstanceOf(PackedKeyMap);
        expect(packed.size).toBe(map.size);
        expect([...packed]).toEqual([...map]);
        expect([...packed.keys()]).toEqual([...map.keys()]);
        expect([...packed.values()]).toEqual([...map.values()]);
        for (const key of [...questions, ...keys]) {
          expect([packed.get(key), packed.has(key)]).toEqual([map.get(key), map.has(key)]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answers exactly what the links map it was packed from answers', () => {
    const links = fc
      .tuple(
        uuidKeys,
        fc.uniqueArray(
          fc.uuid().map((key) => key.toLowerCase()),
          { minLength: 1, maxLength: 6 },
        ),
      )
      .chain(([pupils, guardians]) =>
        fc.tuple(
          fc.constant(sorted(pupils)),
          fc.array(fc.subarray(guardians, { minLength: 1 }), {
            minLength: pupils.length,
            maxLength: pupils.length,
          }),
        ),
      );
    fc.assert(
      fc.property(links, asked, ([pupils, guardians], questions) => {
        const map = new Map(pupils.map((pupil, index) => [pupil, (guardians[index] ?? []).join('\u0001')]));
        const packed = packLinks(map);
        expect(packed).toBeInstanceOf(PackedKeyMap);
        expect([...packed]).toEqual([...map]);
        for (const key of [...questions, ...pupils]) expect(packed.get(key)).toBe(map.get(key));
      }),
      { numRuns: 300 },
    );
  });

  it('is not made of a map with another key, a link to one, or keys out of canonical order', () => {
    fc.assert(
      fc.property(uuidKeys, otherKey, (keys, other) => {
        const withOther = new Map(sorted([...keys, other]).map((key) => [key, 1]));
        expect(packPersons(withOther)).toBe(withOther);
        if (keys.length >= 2) {
          const reversed = new Map(
            sorted(keys)
              .reverse()
              .map((key) => [key, 1]),
          );
          expect(packPersons(reversed)).toBe(reversed);
        }
        const links = new Map(sorted(keys).map((key) => [key, other]));
        if (keys.length > 0) expect(packLinks(links)).toBe(links);
      }),
      { numRuns: 200 },
    );
    const outOfRange = new Map([['3f6c2a9e-1b4d-4c8e-9a7f-0d2e5b6c7a81', 256]]);
    expect(packPersons(outOfRange)).toBe(outOfRange);
  });

  it('is walked by InOrderLookup with the same answers, asked in order, out of order or again', () => {
    fc.assert(
      fc.property(uuidKeys, asked, fc.boolean(), (keys, questions, sortAsked) => {
        const map = new Map(sorted(keys).map((key, index) => [key, index % 32]));
        const all = [...questions, ...keys];
        const lookup = new InOrderLookup(packPersons(map));
        for (const key of sortAsked ? sorted(all) : all) expect(lookup.get(key)).toBe(map.get(key));
      }),
      { numRuns: 300 },
    );
  });
});
