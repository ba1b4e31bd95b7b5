import { compareKeys } from '../model/index.js';
import { PackedKeyMap } from './packed-key-map.js';

/** A map's entries as two arrays in its order, when its keys are in canonical order. */
interface SortedEntries<V> {
  readonly keys: readonly string[];
  readonly values: readonly V[];
}

/**
 * Maps whose keys were found in canonical order (see InOrderLookup), with their entries as arrays, or
 * null for a map that is not in that order: made once per map, kept while the map is (two references an
 * entry beside the map's own: about 2 MB for the guardians' scope at Oslo, 261,000 persons).
 */
const sortedMaps = new WeakMap<ReadonlyMap<string, unknown>, SortedEntries<unknown> | null>();

function sortedEntries<V>(entries: ReadonlyMap<string, V>): SortedEntries<V> | undefined {
  let sorted = sortedMaps.get(entries) as SortedEntries<V> | null | undefined;
  if (sorted === undefined) {
    const keys = [...entries.keys()];
    let inOrder = true;
    for (let i = 1; i < keys.length; i++) {
      if (compareKeys(keys[i - 1] as string, keys[i] as string) >= 0) {
        inOrder = false;
        break;
      }
    }
    sorted = inOrder ? { keys, values: [...entries.values()] } : null;
    sortedMaps.set(entries, sorted);
  }
  return sorted ?? undefined;
}

/**
 * A settled map of a person pass (role flags by person, surviving guardian links by pupil), asked person
 * by person in canonical key order, as a view's output pass over the spool asks (issue 14). The pass is
 * filled in the spool's order, so its entries are walked beside the spool instead of hashing every
 * person's key into a map of a few hundred thousand entries (measured: ~1 µs a lookup at Oslo scale, a
 * third of that walked). The answer is always the map's: a map not in canonical order, or a key asked
 * for below one asked before, is looked up in the map instead; the last answer is kept for the next ask
 * of the same key. The map must not change afterwards (settled passes never do).
 */
export class InOrderLookup<V> {
  readonly #entries: ReadonlyMap<string, V>;
  readonly #sorted: SortedEntries<V> | undefined;
  /** A packed map (PackedKeyMap) is walked by its own index. */
  readonly #packed: PackedKeyMap<V> | undefined;
  /** The first entry not below `#walked`, the highest key the walk was asked for. */
  #at = 0;
  #walked: string | undefined;
  #lastKey: string | undefined;
  #last: V | undefined;

  constructor(entries: ReadonlyMap<string, V>) {
    this.#entries = entries;
    this.#packed = entries instanceof PackedKeyMap ? (entries as PackedKeyMap<V>) : undefined;
    this.#sorted = this.#packed === undefined ? sortedEntries(entries) : undefined;
  }

  get(key: string): V | undefined {
    if (key === this.#lastKey) return this.#last;
    const sorted = this.#sorted;
    const packed = this.#packed;
    let value: V | undefined;
    if (packed !== undefined && (this.#walked === undefined || key >= this.#walked)) {
      // Packed (in canonical order by construction): walked by its own index, no arrays made.
      const sought = packed.seek(key, this.#at);
      if (sought !== undefined) {
        this.#at = sought.at;
        this.#walked = key;
      }
      value = sought?.found === true ? packed.at(sought.at) : undefined;
    } else if (sorted === undefined || (this.#walked !== undefined && key < this.#walked)) {
      value = this.#entries.get(key);
    } else {
      // An array walk, not the map's iterator: no entry array and result object made per entry passed.
      const { keys } = sorted;
      let at = this.#at;
      while (at < keys.length && (keys[at] as string) < key) at++;
      this.#at = at;
      this.#walked = key;
      value = at < keys.length && keys[at] === key ? sorted.values[at] : undefined;
    }
    this.#lastKey = key;
    this.#last = value;
    return value;
  }
}
