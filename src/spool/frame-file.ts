import { open } from 'node:fs/promises';

/**
 * Length-prefixed frames, the run spool's on-disk unit: a fixed little-endian header of `headerBytes`
 * whose fields say how long the frame's payload is, then the payload. A reader hops from header to
 * header without decoding what it does not need, so a pass that wants one field of every person, or only
 * the memberships of some groups, touches the rest of the bytes only to skip them.
 */

/** Where each whole frame starts in `buffer` (valid until the next block is read). */
export interface FrameBlock {
  readonly buffer: Buffer;
  readonly starts: readonly number[];
}

/** Frames of at least this many bytes are gathered into blocks of about this size before they are written. */
const blockBytes = 1 << 18;
const readBytes = 1 << 20;

/** Gathers encoded frames into blocks of ~256 KiB: one write per block, not one per object. */
export async function* blocksOf<T>(
  items: AsyncIterable<T>,
  encode: (item: T) => Buffer,
): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const item of items) {
    const frame = encode(item);
    parts.push(frame);
    size += frame.length;
    if (size >= blockBytes) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

/**
 * The frames of a file, a block at a time: every frame that lies whole in the block, in order. A frame
 * cut by the read boundary starts the next block, so no frame is ever split. `frameLength` reads the
 * whole frame's length (header included) from the header at `offset`; it is only called when
 * `headerBytes` bytes are there.
 */
export async function* readFrames(
  path: string,
  headerBytes: number,
  frameLength: (buffer: Buffer, offset: number) => number,
): AsyncGenerator<FrameBlock> {
  const file = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(readBytes);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        // One frame bigger than the buffer: grow it (frames are objects, so this stays small).
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, null);
      const end = filled + bytesRead;
      const starts: number[] = [];
      let offset = 0;
      while (end - offset >= headerBytes) {
        const length = frameLength(buffer, offset);
        if (end - offset < length) break;
        starts.push(offset);
        offset += length;
      }
      if (starts.length > 0) yield { buffer, starts };
      if (bytesRead === 0) {
        if (offset !== end) throw new TypeError(`${path} ends inside a frame`);
        return;
      }
      // The consumer is done with the block: move the cut frame to the front and read on.
      buffer.copy(buffer, 0, offset, end);
      filled = end - offset;
    }
  } finally {
    await file.close();
  }
}
