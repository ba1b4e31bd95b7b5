import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import type { SourceConnector } from './source-connector.js';

/** Where a file breaks the spec or the hub's rules; each can be tolerated by the mode of the same name. */
export const lenientModes = [
  /** A national number whose check digits fail (the official examples' placeholders): the number is dropped. */
  'invalid-nin',
  /** A reference to an object the file does not hold: the membership, link or group is dropped. */
  'dangling-references',
  /** A subrole PIFU 1.3 does not pair with the roletype (1.1 exports): the subrole is dropped. */
  'legacy-subrole',
  /**
   * A well-formed record the mapping cannot read (no name, a group type 1.3 does not know): the object is
   * dropped. Never a record that is not well-formed XML: that refuses the file whatever is tolerated.
   */
  'unreadable-objects',
  /** A person or group id given twice, or a member with one role twice in a group: the later one is dropped. */
  'duplicates',
  /**
   * A delta's update (recstatus 2) or delete (recstatus 3) of an object the roster it changes does not
   * hold: an update adds the object, a delete changes nothing.
   */
  'unknown-objects',
  /**
   * A sourcedid whose `source` is not the file's `properties/datasource` (spec 2.5 row 5.6: it should
   * be): its id is read as the datasource's, as every id of the file is.
   */
  'foreign-sources',
  /**
   * A group whose grouptype `scheme` or `typevalue@level` is not the one spec 2.3 pairs with its
   * `typevalue` (`basisgruppe` under `pifu-ims-go-org`, or at level 3): the type is read from the value.
   */
  'group-type-codes',
] as const;

export type LenientMode = (typeof lenientModes)[number];

/** How `--lenient`, PIFU_HUB_IMPORT_LENIENT and a source's `lenient` name the modes. */
export const lenientModeHelp = `${lenientModes.join(', ')}, all (comma-separated), or none alone`;

/**
 * Comma-separated mode names as `--lenient`, PIFU_HUB_IMPORT_LENIENT and a source's `lenient` give them:
 * each a mode, `all` (every mode) or `none` (no mode: strict, to override a configured default). `none`
 * with any other name is refused, not read as the others: `none,all` would otherwise be all, the
 * opposite of what its first word says. Undefined when refused; the caller names where it came from.
 */
export function parseLenientModes(texts: readonly string[]): LenientMode[] | undefined {
  const names = texts.flatMap((text) => text.split(',').map((name) => name.trim())).filter(Boolean);
  const known = new Set<string>([...lenientModes, 'all', 'none']);
  if (names.some((name) => !known.has(name))) return undefined;
  if (names.includes('none') && names.some((name) => name !== 'none')) return undefined;
  if (names.includes('all')) return [...lenientModes];
  return lenientModes.filter((mode) => names.includes(mode));
}

/** One problem with one object. `id` is the file's id with any national number in it masked. */
export interface ImportProblem {
  readonly rule: LenientMode;
  readonly object: 'person' | 'group' | 'membership';
  readonly id: string;
  readonly line: number;
  /** Said without any value from the file. */
  readonly what: string;
}

/** What an import read, left out and found, with no personal value in it. */
export interface ImportReport {
  readonly file: { readonly path: string; readonly bytes: number; readonly sha256: string };
  readonly feedType: 'full' | 'delta' | 'event';
  /** The file's `datetime`: the snapshot time of the run it becomes. */
  readonly datetime: string;
  readonly counts: { readonly persons: number; readonly groups: number; readonly memberships: number };
  /** Elements (and `userid` passwords) dropped at the door (docs/requirements.md#r1), by kind: never spooled. */
  readonly withheld: Readonly<Record<string, number>>;
  /**
   * Objects whose file id the hub replaced by a key of its own: every person, groups whose id held a
   * national number or was another system's group's key; `groupsForNationalNumber` of those groups, the
   * ones whose id held a national number.
   */
  readonly rekeyed: {
    readonly persons: number;
    readonly groups: number;
    readonly groupsForNationalNumber: number;
  };
  /** Per rule: how many objects broke it. */
  readonly problemCounts: Readonly<Partial<Record<LenientMode, number>>>;
  /** The first problems, in file order (at most 200). */
  readonly problems: readonly ImportProblem[];
  readonly lenient: readonly LenientMode[];
  /** True when a problem's rule is not tolerated: nothing from the file is used. */
  readonly refused: boolean;
  /** A delta: the import it applies to (the last one committed from the same `datasource`). */
  readonly base?: { readonly runId: string; readonly datetime: string; readonly feedType: 'full' | 'delta' };
  /** A delta: what it changes in that roster, per object (`counts` are the roster it leaves). */
  readonly changes?: Readonly<Record<'persons' | 'groups' | 'memberships', RosterChangeCounts>>;
}

export interface RosterChangeCounts {
  readonly added: number;
  readonly changed: number;
  readonly deleted: number;
}

export interface RosterFile {
  readonly report: ImportReport;
  /** The file's roster as a source (canonical order, hub keys), to preview or spool; valid until `close`. */
  readonly source: SourceConnector;
  /**
   * Writes what `commit` will keep (the roster, as the base of the source's next delta) before the
   * caller's transaction, so the transaction stays short; `commit` does it when it was not called.
   */
  prepare(): Promise<void>;
  /**
   * In the caller's transaction (the run's): keeps the hub keys this file introduced, and makes the
   * roster it leaves the one the source's next delta applies to. Refuses (PIFU_IMPORT_REFUSED) when
   * another import of the same source committed since this file was read.
   */
  commit(trx: Kysely<HubDatabase>, runId: string): Promise<void>;
  /** Removes the scratch files, and any kept roster of the source that no committed import names. */
  close(): Promise<void>;
}

/**
 * Reads PIFU files from outside as rosters. The implementation (`connectors/sources/pifu-file`) must read
 * every byte through the input guard (no entity resolved or fetched, bounded time and memory), drop what
 * no recipient may get before it reaches disk, replace the file's ids by hub keys, and change nothing
 * persistent until `commitIdentities`.
 */
export interface RosterFileReader {
  read(
    path: string,
    options: {
      readonly lenient: readonly LenientMode[];
      readonly scratchDir: string;
      readonly signal?: AbortSignal;
    },
  ): Promise<RosterFile>;
}
