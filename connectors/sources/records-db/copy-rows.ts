import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { copyTextBlocks, parseCopyLine, type CopyField } from '../../../src/db/index.js';
import { HubError, isHubError } from '../../../src/errors/index.js';

export type { CopyField };

/** A field's text, or a PIFU_SOURCE_INVALID error where a value its column requires is null. */
export const text = (field: CopyField | undefined): string => {
  if (field === null || field === undefined)
    throw new HubError('PIFU_SOURCE_INVALID', 'a records store COPY row lacks a value its column requires');
  return field;
};
/** COPY text's `t`/`f`, numbers and nulls. */
export const nullable = (field: CopyField | undefined): string | null => field ?? null;
export const bool = (field: CopyField | undefined): boolean => text(field) === 't';
export const smallint = (field: CopyField | undefined): number | null =>
  field === null || field === undefined ? null : Number(field);

/**
 * The rows of a block of COPY text (copyTextBlocks), each parsed only when reached: a block's rows wait
 * in a merge (copy-persons.ts) while the persons before them are mapped and encoded, and held parsed
 * (an array and a string per field) they outlived young-generation collections by the thousand and were
 * copied and promoted; held as the block's one string, only the row being merged is.
 */
export class CopyRowReader {
  #text = '';
  /** Where the next row's line starts; past the end when the block is read (or none was given). */
  #at = 1;
  #row: CopyField[] | undefined;

  /** Reads `text` next (the reader must be at its block's end). */
  load(text: string): void {
    this.#text = text;
    this.#at = 0;
    this.#row = undefined;
  }

  /** The current row, parsed when first asked; undefined at the block's end. */
  peek(): CopyField[] | undefined {
    if (this.#row === undefined && this.#at <= this.#text.length) {
      const end = this.#text.indexOf('\n', this.#at);
      const to = end === -1 ? this.#text.length : end;
      this.#row = parseCopyLine(this.#text.slice(this.#at, to));
      this.#at = to + 1;
    }
    return this.#row;
  }

  /** Moves past the current row. */
  advance(): void {
    this.#row = undefined;
  }
}

/** PostgreSQL's exported snapshot names: hex groups and a number joined by dashes. */
const snapshotIdPattern = /^[0-9A-F]+(?:-[0-9A-F]+)+$/i;

/** One exported snapshot as its COPY streams read it. */
export interface CopySnapshot {
  /** What a `pg.Client` needs to connect: the hub pool's own options. */
  readonly connection: pg.ClientConfig;
  /** `pg_export_snapshot()` of the snapshot's transaction, alive while it is open. */
  readonly snapshotId: string;
  /** Throws if the snapshot was aborted or closed; runs before every chunk. */
  readonly ensureOpen: () => void;
  /** The connections of the streams being read; closing the snapshot ends any a reader left open. */
  readonly clients: Set<pg.Client>;
}

/**
 * Rows of `COPY (query) TO STDOUT` read in the exported snapshot, a received chunk's rows at a time
 * (each row mapped as it is parsed: copyBatches; as text for a CopyRowReader: copyTextBatches), on a connection of their own (so any
 * number of streams of one snapshot can be open at once, and none takes a pool connection the hub needs
 * meanwhile). The connection imports the snapshot into a REPEATABLE READ, READ ONLY transaction, so it
 * sees exactly what the exporting transaction sees. Stopping early (or failing) closes the connection.
 */
export async function* copyBatches<T>(
  what: string,
  snapshot: CopySnapshot,
  query: string,
  map: (row: CopyField[]) => T,
): AsyncGenerator<T[]> {
  // Row by row, so each row's fields are garbage as soon as it is mapped, not held with the chunk's.
  const rows = new CopyRowReader();
  for await (const text of copyTextBatches(what, snapshot, query)) {
    rows.load(text);
    const mapped: T[] = [];
    for (let row = rows.peek(); row !== undefined; row = rows.peek()) {
      mapped.push(map(row));
      rows.advance();
    }
    yield mapped;
  }
}

/** The text of `COPY (query) TO STDOUT`, whole lines a received chunk at a time (see copyBatches). */
export async function* copyTextBatches(
  what: string,
  snapshot: CopySnapshot,
  query: string,
): AsyncGenerator<string> {
  const { connection, snapshotId, ensureOpen: beforeChunk, clients } = snapshot;
  beforeChunk();
  if (!snapshotIdPattern.test(snapshotId))
    throw new HubError(
      'PIFU_SOURCE_UNAVAILABLE',
      'the records store exported a snapshot id the hub cannot read',
    );
  const client = new pg.Client(connection);
  // A connection lost mid-stream fails the stream below; unheard, the 'error' event would end the process.
  client.on('error', () => undefined);
  let finished = false;
  let stream: ReturnType<typeof copyTo> | undefined;
  clients.add(client);
  try {
    await client.connect();
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set transaction snapshot '${snapshotId}'`);
    stream = client.query(copyTo(`copy (${query}) to stdout`));
    const chunks = (async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        beforeChunk();
        yield chunk;
      }
    })(stream as AsyncIterable<Buffer>);
    yield* copyTextBlocks(chunks);
    await client.query('commit');
    finished = true;
  } catch (error) {
    if (isHubError(error)) throw error;
    beforeChunk();
    throw new HubError(
      'PIFU_SOURCE_UNAVAILABLE',
      `reading ${what} from the records store failed; check the database connection and retry`,
      { cause: error },
    );
  } finally {
    clients.delete(client);
    if (!finished) stream?.destroy();
    await client.end().catch(() => undefined);
  }
}
