import {
  membershipRoles,
  type Group,
  type Membership,
  type MembershipRole,
  type Person,
  type PersonScopeFacts,
  type Population,
} from '../model/index.js';
import { hash } from 'node:crypto';
import type { PersonFrame } from '../model/index.js';
import { readFrames, type FrameBlock } from './frame-file.js';
import type { PersonDigests } from './shared-digests.js';

/**
 * How the run spool frames each kind of object (see frame-file.ts). JSON inside, so a value is exactly
 * what the model says; the frame headers carry what a reader decides on before it decodes anything:
 *
 * - person: `u32 key bytes, u32 facts bytes, u32 person bytes`, then the key, the scope facts (JSON)
 *   and the whole person (JSON). A scope pass decodes the facts alone; an output pass decodes the key,
 *   then the person only when it is in view.
 * - group: `u32 bytes`, then the group (JSON).
 * - membership: `u32 group index, u8 role index, u32 bytes`, then the membership (JSON). The group index
 *   is the group's position in the groups file (0xFFFFFFFF when the group is not there); a view skips
 *   whole groups, and roles it does not send, without decoding a byte.
 */

const noGroup = 0xffffffff;

/** Upper bound of a string's UTF-8 bytes. */
const most = (text: string): number => 3 * text.length;

export function encodePerson(person: Person, block: FrameBlock): void {
  const key = person.key;
  const facts = JSON.stringify(scopeFactsOf(person));
  const whole = JSON.stringify(person);
  const buffer = block.reserve(12 + most(key) + most(facts) + most(whole));
  const at = block.size;
  const keyBytes = buffer.write(key, at + 12);
  const factsBytes = buffer.write(facts, at + 12 + keyBytes);
  const wholeBytes = buffer.write(whole, at + 12 + keyBytes + factsBytes);
  buffer.writeUInt32LE(keyBytes, at);
  buffer.writeUInt32LE(factsBytes, at + 4);
  buffer.writeUInt32LE(wholeBytes, at + 8);
  block.size = at + 12 + keyBytes + factsBytes + wholeBytes;
}

function scopeFactsOf(person: Person): PersonScopeFacts {
  const { key, populations, status, addressProtection, birthDate, affiliations, guardians } = person;
  return { key, populations, status, addressProtection, birthDate, affiliations, guardians };
}

export function encodeGroup(group: Group, block: FrameBlock): void {
  const json = JSON.stringify(group);
  const buffer = block.reserve(4 + most(json));
  const at = block.size;
  const bytes = buffer.write(json, at + 4);
  buffer.writeUInt32LE(bytes, at);
  block.size = at + 4 + bytes;
}

export function encodeMembership(
  membership: Membership,
  groupIndex: number | undefined,
  block: FrameBlock,
): void {
  const json = JSON.stringify(membership);
  const buffer = block.reserve(9 + most(json));
  const at = block.size;
  const bytes = buffer.write(json, at + 9);
  buffer.writeUInt32LE(groupIndex ?? noGroup, at);
  buffer.writeUInt8(membershipRoles.indexOf(membership.role), at + 4);
  buffer.writeUInt32LE(bytes, at + 5);
  block.size = at + 9 + bytes;
}

/** A person frame's whole length (header included), from its header at `offset`. */
const personLength = (buffer: Buffer, offset: number): number =>
  12 + buffer.readUInt32LE(offset) + buffer.readUInt32LE(offset + 4) + buffer.readUInt32LE(offset + 8);

/**
 * A spool file's frames undecoded, a block at a time, for a writer that copies them into another spool
 * (incremental-spool.ts), each with its length.
 */
export const personFrames = (path: string) => rawFrames(path, 12, personLength);
export const membershipFrames = (path: string) => rawFrames(path, 9, membershipLength);

async function* rawFrames(
  path: string,
  headerBytes: number,
  frameLength: (buffer: Buffer, offset: number) => number,
): AsyncGenerator<{ buffer: Buffer; starts: readonly number[]; length: (at: number) => number }> {
  for await (const { buffer, starts } of readFrames(path, headerBytes, frameLength))
    yield { buffer, starts, length: (at) => frameLength(buffer, at) };
}

export const personFrameKey = (buffer: Buffer, at: number): string =>
  buffer.toString('utf8', at + 12, at + 12 + buffer.readUInt32LE(at));

