/**
 * PostgreSQL's COPY text format, both ways: what the hub writes for `COPY … FROM STDIN` (the feed
 * manifests, the acknowledgement's rows) and what a records store's `COPY … TO STDOUT` gives. A row is
 * its fields joined by tabs and ended by a newline; `\N` is NULL; a backslash escapes what would end a
 * field or a row. A newline byte therefore only ever ends a row, whatever the chunk boundaries are.
 */

/** A column value COPY writes: text, a number, a boolean, a text array, or NULL. */
export type CopyValue = string | number | boolean | readonly string[] | null;

/** A field read back from COPY text: the text, or null for `\N`. */
export type CopyField = string | null;

export const newline = 0x0a;

const special = /[\\\t\n\r]/;
const specials = /[\\\t\n\r]/g;
const escapesOut: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const arrayElement = /[\\"]/g;

/** One value in COPY's text format: `\N` for NULL, a backslash before what would end a field or row. */
export function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // An array literal with every element quoted, so no element is read as NULL or split.
  const text =
    typeof value === 'string'
      ? value
      : `{${value.map((element) => `"${element.replace(arrayElement, '\\$&')}"`).join(',')}}`;
  return special.test(text)
    ? text.replace(specials, (character) => escapesOut[character] ?? character)
    : text;
}

/** One row of COPY text, its newline included. */
export function copyRow(values: readonly CopyValue[]): string {
  let row = copyField(values[0] ?? null);
  for (let i = 1; i < values.length; i++) row += `\t${copyField(values[i] ?? null)}`;
  return `${row}\n`;
}

const escapesIn: Readonly<Record<string, string>> = {
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
    return escapesIn[single as string] ?? (single as string);
  });
}

/** Splits one COPY text line (without its newline) into fields, in place of the split's own array. */
export function parseCopyLine(line: string): CopyField[] {
  const fields: CopyField[] = line.split('\t');
  if (!line.includes('\\')) return fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field === '\\N') fields[i] = null;
    else if (field.includes('\\')) fields[i] = unescapeField(field);
  }
  return fields;
}

/**
 * A COPY text stream in chunks of whole rows, each chunk's rows up to its last newline (a last row
 * without one is given one): a newline byte never occurs inside a multi-byte UTF-8 sequence, and a
 * newline inside a value is escaped as `\n`, so every 0x0a byte ends a row whatever the chunk boundaries
 * are. Holds at most one chunk and one partial row.
 */
export async function* wholeRowChunks(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let rest: Buffer | undefined;
  for await (const chunk of chunks) {
    const data = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
    const last = data.lastIndexOf(newline);
    if (last === -1) {
      rest = data;
      continue;
    }
    yield data.subarray(0, last + 1);
    rest = last === data.length - 1 ? undefined : data.subarray(last + 1);
  }
  if (rest !== undefined) yield Buffer.concat([rest, Buffer.of(newline)]);
}

/** The text of a COPY text stream, a chunk's rows at a time (see wholeRowChunks), decoded once, without the last newline. */
export async function* copyTextBlocks(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  for await (const rows of wholeRowChunks(chunks)) yield rows.toString('utf8', 0, rows.length - 1);
}

/** The lines of a COPY text stream, a block's lines at a time (see copyTextBlocks). */
export async function* copyLineBatches(chunks: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  for await (const text of copyTextBlocks(chunks)) yield text.split('\n');
}
