import { hash } from 'node:crypto';
import type { PersonScopeFacts } from '../model/index.js';
import { hubVersion } from '../operations/hub-version.js';
import type { Profile } from './profile.js';
import { pseudonymFor } from './pseudonym.js';
import type { RecipientScope } from './recipient-scope.js';
import { packLinks } from './packed-key-map.js';
import { guardianFlag } from './role-flags.js';

/**
 * Bump when projectPerson makes something else of the same inputs without a new release (a release
 * changes the hub's version, which is in every input hash too): held input hashes then all differ, and
 * every person is projected again once.
 */
const projectionVersion = 1;

let version: string | undefined;

/**
 * The code a view is computed with, as far as it decides a view's content: the hub's version and the
 * projection's. A delivered state computed by other code is not assumed to be this code's view.
 */
export function viewCode(): string {
  version ??= hubVersion();
  return `${projectionVersion}\u0001${version}`;
}

/**
 * The input hash of each person in a view (issue 14): a digest of everything projectPerson makes the
 * person's feed record from — the whole record (by its encoded digest), the roles they are in view in,
 * the guardian links that survive (eligible and with the guardian in view), the profile, the pseudonym
 * secret and the code. Two equal input hashes mean equal projections, so a delta may reuse what it
 * holds for a person whose input hash it holds instead of decoding, projecting and hashing them.
 *
 * The scope day is not in it: it reaches a projection only through the roles and link eligibility,
 * which are. Memory: one string per pupil with a surviving guardian link (their guardians' keys).
 */
export class PersonInputs {
  readonly #salt: string;
  /** Pupil → the guardian keys of their eligible links; after `close`, only those in view. */
  #building = new Map<string, string>();
  #links: ReadonlyMap<string, string> = this.#building;
  #closed = false;

  constructor(profile: Profile, pseudonymKey: Uint8Array | undefined) {
    version ??= hubVersion();
    const secret = pseudonymKey === undefined ? '' : pseudonymFor(pseudonymKey, 'pifu-hub input hash');
    const profileDigest = hash('sha256', JSON.stringify(profile), 'base64');
    this.#salt = `${projectionVersion}\u0001${version}\u0001${profileDigest}\u0001${secret}`;
  }

  /** After `scope.addPerson(facts)`: a pupil's eligible guardian links (only a pupil's are projected). */
  addFacts(facts: PersonScopeFacts, scope: RecipientScope): void {
    if (facts.guardians.length === 0 || !scope.rolesOf(facts.key).has('pupil')) return;
    const keys = facts.guardians
      .filter((link) => scope.linkEligible(link, facts))
      .map((link) => link.guardianKey);
    if (keys.length > 0) this.#building.set(facts.key, keys.join('\u0001'));
  }

  /** After `scope.closePersons()`: of each pupil's links, those whose guardian is in view as one. */
  close(scope: RecipientScope): void {
    if (this.#closed) return;
    for (const [pupil, keys] of this.#building) {
      const kept = keys
        .split('\u0001')
        .filter((key) => (scope.roleFlags(key) & guardianFlag) !== 0)
        .join('\u0001');
      if (kept === '') this.#building.delete(pupil);
      else this.#building.set(pupil, kept);
    }
    // Held for the rest of the view (and maybe by the next recipient's): packed, not a Map of strings.
    this.#links = packLinks(this.#building);
    this.#building = new Map();
    this.#closed = true;
  }

  /** After `close`: the surviving links (what another view with the same person scope may adopt). */
  settledLinks(): ReadonlyMap<string, string> {
    if (!this.#closed) throw new TypeError('the links of these inputs are not settled yet');
    return this.#links;
  }

  /** Instead of addFacts and close: the settled links of a view with the same person scope. */
  adoptLinks(links: ReadonlyMap<string, string>): void {
    if (this.#closed || this.#building.size > 0)
      throw new TypeError('inputs adopt links instead of their own');
    this.#links = links;
    this.#closed = true;
  }

  /**
   * 128 bits (hex) over the salt, the person's role flags, their surviving links (`settledLinks`' entry
   * for them, '' for none) and record digest.
   */
  inputHash(links: string, roleFlags: number, recordDigest: string): string {
    return hash('sha256', `${this.#salt}\u0002${roleFlags}\u0002${links}\u0002${recordDigest}`, 'hex').slice(
      0,
      32,
    );
  }
}
