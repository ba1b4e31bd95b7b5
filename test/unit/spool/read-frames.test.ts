import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readFrames } from '../../../src/spool/frame-file.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

/** A frame: a 4-byte length, then that many bytes, each the frame's number (mod 256). */
function frameBytes(lengths: readonly number[]): Buffer {
  return Buffer.concat(
    lengths.map((length, n) => {
      const frame = Buffer.alloc(4 + length, n % 256);
      frame.writeUInt32LE(length, 0);
      return frame;
    }),
  );
}

const lengthOf = (buffer: Buffer, offset: number): number => 4 + buffer.readUInt32LE(offset);

/**
 * Reads the frames of `path` block by block as a consumer that changes every frame it is handed (the
 * incremental snapshot sets each membership frame's group in place) and stops after `stopAfter` blocks.
 */
async function readAll(path: string, stopAfter = Infinity): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  let blocks = 0;
  for await (const { buffer, starts } of readFrames(path, 4, lengthOf)) {
    for (const at of starts) {
      frames.push(Buffer.from(buffer.subarray(at, at + lengthOf(buffer, at))));
      buffer.fill(0xee, at + 4, at + lengthOf(buffer, at));
    }
    if (++blocks >= stopAfter) break;
  }
  return frames;
}

/** The spool's frames read a block at a time, the next block read while the consumer works on this one. */
describe('readFrames', () => {
  const dir = scratchDir('pifu-read-frames-');

  it('hands every frame whole and unchanged, in order, whatever the frame sizes and block cuts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 100_000, max: 700_000 })), {
          maxLength: 12,
        }),
        async (lengths) => {
          const path = join(dir, 'frames');
          writeFileSync(path, frameBytes(lengths));
          const frames = await readAll(path);
          expect(frames.map((frame) => frame.length - 4)).toEqual(lengths);
          frames.forEach((frame, n) =>
            expect(frame.subarray(4).every((byte) => byte === n % 256)).toBe(true),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads frames bigger than its buffers (1 MiB) and than twice that', async () => {
    const path = join(dir, 'big');
    const lengths = [10, 3_000_000, 20, 1_048_576, 5, 2_500_000, 7];
    writeFileSync(path, frameBytes(lengths));
    const frames = await readAll(path);
    expect(frames.map((frame) => frame.length - 4)).toEqual(lengths);
    frames.forEach((frame, n) => expect(frame.subarray(4).every((byte) => byte === n % 256)).toBe(true));
  });

  it('stops cleanly when its reader stops early, a read ahead in flight', async () => {
    const path = join(dir, 'early');
    writeFileSync(path, frameBytes(Array.from({ length: 40 }, () => 200_000)));
    const frames = await readAll(path, 2);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(40);
  });

  it('refuses a file that ends inside a frame', async () => {
    const path = join(dir, 'cut');
    writeFileSync(path, frameBytes([10, 500_000]).subarray(0, 300_000));
    await expect(readAll(path)).rejects.toThrow('ends inside a frame');
  });
});
