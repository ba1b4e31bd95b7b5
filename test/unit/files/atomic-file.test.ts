import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Line, writeFileAtomically } from '../../../src/files/index.js';

describe('writeFileAtomically', () => {
  it('writes the content and reports its size and sha-256 computed while writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'feed.xml');
    const written = await writeFileAtomically(path, ['<a>', 'æøå', '</a>']);
    const bytes = readFileSync(path);
    expect(bytes.toString()).toBe('<a>æøå</a>');
    expect(written.sizeBytes).toBe(bytes.length);
    expect(written.sha256Hex).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(readdirSync(dir)).toEqual(['feed.xml']);
  });

  it('writes many small chunks, text and bytes mixed, as exactly those bytes in that order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const chunks: (string | Uint8Array)[] = [];
    for (let i = 0; i < 20_000; i++) {
      chunks.push(i % 7 === 0 ? Buffer.from(`[${i}]`) : `<p id="${i}">æ${'x'.repeat(i % 13)}</p>`);
    }
    const expected = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
    async function* produced(): AsyncGenerator<string | Uint8Array> {
      yield* chunks;
    }
    const written = await writeFileAtomically(join(dir, 'feed.xml'), produced());
    const bytes = readFileSync(join(dir, 'feed.xml'));
    expect(bytes.equals(expected)).toBe(true);
    expect(written.sizeBytes).toBe(expected.length);
    expect(written.sha256Hex).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('leaves no file, not even a partial one, when the producer fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    async function* failing(): AsyncGenerator<string> {
      yield '<enterprise>';
      throw new Error('source went away');
    }
    await expect(writeFileAtomically(join(dir, 'feed.xml'), failing())).rejects.toThrow('source went away');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('formats a sha256sum-compatible checksum line', () => {
    expect(sha256Line('ab'.repeat(32), 'feed.xml')).toBe(`${'ab'.repeat(32)}  feed.xml\n`);
  });
});
