import { randomUUID } from 'node:crypto';
import { ByteTable } from '../../../connectors/sources/pifu-file/byte-table.js';
import { uuidBytes, uuidText } from '../../../connectors/sources/pifu-file/uuid-bytes.js';

const key = (n: number) => Buffer.from(n.toString(16).padStart(8, '0'), 'hex');

describe('ByteTable', () => {
  it('finds every record it holds, through growth, and none it does not', () => {
    const table = new ByteTable(4, 2, 4);
    for (let n = 0; n < 20_000; n++) {
      const { value, added } = table.insert(key(n));
      expect(added).toBe(true);
      value.writeUInt16BE(n % 65_536);
    }
    expect(table.size).toBe(20_000);
    for (let n = 0; n < 20_000; n++) expect(table.get(key(n))?.readUInt16BE()).toBe(n % 65_536);
    for (let n = 20_000; n < 21_000; n++) expect(table.has(key(n))).toBe(false);
  });

  it('keeps one record a key: a second insert finds the first, its value as it was', () => {
    const table = new ByteTable(2, 1);
    table.insert(Buffer.from([1, 2])).value[0] = 7;
    const again = table.insert(Buffer.from([1, 2]));
    expect(again).toEqual({ value: Buffer.from([7]), added: false });
    expect(table.size).toBe(1);
  });

  it('hands out a value as a view: a change in it is the record’s', () => {
    const table = new ByteTable(2, 1);
    table.insert(Buffer.from([0, 0]));
    table.get(Buffer.from([0, 0]))![0]! |= 4;
    expect(table.get(Buffer.from([0, 0]))![0]).toBe(4);
  });

  it('lists every record once, with its value, and holds a key of all zero bytes like any other', () => {
    const table = new ByteTable(3, 0);
    const keys = [Buffer.from([0, 0, 0]), Buffer.from([0, 0, 1]), Buffer.from([255, 255, 255])];
    for (const each of keys) table.insert(each);
    const listed = [...table.entries()].map(([k, v]) => [k.toString('hex'), v.length]);
    expect(listed.sort()).toEqual([
      ['000000', 0],
      ['000001', 0],
      ['ffffff', 0],
    ]);
  });

  it('refuses a key of the wrong width to insert, and finds none', () => {
    const table = new ByteTable(4, 0);
    expect(() => table.insert(Buffer.from([1]))).toThrow(RangeError);
    expect(table.has(Buffer.from([1, 2, 3, 4, 5]))).toBe(false);
  });

  it('holds sequential keys (ids a file numbers in order) in a table a few times their bytes', () => {
    const table = new ByteTable(16, 1);
    for (let n = 0; n < 100_000; n++)
      table.insert(uuidBytes(`00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`)!);
    expect(table.size).toBe(100_000);
    expect(table.bytes / table.size).toBeLessThan(4 * 18);
  });
});

describe('uuid bytes', () => {
  it('round-trips a canonical uuid through its 16 bytes', () => {
    for (let i = 0; i < 100; i++) {
      const text = randomUUID();
      const bytes = uuidBytes(text)!;
      expect(bytes).toHaveLength(16);
      expect(uuidText(bytes)).toBe(text);
    }
  });

  it('reads the text of a view into a larger buffer at its offset', () => {
    const text = randomUUID();
    const big = Buffer.concat([Buffer.from([9, 9, 9]), uuidBytes(text)!, Buffer.from([9])]);
    expect(uuidText(big.subarray(3, 19))).toBe(text);
  });

  it('takes no text but a canonical uuid (an upper-case one would come back different)', () => {
    for (const text of [
      '',
      'abc',
      '0B7C4F5E-0000-4000-8000-000000000001',
      '0b7c4f5e00004000800000000000000001',
      'grp-0b7c4f5e-0000-4000-8000-000000000001',
    ]) {
      expect(uuidBytes(text)).toBeUndefined();
    }
  });
});
