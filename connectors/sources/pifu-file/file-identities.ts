import { randomUUID } from 'node:crypto';
import type { SourceIdentities, SourceIdentityRow } from '../../../src/identity/index.js';
import { HubError } from '../../../src/errors/index.js';
import { ByteTable } from './byte-table.js';
import { holdsIdentityNumber } from './identity-number.js';
import { uuidBytes, uuidText } from './uuid-bytes.js';

/**
 * Whether groups keyed by their own id without a mapping may be in a roster (migration 0020): in this
 * system's, in another's (so no id of this file may take its own id as key), or in none.
 */
type UnmappedGroupIds = 'this' | 'another' | 'none';

/** A source id's keyed hash (SourceIdentities.hash): 18 bytes, 24 characters of base64url. */
const hashBytes = 18;
/** A person record's value: the hub key's 16 bytes, then whether this file made the mapping. */
const added = 16;

/**
 * The hub keys of one file's objects. Ids are the exporting system's (the file's `properties/datasource`):
 * only the mappings that system's files made are looked up, so another system's person or group with the
 * same id is another object (PIFU identifies an object by source and id). A person always gets a hub key:
 * the file's id when it is already an opaque uuid no person of any system holds as key, else a new uuid;
 * a person its system named before under this id or one of its former (`Old`) ids keeps the key it had.
 * A group keeps its id as key when no other system's group has that key and the id holds no national
 * number, else it gets a key of its own (`grp-` and a uuid); either way the same on every import. The
 * system flagged by migration 0020 (`unmappedGroupIds`) keeps an unmapped id as key: its roster holds
 * groups keyed so before groups were mapped. Persons' mappings, known and new,
 * are held in byte tables (hash → key, and the keys in use), loaded a page at a time: about 80 bytes a
 * mapping off the JavaScript heap, where Maps of strings cost some 250 (Oslo: about 300,000 persons).
 * New mappings are flagged in the table until the import's run records them: no second copy of them.
 */
export class FileIdentities {
  readonly #identities: SourceIdentities;
  readonly #datasource: string;
  readonly #persons: ByteTable;
  readonly #usedPersonKeys: ByteTable;
  readonly #groups: Map<string, string>;
  readonly #loadedGroups: number;
  readonly #usedGroupKeys: Set<string>;
  readonly #unmappedGroupIds: UnmappedGroupIds;

  private constructor(
    identities: SourceIdentities,
    datasource: string,
    persons: ByteTable,
    usedPersonKeys: ByteTable,
    groups: {
      readonly own: Map<string, string>;
      readonly used: Set<string>;
      readonly unmapped: UnmappedGroupIds;
    },
  ) {
    this.#identities = identities;
    this.#datasource = datasource;
    this.#persons = persons;
    this.#usedPersonKeys = usedPersonKeys;
    this.#groups = groups.own;
    this.#loadedGroups = groups.own.size;
    this.#usedGroupKeys = groups.used;
    this.#unmappedGroupIds = groups.unmapped;
  }

