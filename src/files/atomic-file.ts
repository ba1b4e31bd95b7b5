import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface WrittenFile {
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
}

interface WriteOptions {
  readonly signal?: AbortSignal;
  readonly mode?: number;
  /**
   * False: no sha-256 is computed (and none reported), for a file whose digest nobody reads (the run
   * spool: hundreds of megabytes at Oslo scale, hashed for nothing). Default true.
   */
  readonly digest?: boolean;
}

type Content = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> | Readable;

/**
 * Streams `content` to `path` so that a reader sees either nothing or the whole file: write to a
 * temporary name beside it, fsync, rename, fsync the directory. The sha-256 is computed while writing
 * (unless `digest` is false), so the file is never read twice. Backpressure flows from the disk back to
 * the producer. Feeds carry personal data, so the file is 0600 and directories made for it 0700 unless
 * the caller says otherwise. A chunk of bytes may be written as it is, after the producer has moved on:
 * a producer must not change a chunk it has handed over.
 */
export async function writeFileAtomically(
  path: string,
  content: Content,
  options: WriteOptions & { readonly digest: false },
): Promise<Omit<WrittenFile, 'sha256Hex'>>;
export async function writeFileAtomically(
  path: string,
  content: Content,
  options?: WriteOptions & { readonly digest?: true },
): Promise<WrittenFile>;
export async function writeFileAtomically(
  path: string,
  content: Content,
  options: WriteOptions = {},
): Promise<Omit<WrittenFile, 'sha256Hex'> & { readonly sha256Hex?: string }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Date.now()}.partial`;
  const hash = options.digest === false ? undefined : createHash('sha256');
  let sizeBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash?.update(chunk);
      sizeBytes += chunk.length;
      callback(null, chunk);
    },
  });
  const source =
    content instanceof Readable ? content : Readable.from(coalesced(content), { objectMode: false });
  // Opened before anything is written, not by the write stream: a stream opens its file in the
  // background, and a producer failing first left the file made after the cleanup below had run.
  const handle = await open(temporary, 'w', options.mode ?? 0o600);
  try {
    await pipeline(source, tap, handle.createWriteStream(), options.signal ? { signal: options.signal } : {});
    await fsyncPath(temporary);
    await rename(temporary, path);
    await fsyncPath(dirname(path));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return hash === undefined ? { path, sizeBytes } : { path, sizeBytes, sha256Hex: hash.digest('hex') };
}

/**
 * Copies the file at `source` to `path` as writeFileAtomically writes one (a temporary name beside it,
 * fsync, rename, fsync the directory; 0600 unless the caller says otherwise) and gives the sha-256 and
 * size of what was written, read back from the copy. The kernel copies the bytes (copy_file_range), so
 * none pass through JavaScript on the way: streaming a 119 MB feed through a read stream, a hash and a
 * write stream took thousands of event-loop turns, each waiting behind the feed written beside the
 * delivery, and left a Buffer a read for the collector. The read-back reuses one buffer.
 */
export async function copyFileAtomically(
  source: string,
  path: string,
  options: Omit<WriteOptions, 'digest'> = {},
): Promise<WrittenFile> {
  options.signal?.throwIfAborted();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Date.now()}.partial`;
  try {
    await copyFile(source, temporary);
    await chmod(temporary, options.mode ?? 0o600);
    const written = await digestFile(temporary, options.signal);
    await fsyncPath(temporary);
    await rename(temporary, path);
    await fsyncPath(dirname(path));
    return { path, ...written };
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** What a file's reads take at a time when they reuse one buffer (digestFile): none is left over. */
const digestReadBytes = 1 << 20;

/** The sha-256 and size of the file at `path`, read through one reused buffer; stops with `signal`. */
export async function digestFile(
  path: string,
  signal?: AbortSignal,
): Promise<{ readonly sizeBytes: number; readonly sha256Hex: string }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(digestReadBytes);
  let sizeBytes = 0;
  const file = await open(path, 'r');
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      sizeBytes += bytesRead;
    }
  } finally {
    await file.close();
  }
  return { sizeBytes, sha256Hex: hash.digest('hex') };
}

/**
 * Small chunks (a feed renders one string per person, group and membership; the roster spool writes a
 * frame per record: millions of a few hundred bytes) joined into blocks of about 64 KiB before they
 * enter the stream, so the hash, the stream machinery and the write calls run per block, not per
 * record. The bytes and their order are the same.
 */
async function* coalesced(
  content: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<string | Uint8Array> {
  const blockSize = 1 << 16;
  let texts: string[] = [];
  let buffers: Uint8Array[] = [];
  let length = 0;
  const block = (): string | Uint8Array => {
    // A chunk that fills a block alone (the spool's frame blocks) goes on as it is, not copied.
    const joined =
      texts.length > 0 ? texts.join('') : buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers, length);
    texts = [];
    buffers = [];
    length = 0;
    return joined;
  };
  for await (const chunk of content) {
    // Strings and bytes are joined apart, in order: a change of kind ends the block.
    if (typeof chunk === 'string' ? buffers.length > 0 : texts.length > 0) yield block();
    if (typeof chunk === 'string') texts.push(chunk);
    else buffers.push(chunk);
    length += chunk.length;
    if (length >= blockSize) yield block();
  }
  if (length > 0 || texts.length > 0 || buffers.length > 0) yield block();
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
