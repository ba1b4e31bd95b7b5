import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeFileAtomically } from '../files/index.js';
import { compareKeys } from '../model/index.js';

const defaultChunkSize = 20_000;

/**
 * `items` in ascending `keyOf` order (canonical key order), with memory bounded by `chunkSize` items
 * whatever their number: up to one chunk is sorted in memory; a longer stream is cut into sorted runs
 * written as NDJSON under `dir` (a 0700 directory of 0600 files, since items may be personal data) and
 * merged, one item per run in memory. The runs are removed when the stream ends or is abandoned.
 * Items must survive a JSON round trip.
 */
export async function* sortExternally<T>(
  items: AsyncIterable<T>,
  keyOf: (item: T) => string,
  options: { dir: string; chunkSize?: number },
): AsyncGenerator<T> {
  const chunkSize = Math.max(1, options.chunkSize ?? defaultChunkSize);
  const byKey = (a: T, b: T): number => compareKeys(keyOf(a), keyOf(b));
  let chunk: T[] = [];
  const runs: string[] = [];
  let scratch: string | undefined;
  try {
    for await (const item of items) {
      chunk.push(item);
      if (chunk.length < chunkSize) continue;
      if (scratch === undefined) {
        await mkdir(options.dir, { recursive: true, mode: 0o700 });
        scratch = await mkdtemp(join(options.dir, 'sort-'));
      }
      runs.push(await writeRun(join(scratch, `run-${runs.length}.ndjson`), chunk.sort(byKey)));
      chunk = [];
    }
    chunk.sort(byKey);
    if (runs.length === 0) {
      yield* chunk;
      return;
    }
    yield* mergeRuns([...runs.map((path) => readRun<T>(path)), fromArray(chunk)], byKey);
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

async function writeRun<T>(path: string, items: readonly T[]): Promise<string> {
  await writeFileAtomically(path, lines(items));
  return path;
}

function* lines<T>(items: readonly T[]): Generator<string> {
  let batch = '';
  for (const item of items) {
    batch += `${JSON.stringify(item)}\n`;
    if (batch.length >= 65_536) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

async function* readRun<T>(path: string): AsyncGenerator<T> {
  const reader = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of reader) if (line !== '') yield JSON.parse(line) as T;
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** A k-way merge of sorted streams; the number of runs is small, so the head is found by a scan. */
async function* mergeRuns<T>(
  sources: AsyncIterator<T>[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  const heads: (IteratorResult<T> | undefined)[] = await Promise.all(sources.map((source) => source.next()));
  try {
    yield* mergeHeads(sources, heads, compare);
  } finally {
    await Promise.all(sources.map((source) => source.return?.()));
  }
}

async function* mergeHeads<T>(
  sources: AsyncIterator<T>[],
  heads: (IteratorResult<T> | undefined)[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  for (;;) {
    let best = -1;
    for (let index = 0; index < heads.length; index++) {
      const head = heads[index];
      if (head === undefined || head.done === true) continue;
      const current = heads[best];
      if (best < 0 || (current !== undefined && compare(head.value, current.value as T) < 0)) best = index;
    }
    if (best < 0) return;
    const head = heads[best] as IteratorYieldResult<T>;
    yield head.value;
    heads[best] = await sources[best]!.next();
  }
}
