import fc from 'fast-check';
import { FrameBlock } from '../../../src/spool/frame-file.js';
import {
  keyHash,
  membershipFramePersonKey,
  membershipFramePersonKeyHash,
  personFrameGuardianKeys,
} from '../../../src/spool/frame-keys.js';
import { encodeMembership, encodePerson } from '../../../src/spool/roster-frames.js';
import { sampleMembership, samplePerson } from '../pifu/feed-fixture.js';

/*
 * frame-keys.ts reads keys between their quotes in the frame's bytes, and decodes the frame's JSON only
 * where a key is escaped. Keys here come from every corner of JSON: quotes, backslashes, control
 * characters, lone surrogates (which JSON.stringify escapes), multi-byte text, and the field names
 * themselves, so a fast path that answered other than the decoded frame would be found.
 */
const key = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('"guardianKey":"', '"personKey":"x', '\\', '"', '\u0000', '\ud800', 'p-0001'),
);

describe('keys read out of spool frames without decoding them', () => {
  it("give a person frame's guardian keys and a membership frame's person key (and its hash) as decoding does", () => {
    fc.assert(
      fc.property(key, fc.array(key, { maxLength: 4 }), key, (personKey, guardianKeys, memberKey) => {
        const block = new FrameBlock();
        encodePerson(
          samplePerson({
            key: personKey,
            guardians: guardianKeys.map((guardianKey) => ({
              guardianKey,
              hasParentalResponsibility: true,
              parentAccessConsent: false,
            })),
          }),
          block,
        );
        const membershipAt = block.size;
        encodeMembership(sampleMembership({ personKey: memberKey }), 3, block);
        const bytes = block.take();

        expect(personFrameGuardianKeys(bytes, 0)).toEqual(guardianKeys);
        expect(membershipFramePersonKey(bytes, membershipAt)).toBe(memberKey);
        const hash = membershipFramePersonKeyHash(bytes, membershipAt);
        // -1 only where the key is escaped in the frame; otherwise the hash of the key itself.
        if (JSON.stringify(memberKey) === `"${memberKey}"`) expect(hash).toBe(keyHash(memberKey));
        else expect(hash).toBe(-1);
      }),
      { numRuns: 1_000 },
    );
  });
});
