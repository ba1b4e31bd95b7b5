import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface WrittenFile {
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
}

/**
 * Streams `content` to `path` so that a reader sees either nothing or the whole file: write to a
 * temporary name beside it, fsync, rename, fsync the directory. The sha-256 is computed while writing,
 * so the file is never read twice. Backpressure flows from the disk back to the producer. Feeds carry
 * personal data, so the file is 0600 and directories made for it 0700 unless the caller says otherwise.
 */
export async function writeFileAtomically(
  path: string,
  content: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> | Readable,
  options: { signal?: AbortSignal; mode?: number } = {},
): Promise<WrittenFile> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Date.now()}.partial`;
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      callback(null, chunk);
    },
  });
  const source = content instanceof Readable ? content : Readable.from(content, { objectMode: false });
  try {
    await pipeline(
      source,
      tap,
      createWriteStream(temporary, { mode: options.mode ?? 0o600 }),
      options.signal ? { signal: options.signal } : {},
    );
    await fsyncPath(temporary);
    await rename(temporary, path);
    await fsyncPath(dirname(path));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { path, sizeBytes, sha256Hex: hash.digest('hex') };
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `sha256sum`-compatible line for a `.sha256` file beside a feed. */
export function sha256Line(sha256Hex: string, fileName: string): string {
  return `${sha256Hex}  ${fileName}\n`;
}