  /** The mappings this file made, to record with its run, made as they are taken. */
  *added(): Generator<SourceIdentityRow> {
    const datasource = this.#datasource;
    for (const [hash, value] of this.#persons.entries()) {
      if (value[added] === 0) continue;
      yield { kind: 'person', datasource, sourceIdHash: hash.toString('base64url'), hubKey: uuidText(value) };
    }
    let index = 0;
    for (const [sourceIdHash, hubKey] of this.#groups) {
      if (index++ >= this.#loadedGroups) yield { kind: 'group', datasource, sourceIdHash, hubKey };
    }
  }

  /**
   * The mappings of the system `datasource` names, and the keys every system's mappings use (a hub key
   * is one object's, whichever system named it). `unmappedGroupOwner`: the system whose roster may hold
   * groups keyed by their own id without a mapping (migration 0020), if any.
   */
  static async load(
    identities: SourceIdentities,
    datasource: string,
    unmappedGroupOwner: string | undefined,
  ): Promise<FileIdentities> {
    const persons = new ByteTable(hashBytes, 17);
    const used = new ByteTable(16, 0);
    for await (const page of identities.pages('person')) {
      for (const row of page) {
        const key = uuidBytes(row.hubKey);
        const hash = Buffer.from(row.sourceIdHash, 'base64url');
        if (key === undefined || hash.length !== hashBytes) {
          throw new HubError(
            'PIFU_INTERNAL',
            'hub.source_identity holds a person mapping that is not a hash and a uuid',
          );
        }
        if (row.datasource === datasource) persons.insert(hash).value.set(key);
        used.insert(key);
      }
    }
    const own = new Map<string, string>();
    const usedGroupKeys = new Set<string>();
    for await (const page of identities.pages('group')) {
      for (const row of page) {
        if (row.datasource === datasource) own.set(row.sourceIdHash, row.hubKey);
        usedGroupKeys.add(row.hubKey);
      }
    }
    const unmapped: UnmappedGroupIds =
      unmappedGroupOwner === undefined ? 'none' : unmappedGroupOwner === datasource ? 'this' : 'another';
    return new FileIdentities(identities, datasource, persons, used, { own, used: usedGroupKeys, unmapped });
  }

  /** The key of a person record with its own id and former ids, made when it is new. */
  personKey(ownId: string, formerIds: readonly string[]): string {
    const hashes = [ownId, ...formerIds].map((id) => this.#hashOf(id));
    let key = hashes.map((hash) => this.#persons.get(hash)).find((found) => found !== undefined);
    if (key === undefined) {
      const own = uuidBytes(ownId.toLowerCase());
      key = own !== undefined && !this.#usedPersonKeys.has(own) ? own : uuidBytes(randomUUID())!;
      this.#usedPersonKeys.insert(key);
    } else {
      // A view into the table, which an insert below may move.
      key = Buffer.from(key.subarray(0, 16));
    }
    for (const hash of hashes) {
      const made = this.#persons.insert(hash);
      if (!made.added) continue;
      made.value.set(key.subarray(0, 16));
      made.value[added] = 1;
    }
    return uuidText(key);
  }

  /** The key a reference to a person id names, if any person ever had that id. */
  findPerson(id: string): string | undefined {
    return this.findPersonByRef(this.personRef(id));
  }

  /**
   * A reference to a person id as the hub may keep it (the id's keyed hash, as in hub.source_identity):
   * a guardian link is kept this way, and resolved when the roster is built, so a link to a person who
   * comes back in a later export is found again.
   */
  personRef(id: string): string {
    return this.#identities.hash('person', id);
  }

  findPersonByRef(ref: string): string | undefined {
    const value = this.#persons.get(Buffer.from(ref, 'base64url'));
    return value === undefined ? undefined : uuidText(value);
  }

  #hashOf(id: string): Buffer {
    return Buffer.from(this.#identities.hash('person', id), 'base64url');
  }

  /** Whether a group id is replaced (it holds a national number). */
  isRekeyedGroup(id: string): boolean {
    return holdsIdentityNumber(id);
  }

  /** A group's key, made when new only if `allocate`. */
  groupKey(id: string, allocate: boolean): string | undefined {
    const hash = this.#identities.hash('group', id);
    const known = this.#groups.get(hash);
    if (known !== undefined) return known;
    const plain = !holdsIdentityNumber(id);
    // Keyed by its id before groups were mapped (migration 0020): it stays so, mapped once allocated.
    const kept = plain && this.#unmappedGroupIds === 'this';
    if (!allocate) return kept ? id : undefined;
    const free = plain && this.#unmappedGroupIds === 'none' && !this.#usedGroupKeys.has(id);
    const key = kept || free ? id : `grp-${randomUUID()}`;
    this.#groups.set(hash, key);
    this.#usedGroupKeys.add(key);
    return key;
  }
}
