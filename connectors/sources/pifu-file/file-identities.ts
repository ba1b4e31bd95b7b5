import { randomUUID } from 'node:crypto';
import type { SourceIdentities, SourceIdentityRow } from '../../../src/identity/index.js';
import { holdsIdentityNumber } from './identity-number.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The hub keys of one file's objects. A person always gets a hub key: the file's id when it is already an
 * opaque uuid nobody else holds, else a new uuid; a person seen before under this id or one of its former
 * (`Old`) ids keeps the key it had. A group keeps its id unless the id holds a national number, then it
 * gets a key of its own (`grp-` and a uuid), the same on every import. New mappings wait in the maps,
 * after the ones loaded (a Map keeps insertion order), until the import's run is recorded: no second
 * copy of them (Oslo: about 300,000 persons).
 */
export class FileIdentities {
  readonly #identities: SourceIdentities;
  readonly #persons: Map<string, string>;
  readonly #groups: Map<string, string>;
  readonly #usedPersonKeys: Set<string>;
  readonly #loadedPersons: number;
  readonly #loadedGroups: number;

  private constructor(
    identities: SourceIdentities,
    persons: Map<string, string>,
    groups: Map<string, string>,
  ) {
    this.#identities = identities;
    this.#persons = persons;
    this.#groups = groups;
    this.#usedPersonKeys = new Set(persons.values());
    this.#loadedPersons = persons.size;
    this.#loadedGroups = groups.size;
  }

  /** The mappings this file made, to record with its run. */
  get added(): SourceIdentityRow[] {
    const rows: SourceIdentityRow[] = [];
    const newer = (map: Map<string, string>, loaded: number, kind: SourceIdentityRow['kind']): void => {
      let index = 0;
      for (const [sourceIdHash, hubKey] of map) {
        if (index++ >= loaded) rows.push({ kind, sourceIdHash, hubKey });
      }
    };
    newer(this.#persons, this.#loadedPersons, 'person');
    newer(this.#groups, this.#loadedGroups, 'group');
    return rows;
  }

  static async load(identities: SourceIdentities): Promise<FileIdentities> {
    return new FileIdentities(identities, await identities.load('person'), await identities.load('group'));
  }

  /** The key of a person record with its own id and former ids, made when it is new. */
  personKey(ownId: string, formerIds: readonly string[]): string {
    const hashes = [ownId, ...formerIds].map((id) => this.#identities.hash('person', id));
    let key = hashes.map((hash) => this.#persons.get(hash)).find((found) => found !== undefined);
    if (key === undefined) {
      const lower = ownId.toLowerCase();
      key = uuid.test(lower) && !this.#usedPersonKeys.has(lower) ? lower : randomUUID();
      this.#usedPersonKeys.add(key);
    }
    for (const hash of hashes) {
      if (this.#persons.has(hash)) continue;
      this.#persons.set(hash, key);
    }
    return key;
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
    return this.#persons.get(ref);
  }

  /** Whether a group id is replaced (it holds a national number). */
  isRekeyedGroup(id: string): boolean {
    return holdsIdentityNumber(id);
  }

  /** A group's key; for a re-keyed id, made when new only if `allocate`. */
  groupKey(id: string, allocate: boolean): string | undefined {
    if (!holdsIdentityNumber(id)) return id;
    const hash = this.#identities.hash('group', id);
    const known = this.#groups.get(hash);
    if (known !== undefined || !allocate) return known;
    const key = `grp-${randomUUID()}`;
    this.#groups.set(hash, key);
    return key;
  }
}