export function personFrameFacts(buffer: Buffer, at: number): PersonScopeFacts {
  const from = at + 12 + buffer.readUInt32LE(at);
  return parse<PersonScopeFacts>(buffer, from, from + buffer.readUInt32LE(at + 4));
}

/** Where a person frame's scope facts (JSON) are in `buffer`: `[from, to)`. */
export function personFactsRange(buffer: Buffer, at: number): readonly [number, number] {
  const from = at + 12 + buffer.readUInt32LE(at);
  return [from, from + buffer.readUInt32LE(at + 4)];
}

/** Where a membership frame's JSON is in `buffer`: `[from, to)`. */
export const membershipJsonRange = (buffer: Buffer, at: number): readonly [number, number] => [
  at + 9,
  at + membershipLength(buffer, at),
];

/**
 * The person frame at `at` of `buffer`, undecoded, valid for as long as the buffer's bytes are. With
 * `digests`, its digest is the one kept for its `position` in the file (see PersonDigests).
 */
export function personFrameAt(
  buffer: Buffer,
  at: number,
  digests?: PersonDigests,
  position = 0,
): PersonFrame {
  const keyBytes = buffer.readUInt32LE(at);
  const from = at + 12 + keyBytes + buffer.readUInt32LE(at + 4);
  const to = from + buffer.readUInt32LE(at + 8);
  return {
    key: buffer.toString('utf8', at + 12, at + 12 + keyBytes),
    digest:
      digests === undefined
        ? () => hash('sha256', buffer.subarray(from, to), 'base64')
        : () => digests.digest(position, buffer.subarray(from, to)),
    person: () => parse<Person>(buffer, from, to),
  };
}

/** A person frame's whole length (header included). */
export const personFrameLength = personLength;

/** The group a membership frame is in: by its position in `groupKeys`, else (none there) decoded. */
/** A membership frame's group position as written; undefined when it has none (its JSON names the group). */
export function membershipFrameGroupIndex(buffer: Buffer, at: number): number | undefined {
  const index = buffer.readUInt32LE(at);
  return index === noGroup ? undefined : index;
}

export function membershipFrameGroup(buffer: Buffer, at: number, groupKeys: readonly string[]): string {
  const index = buffer.readUInt32LE(at);
  return index === noGroup
    ? parse<Membership>(buffer, at + 9, at + 9 + buffer.readUInt32LE(at + 5)).groupKey
    : (groupKeys[index] ?? '');
}

/**
 * Whether two membership frames are of the same membership: their role and JSON, not their group's
 * position (which moves when a group is added before it).
 */
export function sameMembershipFrames(a: Buffer, aAt: number, b: Buffer, bAt: number): boolean {
  const length = membershipLength(a, aAt);
  return (
    length === membershipLength(b, bAt) && a.compare(b, bAt + 4, bAt + length, aAt + 4, aAt + length) === 0
  );
}

/** Whether two person frames are byte for byte the same (key, scope facts and person). */
export function samePersonFrames(a: Buffer, aAt: number, b: Buffer, bAt: number): boolean {
  const length = personLength(a, aAt);
  return length === personLength(b, bAt) && a.compare(b, bAt, bAt + length, aAt, aAt + length) === 0;
}

export const membershipFrameRole = (buffer: Buffer, at: number): number => buffer.readUInt8(at + 4);

export const membershipFrameMembership = (buffer: Buffer, at: number): Membership =>
  parse<Membership>(buffer, at + 9, at + membershipLength(buffer, at));

/** Sets a membership frame's group position (undefined: the group is not in the groups file). */
export function setMembershipFrameGroup(buffer: Buffer, at: number, groupIndex: number | undefined): void {
  buffer.writeUInt32LE(groupIndex ?? noGroup, at);
}

const parse = <T>(buffer: Buffer, start: number, end: number): T =>
  JSON.parse(buffer.toString('utf8', start, end)) as T;

/**
 * The facts open with the key, then the populations (scopeFactsOf's order): `"populations":[...]` is
 * found without decoding, and a key cannot hold it unescaped. False only when it is there and names
 * none of `wanted`.
 */
function inPopulations(buffer: Buffer, from: number, to: number, wanted: readonly Population[]): boolean {
  const open = buffer.indexOf(populationsField, from);
  const close = open < 0 ? -1 : buffer.indexOf(0x5d, open);
  if (open < 0 || close < 0 || close >= to) return true;
  const listed = buffer.toString('latin1', open + populationsField.length, close);
  return wanted.some((population) => listed.includes(`"${population}"`));
}
const populationsField = Buffer.from('"populations":[');

