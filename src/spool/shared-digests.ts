import { hash } from 'node:crypto';
import { KeptPerFile } from './kept-per-file.js';

const digestBytes = 32;

/**
 * The SHA-256 of each person's record in a run spool's persons file, by the frame's position in it,
 * computed once per process and shared by every view of that spool (issue 14): a person's record digest
 * (PersonFrame.digest, an input of every recipient's input hash) is the same for every recipient, yet
 * each of an Oslo night's recipients hashed each of its persons' records again (1.45 million digests of
 * about 830 bytes). 32 bytes a person off the heap (9 MB at Oslo's 288,565), never a person's data;
 * made at the spool's count of persons, grown (doubling) only for a count that falls short.
 */
export class PersonDigests {
  #digests: Buffer;
  #known: Uint8Array;

  /** `persons`: how many the file holds (the spool's count), so the table is made once at its size. */
  constructor(persons = 0) {
    this.#digests = Buffer.alloc(persons * digestBytes);
    this.#known = new Uint8Array(persons);
  }

  /** The digest (base64) of the record at `position`, `record` hashed only the first time it is asked. */
  digest(position: number, record: Buffer): string {
    const from = position * digestBytes;
    if (position >= this.#known.length) this.#grow(position + 1);
    if (this.#known[position] !== 1) {
      hash('sha256', record, 'buffer').copy(this.#digests, from);
      this.#known[position] = 1;
    }
    return this.#digests.toString('base64', from, from + digestBytes);
  }

  #grow(positions: number): void {
    const size = Math.max(positions, 2 * this.#known.length, 1024);
    const digests = Buffer.alloc(size * digestBytes);
    this.#digests.copy(digests);
    const known = new Uint8Array(size);
    known.set(this.#known);
    this.#digests = digests;
    this.#known = known;
  }
}

/**
 * One spool's at a time, kept per file (KeptPerFile): a spool written again under the same path is
 * hashed again.
 */
const kept = new KeptPerFile<PersonDigests>();

export function sharedPersonDigests(path: string, persons: number): Promise<PersonDigests> {
  return kept.get(path, () => new PersonDigests(persons));
}

/** Lets go of the digests kept for the persons file at `path`, if they are the ones kept. */
export function releaseSharedPersonDigests(path: string): void {
  kept.release(path);
}
