import fc from 'fast-check';
import { compareKeys } from '../../../src/model/index.js';
import { InOrderLookup } from '../../../src/profiles/in-order-lookup.js';

const keys = fc.array(fc.string({ maxLength: 4 }), { maxLength: 40 });

describe('InOrderLookup', () => {
  it('answers exactly what the map holds, asked in order, out of order or again', () => {
    fc.assert(
      fc.property(keys, keys, fc.boolean(), fc.boolean(), (stored, asked, sortStored, sortAsked) => {
        const entries = sortStored ? [...new Set(stored)].sort(compareKeys) : stored;
        const map = new Map(entries.map((key, index) => [key, index]));
        const questions = sortAsked ? [...asked, ...stored].sort(compareKeys) : [...asked, ...stored];
        const lookup = new InOrderLookup(map);
        for (const key of questions) expect(lookup.get(key)).toBe(map.get(key));
      }),
      { numRuns: 500 },
    );
  });

  it('walks a map in canonical order beside keys asked in that order', () => {
    const map = new Map([
      ['a', 1],
      ['c', 2],
      ['e', 3],
    ]);
    const lookup = new InOrderLookup(map);
    expect(['a', 'b', 'c', 'c', 'd', 'e', 'f'].map((key) => lookup.get(key))).toEqual([
      1,
      undefined,
      2,
      2,
      undefined,
      3,
      undefined,
    ]);
    // Below the walk: looked up, and the walk goes on from where it was.
    expect(lookup.get('a')).toBe(1);
    expect(lookup.get('e')).toBe(3);
  });
});
