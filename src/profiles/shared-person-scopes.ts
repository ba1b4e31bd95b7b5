import { hash } from 'node:crypto';
import type { Profile } from './profile.js';

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
 * At most this many entries (persons in scope plus pupils' surviving links) are kept between them, about
 * 12 MB as Maps of strings: at Oslo the scopes of pupils and staff (105,000 persons), of staff and of
 * transport fit, and the guardians' scope (261,000 persons and 95,000 links, ~37 MB) is made again rather
 * than held through the feeds written between its recipients (measured: peak RSS 353 MB with it held,
 * 300 MB is the target). A settled pass of the hub's keys is packed now (PackedKeyMap, about 20 bytes an
 * entry), so the bound could be raised; not measured yet.
 */
const keptEntries = 150_000;

const entriesOf = (pass: PersonScopePass): number => pass.persons.size + pass.links.size;

/**
 * Person passes kept for other recipients of the same run, so recipients with the same person scope
 * (personScopeOf), scope day and excluded persons make the pass once between them. An entry is kept
 * only while a recipient still to be written would take it (see `prune`), and only while the kept
 * passes stay within a bound (keptEntries): role flags per person in scope, never a person's data.
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
  keep(run: string, key: string, scope: string, pass: PersonScopePass, bound = keptEntries): boolean {
    if (this.#run !== run) this.#passes.clear();
    this.#run = run;
    let kept = entriesOf(pass);
    for (const [other, entry] of this.#passes) if (other !== key) kept += entriesOf(entry.pass);
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
