import {
  membershipFrameMembership,
  membershipJsonRange,
  personFactsRange,
  personFrameFacts,
} from './roster-frames.js';

/**
 * Keys read out of spool frames without decoding them (roster-frames.ts has the layout): for a reader
 * that asks of every frame of a file whether it names one of a few persons (spool-diff.ts). A key is
 * read between its quotes; where it is escaped, the frame's JSON is decoded instead, so the answer is
 * always the decoded one.
 */

/**
 * The guardian keys a person frame's scope facts link to (`guardians`, in order). The facts end with
 * the guardians (scopeFactsOf's order), so a person with none is told by the last bytes alone.
 */
export function personFrameGuardianKeys(buffer: Buffer, at: number): string[] {
  const [from, to] = personFactsRange(buffer, at);
  if (
    to - from > noGuardians.length &&
    buffer.compare(noGuardians, 0, noGuardians.length, to - noGuardians.length, to) === 0
  )
    return [];
  const keys: string[] = [];
  for (let open = buffer.indexOf(guardianKeyField, from); open >= 0 && open < to;) {
    const start = open + guardianKeyField.length;
    const close = buffer.indexOf(0x22, start);
    if (close < 0 || close >= to || buffer.subarray(start, close).includes(0x5c)) {
      return personFrameFacts(buffer, at).guardians.map((link) => link.guardianKey);
    }
    keys.push(buffer.toString('utf8', start, close));
    open = buffer.indexOf(guardianKeyField, close);
  }
  return keys;
}
const noGuardians = Buffer.from('"guardians":[]}');
const guardianKeyField = Buffer.from('"guardianKey":"');

/** A person frame's key hashed (keyHash's hash of it), with no string made: keys are written raw. */
export function personFrameKeyHash(buffer: Buffer, at: number): number {
  const from = at + 12;
  const to = from + buffer.readUInt32LE(at);
  let hash = fnvOffset;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ (buffer[i] as number), fnvPrime);
  return hash >>> 0;
}

/**
 * Whether a person frame may link as guardian to a key whose keyHash is in `hashes`, with no string
 * made: false only when none of its guardian keys, as written, hashes into them. An escaped key (or a
 * frame not as expected) answers true: then ask personFrameGuardianKeys.
 */
export function personFrameMayLinkTo(buffer: Buffer, at: number, hashes: ReadonlySet<number>): boolean {
  const from = at + 12 + buffer.readUInt32LE(at);
  const to = from + buffer.readUInt32LE(at + 4);
  if (endsWith(buffer, to, noGuardians) && to - from > noGuardians.length) return false;
  for (let open = buffer.indexOf(guardianKeyField, from); open >= 0 && open < to;) {
    let hash = fnvOffset;
    let i = open + guardianKeyField.length;
    for (; i < to; i++) {
      const byte = buffer[i] as number;
      if (byte === 0x22) break;
      if (byte === 0x5c) return true;
      hash = Math.imul(hash ^ byte, fnvPrime);
    }
    if (i >= to || hashes.has(hash >>> 0)) return true;
    open = buffer.indexOf(guardianKeyField, i);
  }
  return false;
}

/** Whether the bytes of `buffer` before `end` are `suffix`'s (compared here: a native call costs more). */
function endsWith(buffer: Buffer, end: number, suffix: Buffer): boolean {
  const start = end - suffix.length;
  if (start < 0) return false;
  for (let k = 0; k < suffix.length; k++) if (buffer[start + k] !== suffix[k]) return false;
  return true;
}

/** A membership frame's person key. */
export function membershipFramePersonKey(buffer: Buffer, at: number): string {
  const [json, end] = membershipJsonRange(buffer, at);
  const open = buffer.indexOf(personKeyField, json);
  const from = open + personKeyField.length;
  const close = open < 0 || open >= end ? -1 : buffer.indexOf(0x22, from);
  if (close < 0 || close >= end || buffer.subarray(from, close).includes(0x5c)) {
    return membershipFrameMembership(buffer, at).personKey;
  }
  return buffer.toString('utf8', from, close);
}
const personKeyField = Buffer.from('"personKey":"');

/**
 * A membership frame's person key hashed as it is written (keyHash's hash of it), with no string made:
 * -1 when the key is escaped or not found (then ask membershipFramePersonKey).
 */
export function membershipFramePersonKeyHash(buffer: Buffer, at: number): number {
  const [json, end] = membershipJsonRange(buffer, at);
  const field = personKeyField;
  search: for (let open = json; open + field.length < end; open++) {
    for (let k = 0; k < field.length; k++) if (buffer[open + k] !== field[k]) continue search;
    let hash = fnvOffset;
    for (let i = open + field.length; i < end; i++) {
      const byte = buffer[i] as number;
      if (byte === 0x22) return hash >>> 0;
      if (byte === 0x5c) return -1;
      hash = Math.imul(hash ^ byte, fnvPrime);
    }
    return -1;
  }
  return -1;
}

/** FNV-1a of a key's UTF-8 bytes: what membershipFramePersonKeyHash gives for that key. */
export function keyHash(key: string): number {
  let hash = fnvOffset;
  for (const byte of Buffer.from(key, 'utf8')) hash = Math.imul(hash ^ byte, fnvPrime);
  return hash >>> 0;
}
const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/**
 * A key's UTF-8 bytes, to tell whether a frame's key (its bytes as written) comes before it in key order
 * (compareKeys, UTF-16 code units) without decoding the frame's key. Only for a key of ASCII characters,
 * where the two orders agree: a byte of a frame's key that is not ASCII is a character above all of them.
 */
export class KeyBound {
  private constructor(readonly bytes: Buffer) {}

  /** Undefined for a key not all ASCII (or none): then every frame is looked at as a key. */
  static of(key: string | undefined): KeyBound | undefined {
    if (key === undefined) return undefined;
    for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return undefined;
    return new KeyBound(Buffer.from(key, 'latin1'));
  }

  /** Whether the key written at `from` (`length` bytes) of `buffer` comes strictly before this one. */
  isAbove(buffer: Buffer, from: number, length: number): boolean {
    const bytes = this.bytes;
    const common = Math.min(length, bytes.length);
    for (let i = 0; i < common; i++) {
      const mine = bytes[i] as number;
      const theirs = buffer[from + i] as number;
      if (theirs !== mine) return theirs < mine;
    }
    return length < bytes.length;
  }
}
