import type { FramesRead } from './frame-file.js';

/**
 * A frame file read a block at a time and walked one frame at a time in between: a reader that compares
 * or filters every frame waits once per block (about 1 MiB), not once per frame, and allocates nothing
 * per frame it passes over. `buffer` and `at` are the current frame's; they are valid until `load`.
 */
export class FrameCursor {
  buffer: Buffer = Buffer.alloc(0);
  #starts: readonly number[] = [];
  #index = 0;
  readonly #blocks: AsyncIterator<FramesRead>;

  private constructor(blocks: AsyncIterable<FramesRead>) {
    this.#blocks = blocks[Symbol.asyncIterator]();
  }

  /** A cursor on the first frame (done at once when there is none). */
  static async open(blocks: AsyncIterable<FramesRead>): Promise<FrameCursor> {
    const cursor = new FrameCursor(blocks);
    await cursor.load();
    return cursor;
  }

  get done(): boolean {
    return this.#index >= this.#starts.length;
  }

  /** Where the current frame starts in `buffer`. */
  get at(): number {
    return this.#starts[this.#index] ?? -1;
  }

  /** Moves to the next frame of the block read; false at its end (then `load` the next block). */
  advance(): boolean {
    this.#index++;
    return this.#index < this.#starts.length;
  }

  /** Reads the next block and stands on its first frame; `done` when the file has no more. */
  async load(): Promise<void> {
    const next = await this.#blocks.next();
    this.#index = 0;
    if (next.done === true) {
      this.#starts = [];
      return;
    }
    this.buffer = next.value.buffer;
    this.#starts = next.value.starts;
  }

  /** Calls `visit` on every frame left, block by block. */
  async forEach(visit: (buffer: Buffer, at: number) => void): Promise<void> {
    while (!this.done) {
      const { buffer } = this;
      for (const at of this.#starts.slice(this.#index)) visit(buffer, at);
      await this.load();
    }
  }
}
