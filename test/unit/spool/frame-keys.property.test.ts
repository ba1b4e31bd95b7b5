import fc from 'fast-check';
import { FrameBlock } from '../../../src/spool/frame-file.js';
import {
  KeyBound,
  keyHash,
  membershipFramePersonKey,
  membershipFramePersonKeyHash,
  personFrameGuardianKeys,
  personFrameKeyHash,
  personFrameMayLinkTo,
} from '../../../src/spool/frame-keys.js';
import { encodeMembership, encodePerson, personFrameKey } from '../../../src/spool/roster-frames.js';
import { compareKeys } from '../../../src/model/index.js';
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

/** A person frame with these guardian keys, into `block`. */
function encodePersonWithGuardians(personKey: string, guardianKeys: string[], block: FrameBlock): void {
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
}

describe('keys read out of spool frames without decoding them', () => {
  it("give a person frame's guardian keys and a membership frame's person key (and its hash) as decoding does", () => {
    fc.assert(
      fc.property(key, fc.array(key, { maxLength: 4 }), key, (personKey, guardianKeys, memberKey) => {
        const block = new FrameBlock();
        encodePersonWithGuardians(personKey, guardianKeys, block);
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

  it("hash a person frame's key as keyHash does, and never miss a guardian key among the hashes asked for", () => {
    fc.assert(
      fc.property(
        key,
        fc.array(key, { maxLength: 4 }),
        fc.array(key, { maxLength: 4 }),
        (personKey, guardianKeys, asked) => {
          const block = new FrameBlock();
          encodePersonWithGuardians(personKey, guardianKeys, block);
          const bytes = block.take();

          expect(personFrameKeyHash(bytes, 0)).toBe(keyHash(personKey));
          // No false "no": asked for every guardian key (or one of them), the answer is yes.
          if (guardianKeys.length > 0) {
            expect(personFrameMayLinkTo(bytes, 0, new Set(guardianKeys.map(keyHash)))).toBe(true);
          } else expect(personFrameMayLinkTo(bytes, 0, new Set(asked.map(keyHash)))).toBe(false);
          if (guardianKeys.some((guardianKey) => asked.includes(guardianKey))) {
            expect(personFrameMayLinkTo(bytes, 0, new Set(asked.map(keyHash)))).toBe(true);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("tell a person frame's key before an ASCII key exactly as compareKeys orders the decoded keys", () => {
    const ascii = fc.string({ unit: fc.constantFrom('a', 'b', '0', '-', '~', '\u0000'), maxLength: 6 });
    fc.assert(
      fc.property(fc.oneof(key, ascii), fc.oneof(key, ascii), (personKey, boundKey) => {
        const block = new FrameBlock();
        encodePerson(samplePerson({ key: personKey }), block);
        const bytes = block.take();
        const bound = KeyBound.of(boundKey);
        // Only a key all ASCII is a bound; the frame's key as decoded is what compareKeys orders.
        expect(bound === undefined).toBe([...boundKey].some((unit) => unit.charCodeAt(0) > 0x7f));
        if (bound === undefined) return;
        expect(bound.isAbove(bytes, 12, bytes.readUInt32LE(0))).toBe(
          compareKeys(personFrameKey(bytes, 0), boundKey) < 0,
        );
      }),
      { numRuns: 2_000 },
    );
  });
});
