import { hash } from 'node:crypto';
import type { Profile } from './profile.js';
import { PackedKeyMap } from './packed-key-map.js';

/**
 * What a view's pass over the persons settles (see viewThroughProfile): each person's role flags and
 * each pupil's guardian links that survive. Read-only once settled; views share it.
 */
export interface PersonScopePass {
  readonly persons: ReadonlyMap<string, number>;
  readonly links: ReadonlyMap<string, string>;
}

/** The profile settings the pass over the persons depends on; nothing else of a profile reaches it. */
export const personScopeSettings = [
  'schools',
  'populations',
  'guardians',
  'activeOnly',
  'levels',
  'dateWindow',
  'pupilScope',
  'strictlyConfidential',
  'leavers',
] as const satisfies readonly (keyof Profile)[];

/**
 * Which profiles see the same persons in the same roles (issue 14, shared work across recipients): an
 * Oslo night's 13 recipients of persons have six such scopes between them (directory, assessment,
 * portal and analytics share one; the two SMS recipients one; the course and culture recipients one).
 */
export function personScopeOf(profile: Profile): string {
  return hash(
    'sha256',
    JSON.stringify(personScopeSettings.map((setting) => profile[setting] ?? null)),
    'base64',
  );
}

/**
 * At most this many bytes of passes are kept between them. A settled pass of the hub's keys is packed
 * (PackedKeyMap): the bytes of its typed arrays, about 17 a person and 16 a link. Any other pass is Maps
 * of strings, counted at about 100 bytes an entry (the guardians' scope at Oslo, 261,000 persons and
 * 95,000 links, was ~37 MB as Maps: made again then rather than held through the feeds between its
 * recipients, as it measured a peak RSS of 353 MB held). Packed, it is about 6 MB and kept for the
 * next recipient of its scope, which skips its own pass over the persons.
 */
const keptBytes = 12_000_000;

/** What a Map entry of strings costs, about: its key and value strings and its share of the tables. */
const mapEntryBytes = 100;

const bytesOf = (map: ReadonlyMap<string, unknown>): number =>
  map instanceof PackedKeyMap ? map.byteLength : map.size * mapEntryBytes;

const passBytes = (pass: PersonScopePass): number => bytesOf(pass.persons) + bytesOf(pass.links);

/**
 * Person passes kept for other recipients of the same run, so recipients with the same person scope
 * (personScopeOf), scope day and excluded persons make the pass once between them. An entry is kept
 * only while a recipient still to be written would take it (see `prune`), and only while the kept
 * passes stay within a bound (keptBytes): role flags per person in scope, never a person's data.
 */
export class SharedPersonScopes {
  #run: string | undefined;
  readonly #passes = new Map<string, { readonly scope: string; readonly pass: PersonScopePass }>();

  /** The key of a pass: the scope, the day and the persons left out (forgotten, restricted). */
  static keyOf(scope: string, on: string, excluded: ReadonlySet<string> | undefined): string {
    const left = [...(excluded ?? [])].sort().join('\u0001');
    return `${scope}\u0002${on}\u0002${hash('sha256', left, 'base64')}`;
  }

  /** The pass kept under `key` for `run`, if any. */
  find(run: string, key: string): PersonScopePass | undefined {
    return this.#run === run ? this.#passes.get(key)?.pass : undefined;
  }

  /** Keeps `pass` for a recipient still to be written, unless that would pass the bound (false then). */
  keep(run: string, key: string, scope: string, pass: PersonScopePass, bound = keptBytes): boolean {
    if (this.#run !== run) this.#passes.clear();
    this.#run = run;
    let kept = passBytes(pass);
    for (const [other, entry] of this.#passes) if (other !== key) kept += passBytes(entry.pass);
    if (kept > bound) return false;
    this.#passes.set(key, { scope, pass });
    return true;
  }

  /** Drops every pass of another run, and of this run every pass no scope in `wanted` would take. */
  prune(run: string, wanted: ReadonlySet<string>): void {
    if (this.#run !== run) {
      this.#passes.clear();
      this.#run = undefined;
      return;
    }
    for (const [key, { scope }] of this.#passes) if (!wanted.has(scope)) this.#passes.delete(key);
  }

  get size(): number {
    return this.#passes.size;
  }
}
