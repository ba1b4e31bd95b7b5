import { createReadStream, existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { copyLineBatches, copyRow, newline, parseCopyLine, wholeRowChunks } from '../db/index.js';
import { fileReadBytes, readLineBatches } from '../files/index.js';
import { objectTypeCode, type GroupDetail, type ObjectType } from './held-object.js';
import type { ViewBasis } from './view-basis.js';

/**
 * How a written feed will change the recipient's delivered state once it is acknowledged: a sidecar
 * beside the feed, like the disclosure manifest, so the acknowledgement transaction can apply it without
 * holding anything in memory. A full feed replaces the state; a delta applies upserts and deletes.
 *
 * A JSON header line (the mode and what the state is the view of), then one row per object in
 * PostgreSQL's COPY text format (src/db/copy-text.ts): `type code, key, hash, detail (JSON), input hash`,
 * the hash NULL for a delete. An acknowledgement into a recipient that holds nothing
 * streams the upserts into `hub.delivered_object` as they are read, each row behind the recipient and
 * transfer ids, parsing nothing. A hub before this wrote NDJSON lines; a transfer it left pending still
 * reads them.
 */
export type StateMode = 'replace' | 'apply';

export type StateLine =
  | {
      readonly op: 'upsert';
      readonly type: ObjectType;
      readonly key: string;
      readonly hash: string;
      readonly detail?: GroupDetail;
      /** A person's input hash (HeldObject.inputHash). */
      readonly inputHash?: string;
    }
  | { readonly op: 'delete'; readonly type: ObjectType; readonly key: string };

/** A row as the acknowledgement applies it: a null hash is a delete; the detail is JSON text. */
export type StateRow = readonly [
  type: number,
  key: string,
  hash: string | null,
  detail: string | null,
  inputHash: string | null,
];

export function stateManifestPath(feedPath: string): string {
  return `${feedPath}.state.copy`;
}

/** The NDJSON manifest an earlier hub wrote instead (see StateMode). */
const ndjsonManifestPath = (feedPath: string): string => `${feedPath}.state.ndjson`;

/** Every file a feed's state manifest may be, whichever hub wrote it: what removal removes. */
export function stateManifestPaths(feedPath: string): string[] {
  return [stateManifestPath(feedPath), ndjsonManifestPath(feedPath)];
}

/** The feed's state manifest when it is missing in both forms (as `missingDisclosureManifest`). */
export function missingStateManifest(feedPath: string): string[] {
  return stateManifestPaths(feedPath).some((path) => existsSync(path)) ? [] : [stateManifestPath(feedPath)];
}

/** The header; `view`: what the state is the view of once the manifest is applied (see ViewBasis). */
export function formatStateHeader(mode: StateMode, view?: ViewBasis): string {
  return `${JSON.stringify(view === undefined ? { mode } : { mode, view })}\n`;
}

export function formatStateLine(line: StateLine): string {
  const type = objectTypeCode[line.type];
  if (line.op === 'delete') return copyRow([type, line.key, null, null, null]);
  const detail = line.detail === undefined ? null : JSON.stringify(line.detail);
  return copyRow([type, line.key, line.hash, detail, line.inputHash ?? null]);
}

export interface StateManifest {
  readonly mode: StateMode;
  readonly view?: ViewBasis;
  /** The size of the rows' text in bytes (the file's, for an earlier hub's NDJSON): how much is to apply. */
  readonly bytes: number;
  /** The rows after the header, a batch at a time; read once. */
  rows(): AsyncIterable<readonly StateRow[]>;
  /** The rows after the header as COPY text, in chunks that may cut a row anywhere; read once. */
  text(): AsyncIterable<Buffer | string>;
  /**
   * The upserts as COPY text of `hub.delivered_object` rows, each behind `prefix` (the fields before
   * the row's own, tabs included), in chunks of whole rows; the deletes left out. Read once.
   */
  upsertText(prefix: string): AsyncIterable<Buffer | string>;
}

/** Opens a feed's state manifest, in whichever form its hub wrote it; refused without a valid header. */
export async function openStateManifest(feedPath: string): Promise<StateManifest> {
  const path = stateManifestPath(feedPath);
  if (!existsSync(path) && existsSync(ndjsonManifestPath(feedPath)))
    return openNdjsonManifest(ndjsonManifestPath(feedPath));
  const { header, bytes, size } = await readHeader(path);
  const body = () =>
    createReadStream(path, { start: bytes, highWaterMark: fileReadBytes }) as AsyncIterable<Buffer>;
  return {
    ...header,
    bytes: size - bytes,
    rows: async function* () {
      for await (const lines of copyLineBatches(body())) yield lines.map(stateRowOf);
    },
    text: body,
    upsertText: (prefix) => upsertRows(body(), Buffer.from(prefix)),
  };
}

type Header = { mode: StateMode; view?: ViewBasis };

function checkedHeader(text: string | undefined, path: string): Header {
  let parsed: { mode?: unknown; view?: ViewBasis } | undefined;
  try {
    parsed = text === undefined ? undefined : (JSON.parse(text) as typeof parsed);
  } catch {
    parsed = undefined;
  }
  const mode = parsed?.mode;
  if (mode !== 'replace' && mode !== 'apply') throw new TypeError(`${path} has no state manifest header`);
  return parsed?.view === undefined ? { mode } : { mode, view: parsed.view };
}

/** The header line, its length in bytes (newline included) and the file's. */
async function readHeader(path: string): Promise<{ header: Header; bytes: number; size: number }> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(fileReadBytes);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const end = buffer.subarray(0, bytesRead).indexOf(newline);
    const header = checkedHeader(end === -1 ? undefined : buffer.toString('utf8', 0, end), path);
    return { header, bytes: end + 1, size: (await file.stat()).size };
  } finally {
    await file.close();
  }
}

