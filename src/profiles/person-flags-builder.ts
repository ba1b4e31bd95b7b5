import { compareWords, formatKey, PackedFlags, parseKey, searchWords } from './packed-key-map.js';

function grown(words: Uint32Array<ArrayBuffer>, needed: number): Uint32Array<ArrayBuffer> {
  if (needed <= words.length) return words;
  const larger = new Uint32Array(Math.max(needed, words.length * 2));
  larger.set(words);
  return larger;
}

/**
 * Guardian keys the pupils of a pass want (RecipientScope), packed as they come (16 bytes a key, not a
 * Set of strings: at Oslo 180,000 guardian links); a Set once a key is not a uuid.
 */
export class WantedKeys {
  #words: Uint32Array<ArrayBuffer> = new Uint32Array(4096);
  #count = 0;
  #set: Set<string> | undefined;

  add(key: string): void {
    if (this.#set === undefined) {
      this.#words = grown(this.#words, (this.#count + 1) * 4);
      if (parseKey(key, this.#words, this.#count * 4)) {
        this.#count++;
        return;
      }
      this.#set = new Set(
        Array.from({ length: this.#count }, (_, index) => formatKey(this.#words, index * 4)),
      );
      this.#words = new Uint32Array(0);
      this.#count = 0;
    }
    this.#set.add(key);
  }

  /** The keys as a Set of strings (when they are not all packed, or the persons are not). */
  asSet(): Set<string> {
    return (
      this.#set ??
      new Set(Array.from({ length: this.#count }, (_, index) => formatKey(this.#words, index * 4)))
    );
  }

  /** The packed keys sorted (duplicates kept), or undefined when they are a Set. */
  sorted(): Uint32Array | undefined {
    if (this.#set !== undefined) return undefined;
    const words = this.#words;
    const order = Array.from({ length: this.#count }, (_, index) => index * 4);
    order.sort((a, b) => compareWords(words, a, words, b));
    const sorted = new Uint32Array(this.#count * 4);
    order.forEach((from, index) => sorted.set(words.subarray(from, from + 4), index * 4));
    return sorted;
  }
}

/**
 * A scope's role flags by person while its pass over the persons fills them (RecipientScope): packed as
 * they come in canonical order (as a spool gives them), so the pass holds no Map of a few hundred
 * thousand key strings; a Map once a key is not a uuid or comes out of order. `settle` makes the map
 * the scope keeps (packed, PackedFlags, when it stayed packed).
 */
export class PersonFlagsBuilder {
  #words: Uint32Array<ArrayBuffer> = new Uint32Array(4096 * 4);
  #flags = new Uint8Array(4096);
  #size = 0;
  #last: string | undefined;
  readonly #asked = new Uint32Array(4);
  #map: Map<string, number> | undefined;

  get size(): number {
    return this.#map?.size ?? this.#size;
  }

  set(key: string, flags: number): void {
    if (this.#map === undefined) {
      if (key === this.#last && flags >= 0 && flags <= 255) {
        this.#flags[this.#size - 1] = flags;
        return;
      }
      if ((this.#last === undefined || this.#last < key) && flags >= 0 && flags <= 255) {
        this.#words = grown(this.#words, (this.#size + 1) * 4);
        if (parseKey(key, this.#words, this.#size * 4)) {
          if (this.#size === this.#flags.length) {
            const flagsGrown = new Uint8Array(this.#flags.length * 2);
            flagsGrown.set(this.#flags);
            this.#flags = flagsGrown;
          }
          this.#flags[this.#size++] = flags;
          this.#last = key;
          return;
        }
      }
      this.#map = this.#asMap();
    }
    this.#map.set(key, flags);
  }

  get(key: string): number | undefined {
    if (this.#map !== undefined) return this.#map.get(key);
    if (key === this.#last) return this.#flags[this.#size - 1];
    if (!parseKey(key, this.#asked, 0)) return undefined;
    const index = searchWords(this.#words, this.#size, this.#asked);
    return index < 0 ? undefined : this.#flags[index];
  }

  /**
   * Each person's flags settled by `settle(flags, wanted)`, `wanted` whether their key is among
   * `wanted`'s; a person settled to 0 is left out. The builder is spent.
   */
  settle(
    wanted: WantedKeys,
    settle: (flags: number, wanted: boolean) => number,
  ): ReadonlyMap<string, number> {
    const sortedWanted = this.#map === undefined ? wanted.sorted() : undefined;
    if (sortedWanted === undefined) {
      const wantedKeys = wanted.asSet();
      const map = this.#map ?? this.#asMap();
      for (const [key, flags] of map) {
        const settled = settle(flags, wantedKeys.has(key));
        if (settled === 0) map.delete(key);
        else map.set(key, settled);
      }
      return map;
    }
    // Both packed and in order: one merge walk.
    const words = this.#words;
    const flags = this.#flags;
    let kept = 0;
    let at = 0;
    const wantedCount = sortedWanted.length / 4;
    for (let index = 0; index < this.#size; index++) {
      while (at < wantedCount && compareWords(sortedWanted, at * 4, words, index * 4) < 0) at++;
      const isWanted = at < wantedCount && compareWords(sortedWanted, at * 4, words, index * 4) === 0;
      const settled = settle(flags[index] as number, isWanted);
      if (settled === 0) continue;
      words.copyWithin(kept * 4, index * 4, index * 4 + 4);
      flags[kept++] = settled;
    }
    return new PackedFlags(words.slice(0, kept * 4), flags.slice(0, kept));
  }

  #asMap(): Map<string, number> {
    const map = new Map<string, number>();
    for (let index = 0; index < this.#size; index++)
      map.set(formatKey(this.#words, index * 4), this.#flags[index] as number);
    this.#words = new Uint32Array(0);
    this.#flags = new Uint8Array(0);
    this.#size = 0;
    return map;
  }
}
