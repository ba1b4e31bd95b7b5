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
const empty = Buffer.alloc(0);

/**
 * The block frames are encoded into, in place: no buffer per frame, no copy to gather them. Its buffer
 * is made when the first bytes come, as big as they need: a block taken and then handed a run of
 * frames copied whole (incremental-spool.ts, about a read's worth) got a buffer it outgrew at once.
 */
export class FrameBlock {
  #buffer = empty;
  size = 0;

  /** Makes room for `bytes` more at `size` (a frame's largest encoding: 3 bytes per UTF-16 unit). */
  reserve(bytes: number): Buffer {
    if (this.size + bytes > this.#buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * blockBytes, 2 * this.#buffer.length, this.size + bytes));
      this.#buffer.copy(bigger, 0, 0, this.size);
      this.#buffer = bigger;
    }
    return this.#buffer;
  }

  /** Appends a frame as it is, bytes `start` to `end` of `source` (a frame of another spool file). */
  copy(source: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    source.copy(this.#buffer, this.size, start, end);
    this.size += end - start;
  }

  /** Whether the block is big enough to be written (see blocksOf). */
  get full(): boolean {
    return this.size >= blockBytes;
  }

  /** The frames so far, handed over whole; the next frame starts a new buffer. */
  take(): Buffer {
    const full = this.#buffer.subarray(0, this.size);
    this.#buffer = empty;
    this.size = 0;
    return full;
  }
}

/**
 * Consecutive frames of a block read that are kept as they are, copied into the block being written in
 * one go (a night keeps nearly every frame: one copy per run, not one per frame).
 */
export class KeptRun {
  #from = 0;
  #to = 0;
  constructor(
    readonly block: FrameBlock,
    readonly buffer: Buffer,
  ) {}
  /** Adds the frame at `from` to `to`, which must follow the run's last frame (or start a run). */
  extend(from: number, to: number): void {
    if (this.#to !== from) this.flush();
    if (this.#to === this.#from) this.#from = from;
    this.#to = to;
  }
  /** Copies the run so far; before anything else is added to the block, and before the next read. */
  flush(): void {
    if (this.#to > this.#from) this.block.copy(this.buffer, this.#from, this.#to);
    this.#from = this.#to = 0;
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
