import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compareKeys } from '../model/index.js';

const defaultChunkSize = 20_000;
/** Characters of JSON a chunk may hold: a run of 8 MiB, whatever the items weigh. */
const defaultChunkChars = 8 * 1024 * 1024;

/** An item as a chunk holds it: its key and its JSON, not the object (a third of the memory or less). */
interface Held {
  readonly key: string;
  readonly json: string;
}

/**
 * `items` in ascending `keyOf` order (canonical key order), with memory bounded by a chunk whatever their
 * number: up to `chunkSize` items or `chunkChars` characters of their JSON (the smaller) are held, as
 * JSON, and sorted in memory; a longer stream is cut into sorted runs written as NDJSON under `dir` (a
 * 0700 directory of 0600 files, since items may be personal data) and merged, one item and one read
 * buffer per run in memory. The runs are removed when the stream ends or is abandoned. Items must
 * survive a JSON round trip (what is yielded is a copy made by one).
 */
export async function* sortExternally<T>(
  items: AsyncIterable<T>,
  keyOf: (item: T) => string,
  options: { dir: string; chunkSize?: number; chunkChars?: number },
): AsyncGenerator<T> {
  const chunkSize = Math.max(1, options.chunkSize ?? defaultChunkSize);
  const chunkChars = Math.max(1, options.chunkChars ?? defaultChunkChars);
  const byKey = (a: Held, b: Held): number => compareKeys(a.key, b.key);
  let chunk: Held[] = [];
  let chars = 0;
  const runs: string[] = [];
  let scratch: string | undefined;
  try {
    for await (const item of items) {
      const held = { key: keyOf(item), json: JSON.stringify(item) };
      chunk.push(held);
      chars += held.json.length + held.key.length;
      if (chunk.length < chunkSize && chars < chunkChars) continue;
      if (scratch === undefined) {
        await mkdir(options.dir, { recursive: true, mode: 0o700 });
        scratch = await mkdtemp(join(options.dir, 'sort-'));
      }
      runs.push(await writeRun(join(scratch, `run-${runs.length}.ndjson`), chunk.sort(byKey)));
      chunk = [];
      chars = 0;
    }
    chunk.sort(byKey);
    if (runs.length === 0) {
      yield* parsed<T>(chunk);
      return;
    }
    const sources = [...runs.map((path) => readRun<T>(path)), parsed<T>(chunk)];
    yield* mergeRuns(sources, (a, b) => compareKeys(keyOf(a), keyOf(b)));
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * A run is scratch, read back by this process and removed when the sort ends: written with plain writes,
 * not fsync'd and renamed as a kept file is (at Oslo scale a read sorts some 135 runs of up to 8 MiB,
 * and each fsync cost about 45 ms of a quiet disk's time).
 */
async function writeRun(path: string, items: readonly Held[]): Promise<string> {
  const handle = await open(path, 'wx', 0o600);
  try {
    let batch = '';
    for (const item of items) {
      batch += `${item.json}\n`;
      if (batch.length >= 65_536) {
        await handle.write(batch);
        batch = '';
      }
    }
    if (batch !== '') await handle.write(batch);
  } finally {
    await handle.close();
  }
  return path;
}

/** A run's items; holds one read buffer (16 KiB) and its lines, unlike readline, which queues lines. */
async function* readRun<T>(path: string): AsyncGenerator<T> {
  let rest = '';
  for await (const text of createReadStream(path, { encoding: 'utf8', highWaterMark: 16 * 1024 })) {
    const lines = (rest + (text as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line !== '') yield JSON.parse(line) as T;
  }
  if (rest !== '') yield JSON.parse(rest) as T;
}

async function* parsed<T>(items: readonly Held[]): AsyncGenerator<T> {
  for (const item of items) yield JSON.parse(item.json) as T;
}

/**
 * A k-way merge of sorted streams through a binary heap of their heads (a read at Oslo scale merges some
 * 60 runs: a scan of every head per item was 60 comparisons, the heap about 12). Equal items come in the
 * order of their streams, so the merge is stable as the runs are.
 */
async function* mergeRuns<T>(
  sources: AsyncIterator<T>[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  try {
    const firsts = await Promise.all(sources.map((source) => source.next()));
    const heap: { value: T; source: number }[] = [];
    const before = (a: { value: T; source: number }, b: { value: T; source: number }): boolean =>
      (compare(a.value, b.value) || a.source - b.source) < 0;
    const down = (from: number): void => {
      for (let at = from; ;) {
        const left = 2 * at + 1;
        if (left >= heap.length) return;
        const right = left + 1;
        const least = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[least]!, heap[at]!)) return;
        [heap[at], heap[least]] = [heap[least]!, heap[at]!];
        at = least;
      }
    };
    firsts.forEach((first, source) => {
      if (first.done !== true) heap.push({ value: first.value, source });
    });
    for (let at = (heap.length >> 1) - 1; at >= 0; at--) down(at);
    while (heap.length > 0) {
      const head = heap[0]!;
      yield head.value;
      const next = await sources[head.source]!.next();
      if (next.done === true) {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
      } else {
        heap[0] = { value: next.value, source: head.source };
      }
      down(0);
    }
  } finally {
    await Promise.all(sources.map((source) => source.return?.()));
  }
}
