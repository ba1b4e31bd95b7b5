import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFileAtomically, digestFile, sha256Line, writeFileAtomically } from '../../../src/files/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

describe('writeFileAtomically', () => {
  it('writes the content and reports its size and sha-256 computed while writing', async () => {
    const dir = scratchDir('atomic-');
    const path = join(dir, 'feed.xml');
    const written = await writeFileAtomically(path, ['<a>', 'æøå', '</a>']);
    const bytes = readFileSync(path);
    expect(bytes.toString()).toBe('<a>æøå</a>');
    expect(written.sizeBytes).toBe(bytes.length);
    expect(written.sha256Hex).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(readdirSync(dir)).toEqual(['feed.xml']);
  });

  it('writes many small chunks, text and bytes mixed, as exactly those bytes in that order', async () => {
    const dir = scratchDir('atomic-');
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

  it('writes chunks of bytes bigger than a block, alone or between text, as exactly those bytes', async () => {
    const dir = scratchDir('atomic-');
    const big = (fill: number, size: number) => Buffer.alloc(size, fill);
    const chunks: (string | Uint8Array)[] = [
      big(1, 300_000),
      big(2, 65_536),
      'æøå',
      big(3, 70_000),
      big(4, 10),
      big(5, 1 << 18),
    ];
    const written = await writeFileAtomically(join(dir, 'frames'), chunks);
    const expected = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
    expect(readFileSync(join(dir, 'frames')).equals(expected)).toBe(true);
    expect(written.sizeBytes).toBe(expected.length);
  });

  it('computes no sha-256 when told nobody reads it, and writes the same bytes', async () => {
    const dir = scratchDir('atomic-');
    const chunks = [Buffer.from('frames '), 'æøå', Buffer.alloc(100_000, 7)];
    const written = await writeFileAtomically(join(dir, 'persons.frames'), chunks, { digest: false });
    const expected = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
    expect(readFileSync(join(dir, 'persons.frames')).equals(expected)).toBe(true);
    expect(written).toEqual({ path: join(dir, 'persons.frames'), sizeBytes: expected.length });
    expect('sha256Hex' in written).toBe(false);
    expect(readdirSync(dir)).toEqual(['persons.frames']);
  });

  it('leaves no file, not even a partial one, when the producer fails', async () => {
    const dir = scratchDir('atomic-');
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

describe('copyFileAtomically', () => {
  it('copies the bytes, 0600, and reports the size and sha-256 read back from the copy', async () => {
    const dir = scratchDir('atomic-copy-');
    // Bigger than one read of the digest (1 MiB), and not a multiple of it.
    const bytes = Buffer.alloc(3 * (1 << 20) + 12_345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 11)) & 0xff;
    writeFileSync(join(dir, 'source.xml'), bytes, { mode: 0o644 });
    const written = await copyFileAtomically(join(dir, 'source.xml'), join(dir, 'out', 'feed.xml'));
    expect(readFileSync(join(dir, 'out', 'feed.xml')).equals(bytes)).toBe(true);
    expect(written).toEqual({
      path: join(dir, 'out', 'feed.xml'),
      sizeBytes: bytes.length,
      sha256Hex: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(statSync(join(dir, 'out', 'feed.xml')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'out'))).toEqual(['feed.xml']);
    expect(await digestFile(join(dir, 'source.xml'))).toEqual({
      sizeBytes: written.sizeBytes,
      sha256Hex: written.sha256Hex,
    });
  });

  it('leaves no file, not even a partial one, when the source is missing or the copy is stopped', async () => {
    const dir = scratchDir('atomic-copy-');
    await expect(copyFileAtomically(join(dir, 'gone.xml'), join(dir, 'feed.xml'))).rejects.toThrow(/ENOENT/);
    writeFileSync(join(dir, 'source.xml'), 'x'.repeat(100));
    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    await expect(
      copyFileAtomically(join(dir, 'source.xml'), join(dir, 'feed.xml'), { signal: stop.signal }),
    ).rejects.toThrow('stopped');
    await expect(digestFile(join(dir, 'source.xml'), stop.signal)).rejects.toThrow('stopped');
    expect(readdirSync(dir)).toEqual(['source.xml']);
  });
});
