import { HubError } from '../../../src/errors/index.js';
import { ByteTable } from './byte-table.js';
import { uuidBytes } from './uuid-bytes.js';

const inactive = 1;
const guardian = 2;

/**
 * The keys of the persons in a roster read from a file, with what the roster needs of each while it is
 * built: whether the file says the person is inactive, and whether someone in the roster names them as
 * guardian. A key is a uuid (file-identities.ts), held as 16 bytes and a byte of flags in a byte table:
 * about 25 to 50 bytes a person, off the JavaScript heap (a Set of strings costs some 100).
 */
export class PersonKeys {
  readonly #table = new ByteTable(16, 1);

  get size(): number {
    return this.#table.size;
  }

  /** Adds a person; false if the key is there already (and then nothing changes). */
  add(key: string, isInactive: boolean): boolean {
    const bytes = uuidBytes(key);
    if (bytes === undefined) {
      throw new HubError('PIFU_INTERNAL', 'a person read from a file has a hub key that is not a uuid');
    }
    const made = this.#table.insert(bytes);
    if (made.added && isInactive) made.value[0] = inactive;
    return made.added;
  }

  has(key: string): boolean {
    return this.#flags(key) !== undefined;
  }

  isInactive(key: string): boolean {
    return ((this.#flags(key) ?? 0) & inactive) !== 0;
  }

  /** Notes that someone names `key` as guardian; nothing if it is no person of the roster. */
  markGuardian(key: string): void {
    const bytes = uuidBytes(key);
    const value = bytes === undefined ? undefined : this.#table.get(bytes);
    if (value !== undefined) value[0]! |= guardian;
  }

  isGuardian(key: string): boolean {
    return ((this.#flags(key) ?? 0) & guardian) !== 0;
  }

  #flags(key: string): number | undefined {
    const bytes = uuidBytes(key);
    return bytes === undefined ? undefined : this.#table.get(bytes)?.[0];
  }
}
