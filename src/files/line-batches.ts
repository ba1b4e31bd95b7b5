import { createReadStream } from 'node:fs';
import { fileReadBytes } from './read-bytes.js';

/**
 * The lines of a text file in batches, one batch per read (fileReadBytes): the reader of the big
 * sidecar manifests (hundreds of thousands of lines at Oslo scale), where a promise per line (readline)
 * costs more than the parsing. Empty lines are left out; a last line without a newline is kept. Memory
 * holds one batch.
 */
export async function* readLineBatches(path: string): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: fileReadBytes })) {
    const text = rest + (chunk as string);
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      rest = text;
      continue;
    }
    rest = text.slice(end + 1);
    const lines = text.slice(0, end).split('\n');
    yield lines.filter((line) => line !== '');
  }
  if (rest !== '') yield [rest];
}
