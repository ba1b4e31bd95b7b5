import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../files/index.js';
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

async function writeRun(path: string, items: readonly Held[]): Promise<string> {
  // A scratch run: nothing reads its digest.
  await writeFileAtomically(path, lines(items), { digest: false });
  return path;
}

function* lines(items: readonly Held[]): Generator<string> {
  let batch = '';
  for (const item of items) {
    batch += `${item.json}\n`;
    if (batch.length >= 65_536) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
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
