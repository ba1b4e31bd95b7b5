/**
 * A settled map of a person pass (role flags by person, surviving guardian links by pupil) kept compact
 * (issue 14, peak memory): its keys, lower-case uuids in canonical order, packed as 16 bytes each in one
 * typed array, looked up by binary search, and its values packed beside them. At Oslo scale the
 * guardians' scope (261,000 persons, 95,000 pupils' links) held in Maps of strings was about 48 MB of a
 * feed's 100 MB of live heap (the key strings, the links' strings, the Maps' tables); packed it is about
 * 7 MB, and V8's heap limit, a multiple of what is live, falls with it.
 *
 * A map with any other key (or link), or not in canonical order, is kept as it is (packPersons,
 * packLinks): what a packed map answers is always exactly what the map it was made from answers.
 */
/** Four 32-bit words a key: the key at word `a` of `words` against the one at word `b` of `other`. */
export function compareWords(words: Uint32Array, a: number, other: Uint32Array, b: number): number {
  for (let word = 0; word < 4; word++) {
    const difference = (words[a + word] as number) - (other[b + word] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The index of the key `asked` (words 0–3) among the first `size` keys of `words` (in order), or -1. */
export function searchWords(words: Uint32Array, size: number, asked: Uint32Array): number {
  let low = 0;
  let high = size - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const order = compareWords(words, middle << 2, asked, 0);
    if (order === 0) return middle;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

export abstract class PackedKeyMap<V> implements ReadonlyMap<string, V> {
  /** Four 32-bit words a key, big-endian: word order is the keys' canonical (string) order. */
  readonly #words: Uint32Array;
  /** Scratch for a key being looked up. */
  readonly #asked = new Uint32Array(4);

  protected constructor(words: Uint32Array) {
    this.#words = words;
  }

  get size(): number {
    return this.#words.length >> 2;
  }

  /** The value of the entry at `index` (0 ≤ index < size). */
  protected abstract valueAt(index: number): V;

  /** The index of `key`, or -1. */
  indexOf(key: string): number {
    return parseKey(key, this.#asked, 0) ? searchWords(this.#words, this.size, this.#asked) : -1;
  }

  /**
   * For a walk in canonical order (InOrderLookup): the first index at or after `from` whose key is not
   * below `key`, and whether it is `key` (`found`); undefined when `key` is no packed key's shape.
   */
  seek(key: string, from: number): { readonly at: number; readonly found: boolean } | undefined {
    if (!parseKey(key, this.#asked, 0)) return undefined;
    let at = from;
    const size = this.size;
    let order = -1;
    while (at < size && (order = this.#compareAt(at)) < 0) at++;
    return { at, found: at < size && order === 0 };
  }

  /** The entry at `index` against the key in #asked: negative when the entry is below it. */
  #compareAt(index: number): number {
    return compareWords(this.#words, index << 2, this.#asked, 0);
  }

  keyAt(index: number): string {
    return formatKey(this.#words, index << 2);
  }

  /** The value at `index` as the map holds it. */
  at(index: number): V {
    return this.valueAt(index);
  }

  get(key: string): V | undefined {
    const index = this.indexOf(key);
    return index < 0 ? undefined : this.valueAt(index);
  }

  has(key: string): boolean {
    return this.indexOf(key) >= 0;
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (let index = 0; index < this.size; index++) {
      callback.call(thisArg, this.valueAt(index), this.keyAt(index), this);
    }
  }

  *entries(): MapIterator<[string, V]> {
    for (let index = 0; index < this.size; index++) yield [this.keyAt(index), this.valueAt(index)];
  }

  *keys(): MapIterator<string> {
    for (let index = 0; index < this.size; index++) yield this.keyAt(index);
  }

  *values(): MapIterator<V> {
    for (let index = 0; index < this.size; index++) yield this.valueAt(index);
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}

/** Role flags by person (RecipientScope's settled persons): a byte a person beside the key. */
export class PackedFlags extends PackedKeyMap<number> {
  readonly #flags: Uint8Array;

  constructor(words: Uint32Array, flags: Uint8Array) {
    super(words);
    this.#flags = flags;
  }

  protected valueAt(index: number): number {
    return this.#flags[index] as number;
  }
}

/** Guardian keys by pupil, joined by U+0001 (PersonInputs' settled links), packed as keys too. */
class PackedLinks extends PackedKeyMap<string> {
  /** Where each pupil's guardians start in #guardians, in keys (size + 1 entries). */
  readonly #starts: Uint32Array;
  readonly #guardians: Uint32Array;

  constructor(words: Uint32Array, starts: Uint32Array, guardians: Uint32Array) {
    super(words);
    this.#starts = starts;
    this.#guardians = guardians;
  }

  protected valueAt(index: number): string {
    let joined = '';
    for (
      let guardian = this.#starts[index] as number;
      guardian < (this.#starts[index + 1] as number);
      guardian++
    ) {
      joined += (joined === '' ? '' : '\u0001') + formatKey(this.#guardians, guardian << 2);
    }
    return joined;
  }
}

/** Packs a map of role flags (each 0–255) when every key is a uuid and they come in canonical order. */
export function packPersons(persons: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
  if (persons instanceof PackedKeyMap) return persons;
  const words = packedKeys(persons);
  if (words === undefined) return persons;
  const flags = new Uint8Array(persons.size);
  let index = 0;
  for (const value of persons.values()) {
    if (!(value >= 0 && value <= 255 && Number.isInteger(value))) return persons;
    flags[index++] = value;
  }
  return new PackedFlags(words, flags);
}

/** Packs a map of joined guardian keys when every key and every guardian is a uuid, keys in order. */
export function packLinks(links: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  const words = packedKeys(links);
  if (words === undefined) return links;
  const starts = new Uint32Array(links.size + 1);
  let count = 0;
  for (const joined of links.values()) count += joined === '' ? 0 : joined.split('\u0001').length;
  const guardians = new Uint32Array(count * 4);
  let index = 0;
  let at = 0;
  for (const joined of links.values()) {
    starts[index++] = at;
    // An empty value would pack as no guardian and read back as ''; a map never holds one, keep it as is.
    if (joined === '') return links;
    for (const key of joined.split('\u0001')) {
      if (!parseKey(key, guardians, at << 2)) return links;
      at++;
    }
  }
  starts[index] = at;
  return new PackedLinks(words, starts, guardians);
}

/** The map's keys as words, or undefined when one is not a uuid or they are not in canonical order. */
function packedKeys(map: ReadonlyMap<string, unknown>): Uint32Array | undefined {
  const words = new Uint32Array(map.size * 4);
  let previous: string | undefined;
  let index = 0;
  for (const key of map.keys()) {
    if ((previous !== undefined && !(previous < key)) || !parseKey(key, words, index << 2)) return undefined;
    previous = key;
    index++;
  }
  return words;
}

/**
 * Writes the uuid `key` (lower case, `8-4-4-4-12`) as four big-endian words at `into[at…at+3]`; false,
 * with nothing promised of `into`, when `key` is not one.
 */
export function parseKey(key: string, into: Uint32Array, at: number): boolean {
  if (key.length !== 36) return false;
  let word = 0;
  let digits = 0;
  let out = at;
  for (let position = 0; position < 36; position++) {
    const code = key.charCodeAt(position);
    if (position === 8 || position === 13 || position === 18 || position === 23) {
      if (code !== 45) return false;
      continue;
    }
    let nibble: number;
    if (code >= 48 && code <= 57) nibble = code - 48;
    else if (code >= 97 && code <= 102) nibble = code - 87;
    else return false;
    word = word * 16 + nibble;
    if (++digits === 8) {
      into[out++] = word;
      word = 0;
      digits = 0;
    }
  }
  return true;
}

/** Each byte's two lower-case hex digits. */
const byteHex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
/** A word's high and low two bytes in hex. */
const high = (word: number): string => (byteHex[word >>> 24] as string) + byteHex[(word >>> 16) & 0xff];
const low = (word: number): string => (byteHex[(word >>> 8) & 0xff] as string) + byteHex[word & 0xff];

/**
 * The uuid whose words are at `words[at…at+3]` (parseKey's inverse), two hex digits a byte: asked once
 * a pupil and recipient for their guardians' keys, it took a ninth of the time of formatting each word
 * whole and cutting the dashes in (0.16 against 1.4 µs a key).
 */
export function formatKey(words: Uint32Array, at: number): string {
  const a = words[at] as number;
  const b = words[at + 1] as number;
  const c = words[at + 2] as number;
  const d = words[at + 3] as number;
  return `${high(a)}${low(a)}-${high(b)}-${low(b)}-${high(c)}-${low(c)}${high(d)}${low(d)}`;
}
