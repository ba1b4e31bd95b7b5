/**
 * A table of fixed-width records in one Buffer, found by their first `keyBytes` bytes: an
 * open-addressing hash table (linear probing, at most three quarters full, doubled when it would be
 * fuller). A record is one byte that says the slot is taken, the key, then `valueBytes` of value. Held
 * this way, 300,000 persons' keys cost a few megabytes and no JavaScript objects, where a Map of strings
 * costs some 150 bytes an entry and a collection that walks them all.
 *
 * A value is handed out as a view into the table: it may be changed in place, and is valid until the
 * next `insert` (which may move every record).
 */
export class ByteTable {
  readonly keyBytes: number;
  readonly valueBytes: number;
  readonly #width: number;
  #slots: Buffer;
  #mask: number;
  #size = 0;

  constructor(keyBytes: number, valueBytes: number, expected = 1024) {
    if (!Number.isInteger(keyBytes) || keyBytes < 1 || !Number.isInteger(valueBytes) || valueBytes < 0) {
      throw new RangeError('a byte table needs a key of at least one byte and a value of zero or more');
    }
    this.keyBytes = keyBytes;
    this.valueBytes = valueBytes;
    this.#width = 1 + keyBytes + valueBytes;
    let capacity = 16;
    while (capacity * 0.75 < expected) capacity *= 2;
    this.#slots = Buffer.alloc(capacity * this.#width);
    this.#mask = capacity - 1;
  }

  /** The number of records. */
  get size(): number {
    return this.#size;
  }

  /** Bytes the table holds (its Buffer), for a measure of its memory. */
  get bytes(): number {
    return this.#slots.length;
  }

  has(key: Uint8Array): boolean {
    return this.#find(key) >= 0;
  }

  /** The value of `key`'s record, as a view into the table, or undefined. */
  get(key: Uint8Array): Buffer | undefined {
    const at = this.#find(key);
    return at < 0 ? undefined : this.#value(at);
  }

  /**
   * The value of `key`'s record, made (all zero bytes) if there is none, as a view into the table, and
   * whether it was made.
   */
  insert(key: Uint8Array): { value: Buffer; added: boolean } {
    this.#checkKey(key);
    const at = this.#find(key);
    if (at >= 0) return { value: this.#value(at), added: false };
    if ((this.#size + 1) * 4 > (this.#mask + 1) * 3) this.#grow();
    const slot = this.#freeSlot(key);
    this.#slots[slot] = 1;
    this.#slots.set(key, slot + 1);
    this.#size++;
    return { value: this.#value(slot), added: true };
  }

  /** Every record's key and value, as views into the table, in no particular order. No insert meanwhile. */
  *entries(): Generator<[key: Buffer, value: Buffer]> {
    const width = this.#width;
    for (let slot = 0; slot < this.#slots.length; slot += width) {
      if (this.#slots[slot] === 0) continue;
      yield [this.#slots.subarray(slot + 1, slot + 1 + this.keyBytes), this.#value(slot)];
    }
  }

  #value(slot: number): Buffer {
    const start = slot + 1 + this.keyBytes;
    return this.#slots.subarray(start, start + this.valueBytes);
  }

  #checkKey(key: Uint8Array): void {
    if (key.length !== this.keyBytes) {
      throw new RangeError(`a key of this table is ${this.keyBytes} bytes, not ${key.length}`);
    }
  }

  /** The slot (byte offset) of `key`'s record, or -1. */
  #find(key: Uint8Array): number {
    if (key.length !== this.keyBytes) return -1;
    const width = this.#width;
    for (let index = hash(key) & this.#mask; ; index = (index + 1) & this.#mask) {
      const slot = index * width;
      if (this.#slots[slot] === 0) return -1;
      if (this.#sameKey(slot, key)) return slot;
    }
  }

  #freeSlot(key: Uint8Array): number {
    for (let index = hash(key) & this.#mask; ; index = (index + 1) & this.#mask) {
      const slot = index * this.#width;
      if (this.#slots[slot] === 0) return slot;
    }
  }

  #sameKey(slot: number, key: Uint8Array): boolean {
    const slots = this.#slots;
    for (let i = 0; i < key.length; i++) if (slots[slot + 1 + i] !== key[i]) return false;
    return true;
  }

  #grow(): void {
    const old = this.#slots;
    const width = this.#width;
    this.#slots = Buffer.alloc(old.length * 2);
    this.#mask = this.#mask * 2 + 1;
    for (let slot = 0; slot < old.length; slot += width) {
      if (old[slot] === 0) continue;
      const record = old.subarray(slot, slot + width);
      this.#slots.set(record, this.#freeSlot(record.subarray(1, 1 + this.keyBytes)));
    }
  }
}

/** FNV-1a over every byte: keys may be ids a file numbers in sequence, so no byte is taken as it is. */
function hash(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}
