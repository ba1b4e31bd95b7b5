import { compareKeys } from '../model/index.js';

/** Maps whose keys were found in canonical order (see InOrderLookup), checked once per map. */
const sortedMaps = new WeakMap<ReadonlyMap<string, unknown>, boolean>();

function inCanonicalOrder(entries: ReadonlyMap<string, unknown>): boolean {
  let sorted = sortedMaps.get(entries);
  if (sorted === undefined) {
    sorted = true;
    let previous: string | undefined;
    for (const key of entries.keys()) {
      if (previous !== undefined && compareKeys(previous, key) >= 0) {
        sorted = false;
        break;
      }
      previous = key;
    }
    sortedMaps.set(entries, sorted);
  }
  return sorted;
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
  readonly #walk: Iterator<[string, V]> | undefined;
  /** The first entry not below `#walked`, the highest key the walk was asked for. */
  #at: IteratorResult<[string, V]> | undefined;
  #walked: string | undefined;
  #lastKey: string | undefined;
  #last: V | undefined;

  constructor(entries: ReadonlyMap<string, V>) {
    this.#entries = entries;
    this.#walk = inCanonicalOrder(entries) ? entries.entries() : undefined;
  }

  get(key: string): V | undefined {
    if (key === this.#lastKey) return this.#last;
    const walk = this.#walk;
    let value: V | undefined;
    if (walk === undefined || (this.#walked !== undefined && compareKeys(key, this.#walked) < 0)) {
      value = this.#entries.get(key);
    } else {
      let at = this.#at ?? walk.next();
      while (!at.done && compareKeys(at.value[0], key) < 0) at = walk.next();
      this.#at = at;
      this.#walked = key;
      value = !at.done && at.value[0] === key ? at.value[1] : undefined;
    }
    this.#lastKey = key;
    this.#last = value;
    return value;
  }
}
