import { createReadStream, existsSync } from 'node:fs';
import { copyField, copyLineBatches, copyRow, parseCopyLine } from '../db/index.js';
import { fileReadBytes, LineWriter, readLineBatches } from '../files/index.js';

/**
 * The persons a written feed discloses, kept beside the feed file until the transfer is acknowledged;
 * the acknowledgement transaction turns it into disclosure rows. A sidecar file keeps personal data out
 * of Redis and memory flat at any size.
 *
 * Two files in PostgreSQL's COPY text format (src/db/copy-text.ts), so the acknowledgement streams them
 * into its staging tables as they are read, parsing nothing: the persons, in the feed's own order, each
 * with the categories of their record and whether that record's content hash is the one the recipient
 * already held; and the keys of persons whose group memberships the feed carries. Memberships are
 * ordered by group, not person, so the database does that join (see recordDisclosures), not a Set in
 * memory. A hub before these wrote one NDJSON file instead; a transfer it left pending still reads it.
 */
export type DisclosureLine =
  | {
      readonly kind: 'person';
      readonly personKey: string;
      readonly categories: readonly string[];
      /** The recipient held this very record already (a full re-sending it); absent: new or changed. */
      readonly unchanged?: boolean;
    }
  | { readonly kind: 'member'; readonly personKey: string };

/** Where a feed's disclosure manifest is written. */
export interface DisclosureManifestFiles {
  /** Rows of (person_key, categories, unchanged). */
  readonly persons: string;
  /** Rows of (person_key), a member's key again only where other members came between. */
  readonly members: string;
}

export function disclosureManifestFiles(feedPath: string): DisclosureManifestFiles {
  return { persons: `${feedPath}.disclosed.copy`, members: `${feedPath}.members.copy` };
}

/** The one NDJSON file an earlier hub wrote instead (see DisclosureLine). */
const ndjsonManifestPath = (feedPath: string): string => `${feedPath}.disclosures.ndjson`;

/** Whether the feed's manifest is an earlier hub's NDJSON: there, and not written again since in COPY text. */
const writtenAsNdjson = (feedPath: string): boolean =>
  !existsSync(disclosureManifestFiles(feedPath).persons) && existsSync(ndjsonManifestPath(feedPath));

/** Every file a feed's disclosure manifest may be in, whichever hub wrote it: what removal removes. */
export function disclosureManifestPaths(feedPath: string): string[] {
  const { persons, members } = disclosureManifestFiles(feedPath);
  return [persons, members, ndjsonManifestPath(feedPath)];
}

/** The files of a feed's disclosure manifest that are missing (none when it is complete, in either form). */
export function missingDisclosureManifest(feedPath: string): string[] {
  if (writtenAsNdjson(feedPath)) return [];
  const { persons, members } = disclosureManifestFiles(feedPath);
  return [persons, members].filter((path) => !existsSync(path));
}

/**
 * A person's row of the manifest, `person_key, categories, unchanged`, as copyRow writes it; the
 * categories' field given where it is kept formatted.
 */
const personRow = (
  line: Extract<DisclosureLine, { kind: 'person' }>,
  categories = copyField(line.categories),
): string => `${copyField(line.personKey)}\t${categories}\t${line.unchanged === true}\n`;

/** How many distinct category lists a writer keeps formatted (a feed has a few dozen). */
const keptCategoryLists = 1_000;

/** Writes a feed's disclosure manifest as the feed is rendered. */
export class DisclosureManifestWriter {
  readonly #persons: LineWriter;
  readonly #members: LineWriter;
  #lastMember: string | undefined;
  /**
   * Each distinct category list's COPY field, by its categories joined (a category's name holds no
   * NUL): formatting the array literal was most of a row's cost, for a few dozen lists across a feed's
   * hundreds of thousands of persons.
   */
  readonly #categoryFields = new Map<string, string>();

  constructor(files: DisclosureManifestFiles) {
    this.#persons = new LineWriter(files.persons);
    this.#members = new LineWriter(files.members);
  }

