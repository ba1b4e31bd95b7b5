import fc from 'fast-check';
import { compareKeys } from '../../../src/model/index.js';
import { PackedKeyMap } from '../../../src/profiles/packed-key-map.js';
import { PersonFlagsBuilder, WantedKeys } from '../../../src/profiles/person-flags-builder.js';

const uuid = fc.uuid().map((key) => key.toLowerCase());
/** Mostly the hub's keys (uuids), now and then another (a pass over other keys stays a Map). */
const key = fc.oneof({ weight: 9, arbitrary: uuid }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });

/** What RecipientScope.closePersons settles a person's flags to (8: candidate, 4: guardian). */
const settleFlags = (flags: number, wanted: boolean): number =>
  (flags & 8) === 0 ? flags : (flags & ~8) | (wanted ? 4 : 0);

describe('a pass’s role flags as they are filled (PersonFlagsBuilder)', () => {
  it('answers and settles exactly as a Map of the same entries and a Set of the wanted keys', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: 50 }),
        fc.array(fc.integer({ min: 0, max: 31 })),
        fc.array(fc.oneof(key, fc.nat()), { maxLength: 40 }),
        fc.boolean(),
        fc.array(key, { maxLength: 20 }),
        (keys, flags, wantedPicks, inOrder, asked) => {
          const ordered = inOrder ? [...keys].sort(compareKeys) : keys;
          const builder = new PersonFlagsBuilder();
          const map = new Map<string, number>();
          ordered.forEach((each, index) => {
            const value = flags[index] ?? 9;
            builder.set(each, value);
            map.set(each, value);
          });
          for (const each of [...asked, ...ordered]) expect(builder.get(each)).toBe(map.get(each));
          expect(builder.size).toBe(map.size);
          // Wanted: some of the persons (by position), some others, duplicates.
          const wanted = new WantedKeys();
          const wantedSet = new Set<string>();
          for (const pick of wantedPicks) {
            const wantedKey = typeof pick === 'number' ? ordered[pick % Math.max(1, ordered.length)] : pick;
            if (wantedKey === undefined) continue;
            wanted.add(wantedKey);
            wantedSet.add(wantedKey);
          }
          const expected = new Map<string, number>();
          for (const [each, value] of map) {
            const settled = settleFlags(value, wantedSet.has(each));
            if (settled !== 0) expected.set(each, settled);
          }
          const settled = builder.settle(wanted, settleFlags);
          expect([...settled]).toEqual([...expected]);
          for (const each of [...asked, ...ordered]) expect(settled.get(each)).toBe(expected.get(each));
          const uuids = ordered.every((each) => /^[0-9a-f-]{36}$/.test(each));
          const wantedUuids = [...wantedSet].every((each) => /^[0-9a-f-]{36}$/.test(each));
          // Packed while filled in canonical order with the hub's keys alone.
          if (inOrder && uuids && wantedUuids) expect(settled).toBeInstanceOf(PackedKeyMap);
        },
      ),
      { numRuns: 500 },
    );
  });
});
