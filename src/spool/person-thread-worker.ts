import { parentPort, workerData } from 'node:worker_threads';
import { isHubError } from '../errors/index.js';
import type { Person } from '../model/index.js';
import type { PersonsThread } from '../ports/source-connector.js';
import { blocksOf } from './frame-file.js';
import { encodePerson } from './roster-frames.js';
import { SnapshotCounter } from './snapshot-counter.js';
import { blocksAhead, type FromPersonThread } from './person-thread.js';

/*
 * The person thread (see person-thread.ts): reads the persons through the source's module, encodes
 * them into person frames as the spool writer does in its own thread, and hands each block over with
 * its persons' counts, at most `blocksAhead` blocks ahead of the writer.
 */

const port = parentPort;
if (port === null) throw new TypeError('person-thread-worker.ts runs as a worker thread only');
const { module, input } = workerData as PersonsThread;
let credit = blocksAhead;
let wake: (() => void) | undefined;
port.on('message', () => {
  credit++;
  wake?.();
});
const send = (message: FromPersonThread, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  const source = (await import(module)) as {
    readPersonBatches(input: unknown): AsyncIterable<readonly Person[]>;
  };
  let counter = new SnapshotCounter();
  const blocks = blocksOf(source.readPersonBatches(input), (person, block) => {
    counter.person(person);
    encodePerson(person, block);
  });
  for await (const block of blocks) {
    while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
    credit--;
    const { persons, schools } = counter.counts();
    counter = new SnapshotCounter();
    // A block is a fresh allocation of its own (FrameBlock.take), never a pooled one: handed over whole.
    const bytes = block.buffer as ArrayBuffer;
    send({ kind: 'block', bytes, offset: block.byteOffset, size: block.length, persons, schools }, [bytes]);
  }
  send({ kind: 'done' });
} catch (error) {
  send({
    kind: 'failed',
    code: isHubError(error) ? error.code : undefined,
    message: isHubError(error) ? error.message.replace(`${error.code}: `, '') : String(error),
  });
}
