import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** NDJSON scratch file of personal data: 0600, written in ~64 KiB batches. */
export class ScratchWriter<T> {
  readonly path: string;
  #handle: FileHandle | undefined;
  #batch = '';

  constructor(path: string) {
    this.path = path;
  }

  async write(item: T): Promise<void> {
    this.#batch += `${JSON.stringify(item)}\n`;
    if (this.#batch.length >= 65_536) await this.flush();
  }

  async flush(): Promise<void> {
    this.#handle ??= await open(this.path, 'w', 0o600);
    if (this.#batch !== '') await this.#handle.write(this.#batch);
    this.#batch = '';
  }

  async close(): Promise<void> {
    await this.flush();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  /** Closes the file without writing what is left, if it is still open: for `finally` after a failure. */
  async abandon(): Promise<void> {
    this.#batch = '';
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }
}

/** Writes a scratch file with `fill`, and closes it whatever happens: a failure leaves no file open. */
export async function writeScratch<T>(
  path: string,
  fill: (writer: ScratchWriter<T>) => Promise<void>,
): Promise<void> {
  const writer = new ScratchWriter<T>(path);
  try {
    await fill(writer);
    await writer.close();
  } finally {
    await writer.abandon();
  }
}

export async function* readScratch<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') yield JSON.parse(line) as T;
}