  async write(line: DisclosureLine): Promise<void> {
    if (line.kind === 'person')
      return this.#persons.write(personRow(line, this.#categoryField(line.categories)));
    // A person's memberships of one group follow each other: their key once (the rest is the join's).
    if (line.personKey === this.#lastMember) return;
    this.#lastMember = line.personKey;
    return this.#members.write(copyRow([line.personKey]));
  }

  #categoryField(categories: readonly string[]): string {
    // The count first: an empty list and a list of one empty name join alike.
    const id = `${categories.length}\u0000${categories.join('\u0000')}`;
    let field = this.#categoryFields.get(id);
    if (field === undefined) {
      field = copyField(categories);
      if (this.#categoryFields.size < keptCategoryLists) this.#categoryFields.set(id, field);
    }
    return field;
  }

  async close(): Promise<void> {
    await this.#persons.close();
    await this.#members.close();
  }

  destroy(): void {
    this.#persons.destroy();
    this.#members.destroy();
  }
}

/** A feed's disclosure manifest as the acknowledgement reads it (recordDisclosures). */
export interface DisclosureManifest {
  /** The persons' rows in COPY text, in chunks that may cut a row anywhere. */
  persons(): AsyncIterable<Buffer>;
  /** The member keys' lines (COPY text of one field, no newline), a batch at a time. */
  members(): AsyncIterable<readonly string[]>;
}

/** Opens a feed's disclosure manifest, in whichever form its hub wrote it. */
export function openDisclosureManifest(feedPath: string): DisclosureManifest {
  const ndjson = ndjsonManifestPath(feedPath);
  if (writtenAsNdjson(feedPath)) {
    return {
      persons: async function* () {
        for await (const batch of readNdjsonBatches(ndjson)) {
          const text = batch.map((line) => (line.kind === 'person' ? personRow(line) : '')).join('');
          if (text !== '') yield Buffer.from(text);
        }
      },
      members: async function* () {
        for await (const batch of readNdjsonBatches(ndjson)) {
          const keys = batch.flatMap((line) => (line.kind === 'member' ? [copyRow([line.personKey])] : []));
          if (keys.length > 0) yield keys.map((row) => row.slice(0, -1));
        }
      },
    };
  }
  const files = disclosureManifestFiles(feedPath);
  return {
    persons: () => createReadStream(files.persons, { highWaterMark: fileReadBytes }) as AsyncIterable<Buffer>,
    members: () => readLineBatches(files.members),
  };
}

/** A feed's disclosure manifest line by line, persons first: what it tells, for a reader that checks it. */
export async function* readDisclosureManifest(feedPath: string): AsyncGenerator<DisclosureLine> {
  const manifest = openDisclosureManifest(feedPath);
  for await (const lines of copyLineBatches(manifest.persons())) {
    for (const line of lines) {
      const [personKey, categories, unchanged] = parseCopyLine(line);
      yield {
        kind: 'person',
        personKey: personKey ?? '',
        categories: parseTextArray(categories ?? '{}'),
        ...(unchanged === 'true' || unchanged === 't' ? { unchanged: true } : {}),
      };
    }
  }
  for await (const lines of manifest.members())
    for (const line of lines) yield { kind: 'member', personKey: parseCopyLine(line)[0] ?? '' };
}

/** A text array literal as copyField writes one: every element quoted. */
function parseTextArray(literal: string): string[] {
  return [...literal.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
    (match[1] ?? '').replace(/\\(.)/g, '$1'),
  );
}

/** An earlier hub's NDJSON manifest, a batch of lines at a time. */
async function* readNdjsonBatches(path: string): AsyncGenerator<DisclosureLine[]> {
  for await (const lines of readLineBatches(path)) yield lines.map(parseNdjsonLine);
}

function parseNdjsonLine(text: string): DisclosureLine {
  // Most lines of a big feed are member lines: a key JSON.stringify left unescaped is the text itself.
  if (text.startsWith('["m","') && text.endsWith('"]') && !text.includes('\\')) {
    return { kind: 'member', personKey: text.slice(6, -2) };
  }
  // A fourth element 0 on a person: unchanged (a manifest written before it was kept has none).
  const parsed = JSON.parse(text) as ['p', string, string[], 0?] | ['m', string];
  return parsed[0] === 'p'
    ? {
        kind: 'person',
        personKey: parsed[1],
        categories: parsed[2],
        ...(parsed[3] === 0 ? { unchanged: true } : {}),
      }
    : { kind: 'member', personKey: parsed[1] };
}