export async function* readPersonFacts(
  path: string,
  populations?: readonly Population[],
): AsyncGenerator<PersonScopeFacts> {
  for await (const { buffer, starts } of readFrames(path, 12, personLength)) {
    const batch: PersonScopeFacts[] = [];
    for (const at of starts) {
      const from = at + 12 + buffer.readUInt32LE(at);
      const to = from + buffer.readUInt32LE(at + 4);
      if (populations !== undefined && !inPopulations(buffer, from, to, populations)) continue;
      batch.push(parse<PersonScopeFacts>(buffer, from, to));
    }
    yield* batch;
  }
}

export async function* readPersons(
  path: string,
  keep: (personKey: string) => boolean = () => true,
): AsyncGenerator<Person> {
  for await (const { buffer, starts } of readFrames(path, 12, personLength)) {
    const batch: Person[] = [];
    for (const at of starts) {
      const keyBytes = buffer.readUInt32LE(at);
      if (!keep(buffer.toString('utf8', at + 12, at + 12 + keyBytes))) continue;
      const from = at + 12 + keyBytes + buffer.readUInt32LE(at + 4);
      batch.push(parse<Person>(buffer, from, from + buffer.readUInt32LE(at + 8)));
    }
    yield* batch;
  }
}

/**
 * The persons `keep` accepts, undecoded: each frame decodes its JSON when asked, and digests it unless
 * `digests` (the file's, see sharedPersonDigests) holds its digest already.
 */
export async function* readPersonFrames(
  path: string,
  keep: (personKey: string) => boolean,
  digests?: PersonDigests,
): AsyncGenerator<PersonFrame> {
  let position = 0;
  for await (const { buffer, starts } of readFrames(path, 12, personLength)) {
    const batch: PersonFrame[] = [];
    for (const at of starts) {
      if (keep(personFrameKey(buffer, at))) batch.push(personFrameAt(buffer, at, digests, position));
      position++;
    }
    yield* batch;
  }
}

/**
 * Where the frames of a groups file read whole lie, undecoded: each frame's start and end, one after the
 * other (`[start, end, start, end, …]`); decode one with groupFrameAt.
 */
export function groupFrameRanges(file: Buffer): number[] {
  const ranges: number[] = [];
  for (let at = 0; at < file.length;) {
    if (file.length - at < 4) throw new TypeError('a groups file ends inside a frame');
    const end = at + 4 + file.readUInt32LE(at);
    if (end > file.length) throw new TypeError('a groups file ends inside a frame');
    ranges.push(at, end);
    at = end;
  }
  return ranges;
}

/** The group framed at `[start, end)` of a groups file (see groupFrameRanges). */
export const groupFrameAt = (file: Buffer, start: number, end: number): Group =>
  parse<Group>(file, start + 4, end);

export async function* readGroups(path: string): AsyncGenerator<Group> {
  for await (const { buffer, starts } of readFrames(path, 4, (b, o) => 4 + b.readUInt32LE(o))) {
    const batch = starts.map((at) => parse<Group>(buffer, at + 4, at + 4 + buffer.readUInt32LE(at)));
    yield* batch;
  }
}

/** A membership frame's whole length (header included), from its header at `offset`. */
const membershipLength = (buffer: Buffer, offset: number): number => 9 + buffer.readUInt32LE(offset + 5);

export async function* readMemberships(
  path: string,
  keepGroup: (groupIndex: number) => boolean = () => true,
  keepRole: (role: MembershipRole) => boolean = () => true,
): AsyncGenerator<Membership> {
  const roleKept = membershipRoles.map((role) => keepRole(role));
  for await (const { buffer, starts } of readFrames(path, 9, membershipLength)) {
    const batch: Membership[] = [];
    for (const at of starts) {
      const group = buffer.readUInt32LE(at);
      if (!roleKept[buffer.readUInt8(at + 4)]) continue;
      if (group !== noGroup && !keepGroup(group)) continue;
      if (group === noGroup && !keepGroup(-1)) continue;
      batch.push(parse<Membership>(buffer, at + 9, at + 9 + buffer.readUInt32LE(at + 5)));
    }
    yield* batch;
  }
}
