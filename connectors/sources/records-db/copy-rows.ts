import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { HubError, isHubError } from '../../../src/errors/index.js';

/** A field of PostgreSQL's COPY text format: the text, or null for `\N`. */
export type CopyField = string | null;

const newline = 0x0a;
const escapes: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/**
 * Undoes COPY text escaping. COPY TO writes only the escapes above (a backslash before any other
 * character stands for that character, and `\N` alone is null, handled by the caller); octal and hex
 * escapes are input-only, but are decoded anyway so a server that used them would not corrupt a value.
 */
function unescapeField(field: string): string {
  return field.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/gs, (_match, octal, hex, single) => {
    if (octal !== undefined) return String.fromCharCode(parseInt(octal as string, 8));
    if (hex !== undefined) return String.fromCharCode(parseInt(hex as string, 16));
    return escapes[single as string] ?? (single as string);
  });
}

/** Splits one COPY text line (without its newline) into fields. */
export function parseCopyLine(line: string): CopyField[] {
  return line.split('\t').map((field) => {
    if (field === '\\N') return null;
    return field.includes('\\') ? unescapeField(field) : field;
  });
}

/**
 * The lines of a COPY text stream, decoded from UTF-8 at line boundaries: a newline byte never occurs
 * inside a multi-byte UTF-8 sequence, and a newline inside a value is escaped as `\n`, so every 0x0a
 * byte ends a row whatever the chunk boundaries are. Holds at most one chunk and one partial line.
 */
export async function* copyLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest: Buffer | undefined;
  for await (const chunk of chunks) {
    const data = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
    let start = 0;
    for (let end = data.indexOf(newline, start); end !== -1; end = data.indexOf(newline, start)) {
      yield data.toString('utf8', start, end);
      start = end + 1;
    }
    rest = start === data.length ? undefined : data.subarray(start);
  }
  if (rest !== undefined) yield rest.toString('utf8');
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
 * Rows of `COPY (query) TO STDOUT` read in the exported snapshot, on a connection of their own (so any
 * number of streams of one snapshot can be open at once, and none takes a pool connection the hub needs
 * meanwhile). The connection imports the snapshot into a REPEATABLE READ, READ ONLY transaction, so it
 * sees exactly what the exporting transaction sees. Stopping early (or failing) closes the connection.
 */
export async function* copyRows(
  what: string,
  snapshot: CopySnapshot,
  query: string,
): AsyncGenerator<CopyField[]> {
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
    for await (const line of copyLines(chunks)) yield parseCopyLine(line);
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
