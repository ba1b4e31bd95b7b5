import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { contentHash } from '../../../src/state/index.js';

/**
 * The delivered state keeps these hashes from night to night: a different digest for the same object
 * would send every held object again as changed. Pinned to SHA-256 over the JSON, the first 128 bits.
 */
const reference = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

describe('contentHash', () => {
  it('is the first 128 bits of SHA-256 over the JSON, as hashes already held were made', () => {
    expect(contentHash({ key: 'p1', name: { given: 'Åse', family: 'Ødegård' } })).toBe(
      '92722bfbb511d9e6877a277f56e51ca7',
    );
  });

  it('matches the reference for any JSON value and any text, astral or lone surrogate', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        expect(contentHash({ value, text })).toBe(reference({ value, text }));
      }),
    );
  });
});
