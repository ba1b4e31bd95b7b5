import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { compareKeys } from '../../../src/model/index.js';
import { sortExternally } from '../../../src/spool/index.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

async function* from<T>(items: readonly T[], onEach?: () => void): AsyncGenerator<T> {
  for (const item of items) {
    onEach?.();
    yield item;
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('sortExternally', () => {
  it('yields every item in key order, equal keys as they came, spilling sorted runs when the stream is longer than a chunk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 2 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        async (keys, chunkSize) => {
          const dir = scratchDir('sort-');
          const items = keys.map((key, index) => ({ key, index }));
          const sorted = await collect(sortExternally(from(items), (item) => item.key, { dir, chunkSize }));
          expect(sorted).toEqual([...items].sort((a, b) => compareKeys(a.key, b.key)));
          expect(readdirSync(dir)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('spills into a 0700 directory of 0600 files, holding no more than a chunk in memory', async () => {
    const dir = join(scratchDir('sort-'), 'scratch');
    const seen: { dirMode: number; fileModes: number[] }[] = [];
    let read = 0;
    const items = Array.from({ length: 50 }, (_, index) => ({
      key: `k${String(49 - index).padStart(2, '0')}`,
    }));
    const sorted = sortExternally(
      from(items, () => {
        read++;
        // After the first two runs are written: what is on disk, and how private.
        if (read === 21) {
          const scratch = join(dir, readdirSync(dir)[0]!);
          seen.push({
            dirMode: statSync(scratch).mode & 0o777,
            fileModes: readdirSync(scratch).map((name) => statSync(join(scratch, name)).mode & 0o777),
          });
        }
      }),
      (item) => item.key,
      { dir, chunkSize: 10 },
    );
    const first = await sorted.next();
    expect(first.value).toEqual({ key: 'k00' });
    expect(seen).toEqual([{ dirMode: 0o700, fileModes: [0o600, 0o600] }]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // Abandoned half way (a failed write): the runs are removed all the same.
    await sorted.return(undefined);
    expect(readdirSync(dir)).toEqual([]);
  });
});