function stateRowOf(line: string): StateRow {
  const fields = parseCopyLine(line);
  const [type, key, hash, detail, inputHash] = fields;
  if (fields.length !== 5 || !/^[1-3]$/.test(type ?? '') || key == null) throw notARow();
  return [Number(type), key, hash ?? null, detail ?? null, inputHash ?? null];
}

const notARow = () => new TypeError('a state manifest line is not a row of one');

const tab = 0x09;

/** See StateManifest.upsertText: whole rows of each chunk, a delete (a NULL hash) left out. */
async function* upsertRows(chunks: AsyncIterable<Buffer>, prefix: Buffer): AsyncGenerator<Buffer> {
  for await (const rows of wholeRowChunks(chunks)) yield prefixed(rows, rows.length, prefix);
}

/** The rows of `data` up to `end` (a row boundary) that are upserts (a hash), each behind `prefix`. */
function prefixed(data: Buffer, end: number, prefix: Buffer): Buffer {
  let rows = 0;
  for (let at = data.indexOf(newline); at !== -1 && at < end; at = data.indexOf(newline, at + 1)) rows++;
  const out = Buffer.allocUnsafe(end + rows * prefix.length);
  let size = 0;
  for (let start = 0; start < end;) {
    const stop = data.indexOf(newline, start);
    const first = data.indexOf(tab, start);
    const second = first === -1 || first > stop ? -1 : data.indexOf(tab, first + 1);
    if (second === -1 || second > stop) throw notARow();
    // `\N` as the hash: a delete.
    const deleted =
      data[second + 1] === backslash && data[second + 2] === capitalN && data[second + 3] === tab;
    if (!deleted) {
      size += prefix.copy(out, size);
      size += data.copy(out, size, start, stop + 1);
    }
    start = stop + 1;
  }
  return out.subarray(0, size);
}

const backslash = 0x5c;
const capitalN = 0x4e;

/** An earlier hub's NDJSON manifest: the same rows, parsed and written as the COPY form gives them. */
async function openNdjsonManifest(path: string): Promise<StateManifest> {
  const reader = readLineBatches(path);
  const first = await reader.next();
  const lines = first.done === true ? [] : first.value;
  let header: Header;
  try {
    header = checkedHeader(lines[0], path);
  } catch (error) {
    await reader.return(undefined);
    throw error;
  }
  const rows = (async function* () {
    yield lines.slice(1).map((line) => rowOfLine(parseNdjsonLine(line)));
    for await (const batch of reader) yield batch.map((line) => rowOfLine(parseNdjsonLine(line)));
  })();
  return {
    ...header,
    bytes: (await stat(path)).size,
    rows: () => rows,
    text: async function* () {
      for await (const batch of rows) yield batch.map((row) => copyRow(row)).join('');
    },
    upsertText: async function* (prefix) {
      for await (const batch of rows) {
        const text = batch.map((row) => (row[2] === null ? '' : prefix + copyRow(row))).join('');
        if (text !== '') yield text;
      }
    },
  };
}

function rowOfLine(line: StateLine): StateRow {
  const type = objectTypeCode[line.type];
  if (line.op === 'delete') return [type, line.key, null, null, null];
  return [
    type,
    line.key,
    line.hash,
    line.detail === undefined ? null : JSON.stringify(line.detail),
    line.inputHash ?? null,
  ];
}

function parseNdjsonLine(text: string): StateLine {
  const parsed = JSON.parse(text) as
    ['u', ObjectType, string, string, (GroupDetail | null)?, string?] | ['d', ObjectType, string];
  if (parsed[0] === 'u') {
    const [, type, key, hash, detail, inputHash] = parsed;
    return {
      op: 'upsert',
      type,
      key,
      hash,
      ...(detail === undefined || detail === null ? {} : { detail }),
      ...(inputHash === undefined ? {} : { inputHash }),
    };
  }
  return { op: 'delete', type: parsed[1], key: parsed[2] };
}
