/**
 * Streams a batch at a time. Handing a million objects one by one through async iterables costs a
 * promise and a turn of the microtask queue per object per stage, which at Oslo scale is seconds of CPU
 * and much of a snapshot's young-generation garbage; a stage that takes arrays pays that once per array.
 */

/**
 * A roster stream that can also be read in the arrays its source read it in (a page, a COPY chunk's
 * rows): the same items in the same order. Like the stream, it is read once: either item by item or
 * by `batches()`. The batches travel with the stream, so a wrapper that replaces a roster's stream by
 * a plain one (a test hook, say) is read item by item, never bypassed.
 */
export interface BatchedStream<T> extends AsyncIterable<T> {
  batches(): AsyncIterable<readonly T[]>;
}

/** A stream read from `read`, a batch at a time or, iterated, item by item. */
export function streamOfBatches<T>(read: () => AsyncIterable<readonly T[]>): BatchedStream<T> {
  return {
    batches: read,
    async *[Symbol.asyncIterator]() {
      for await (const batch of read()) yield* batch;
    },
  };
}

/** `items` a batch at a time: in its own batches when it has them, else in arrays of `size`. */
export function batched<T>(items: AsyncIterable<T>, size: number): AsyncIterable<readonly T[]> {
  return isBatchedStream(items) ? items.batches() : batchesOf(items, size);
}

function isBatchedStream<T>(items: AsyncIterable<T>): items is BatchedStream<T> {
  return typeof (items as Partial<BatchedStream<T>>).batches === 'function';
}

/**
 * `items` in arrays of `size` (the last may be shorter), in order; nothing for no items. Each array is
 * new, so a consumer may keep it. A failure of `items` reaches the consumer after the full arrays before
 * it; the items gathered since are not handed out. A consumer that stops early stops `items`.
 */
export async function* batchesOf<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size ${size} is not a positive integer`);
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
