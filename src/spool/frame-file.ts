import { open } from 'node:fs/promises';

/**
 * Length-prefixed frames, the run spool's on-disk unit: a fixed little-endian header of `headerBytes`
 * whose fields say how long the frame's payload is, then the payload. A reader hops from header to
 * header without decoding what it does not need, so a pass that wants one field of every person, or only
 * the memberships of some groups, touches the rest of the bytes only to skip them.
 */

/** Where each whole frame starts in `buffer` (valid until the next block is read). */
export interface FramesRead {
  readonly buffer: Buffer;
  readonly starts: readonly number[];
}

/** Frames are gathered into blocks of about this size before they are written. */
const blockBytes = 1 << 18;
const readBytes = 1 << 20;

/** The block frames are encoded into, in place: no buffer per frame, no copy to gather them. */
export class FrameBlock {
  buffer = Buffer.allocUnsafe(2 * blockBytes);
  size = 0;

  /** Makes room for `bytes` more at `size` (a frame's largest encoding: 3 bytes per UTF-16 unit). */
  reserve(bytes: number): Buffer {
    if (this.size + bytes > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.size + bytes));
      this.buffer.copy(bigger, 0, 0, this.size);
      this.buffer = bigger;
    }
    return this.buffer;
  }

  /** Appends a frame as it is, bytes `start` to `end` of `source` (a frame of another spool file). */
  copy(source: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    source.copy(this.buffer, this.size, start, end);
    this.size += end - start;
  }

  /** Whether the block is big enough to be written (see blocksOf). */
  get full(): boolean {
    return this.size >= blockBytes;
  }

  /** The frames so far, handed over whole; the next frame starts a new buffer. */
  take(): Buffer {
    const full = this.buffer.subarray(0, this.size);
    this.buffer = Buffer.allocUnsafe(2 * blockBytes);
    this.size = 0;
    return full;
  }
}

/**
 * Encodes items, taken a batch at a time (one wait per batch, not per object), into blocks of ~256 KiB:
 * one write per block, not one per object.
 */
export async function* blocksOf<T>(
  batches: AsyncIterable<readonly T[]>,
  encode: (item: T, block: FrameBlock) => void,
): AsyncGenerator<Buffer> {
  const block = new FrameBlock();
  for await (const batch of batches) {
    for (const item of batch) {
      encode(item, block);
      if (block.full) yield block.take();
    }
  }
  if (block.size > 0) yield block.take();
}

/**
 * The frames of a file, a block at a time: every frame that lies whole in the block, in order. A frame
 * cut by the read boundary starts the next block, so no frame is ever split. `frameLength` reads the
 * whole frame's length (header included) from the header at `offset`; it is only called when
 * `headerBytes` bytes are there. The next block is read into a second buffer while the consumer works on
 * this one (a pass over a spool file waited for every read before: a fifth of the spool comparison's
 * time at Oslo); a block stays valid, and unwritten by this reader, until the consumer asks for the next.
 */
export async function* readFrames(
  path: string,
  headerBytes: number,
  frameLength: (buffer: Buffer, offset: number) => number,
): AsyncGenerator<FramesRead> {
  const file = await open(path, 'r');
  let reading: Promise<{ bytesRead: number }> | undefined;
  try {
    let buffer: Buffer = Buffer.allocUnsafe(readBytes);
    let spare: Buffer = Buffer.allocUnsafe(readBytes);
    let filled = 0;
    let read: Promise<{ bytesRead: number }> = file.read(buffer, 0, buffer.length, null);
    reading = read;
    for (;;) {
      const { bytesRead }: { bytesRead: number } = await read;
      const end = filled + bytesRead;
      const starts: number[] = [];
      let offset = 0;
      while (end - offset >= headerBytes) {
        const length = frameLength(buffer, offset);
        if (end - offset < length) break;
        starts.push(offset);
        offset += length;
      }
      if (bytesRead === 0) {
        if (starts.length > 0) yield { buffer, starts };
        if (offset !== end) throw new TypeError(`${path} ends inside a frame`);
        return;
      }
      // The cut frame goes to the front of the other buffer, and the read after it starts now. One
      // frame bigger than a buffer: a bigger one (frames are objects, so this stays small).
      const cut = end - offset;
      const next: Buffer =
        cut < spare.length ? spare : Buffer.allocUnsafe(Math.max(spare.length, buffer.length) * 2);
      buffer.copy(next, 0, offset, end);
      read = file.read(next, cut, next.length - cut, null);
      reading = read;
      if (starts.length > 0) yield { buffer, starts };
      spare = buffer;
      buffer = next;
      filled = cut;
    }
  } finally {
    // A reader that stopped early: the read ahead ends before the file is closed.
    await reading?.catch(() => undefined);
    await file.close();
  }
}
