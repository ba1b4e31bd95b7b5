import fc from 'fast-check';
import { CopyRowReader } from '../../../connectors/sources/records-db/copy-rows.js';
import { copyLineBatches, copyRow, parseCopyLine, type CopyField } from '../../../src/db/copy-text.js';

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function lines(bytes: Buffer, size: number): Promise<string[]> {
  const all: string[] = [];
  for await (const batch of copyLineBatches(chunksOf(bytes, size))) all.push(...batch);
  return all;
}

describe('COPY text format', () => {
  it('splits fields at tabs, reads \\N as null and an empty field as the empty string', () => {
    expect(parseCopyLine('a\t\\N\t\tb')).toEqual(['a', null, '', 'b']);
  });

  it('undoes every escape COPY TO writes, and a backslash before any other character', () => {
    expect(parseCopyLine('x\\ty\\nz\\r\\\\\\b\\f\\v\tq\\Nr\t\\\\N')).toEqual([
      'x\ty\nz\r\\\b\f\v',
      'qNr',
      '\\N',
    ]);
    expect(parseCopyLine('\\101\\x42\\\\101')).toEqual(['AB\\101']);
  });

  it('reads back every row it writes: text with any character, NULL and the empty string', () => {
    const value = fc.oneof(fc.string(), fc.constantFrom(null, '', '\\N', '\\', '\t\n\r', 'NULL'));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), (values) => {
        const row = copyRow(values);
        expect(row.endsWith('\n')).toBe(true);
        expect(row.slice(0, -1)).not.toContain('\n');
        expect(parseCopyLine(row.slice(0, -1))).toEqual(values);
      }),
    );
  });

  it('finds every row whatever the chunk boundaries, multi-byte characters split or not', async () => {
    const rows = ['Øystein\tÆrlig Åsen', 'ĳ\\n𝄞\t\\N', '', 'søt'];
    const bytes = Buffer.from(rows.map((row) => `${row}\n`).join(''), 'utf8');
    for (const size of [1, 2, 3, 5, 7, 64, bytes.length]) expect(await lines(bytes, size)).toEqual(rows);
  });

  it('reads a block of lines row by row as splitting and parsing it whole does, empty rows and block ends included', () => {
    const field = fc.oneof(fc.constantFrom('', '\\N', 'a\\tb', 'Ø', '\\\\'), fc.string({ maxLength: 4 }));
    const line = fc.array(field, { minLength: 1, maxLength: 3 }).map((fields) => fields.join('\t'));
    const block = fc.array(line, { maxLength: 6 }).map((lines) => lines.join('\n'));
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 3 }), (blocks) => {
        const reader = new CopyRowReader();
        const read: CopyField[][] = [];
        expect(reader.peek()).toBeUndefined();
        for (const text of blocks) {
          reader.load(text);
          for (let row = reader.peek(); row !== undefined; row = reader.peek()) {
            expect(reader.peek()).toBe(row);
            read.push(row);
            reader.advance();
          }
        }
        expect(read).toEqual(blocks.flatMap((text) => text.split('\n').map(parseCopyLine)));
      }),
    );
  });
});
