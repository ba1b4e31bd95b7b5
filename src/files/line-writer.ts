import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * A text file written a line at a time, gathered into writes of about 64 KiB: one write per line costs a
 * system call each, and a feed's manifests pass a line for every object it carries. Private like the
 * feed it is written beside (0600).
 */
export class LineWriter {
  readonly #stream: WriteStream;
  #pending: string[] = [];
  #length = 0;

  constructor(path: string) {
    this.#stream = createWriteStream(path, { mode: 0o600 });
  }

  async write(text: string): Promise<void> {
    this.#pending.push(text);
    this.#length += text.length;
    if (this.#length >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#length = 0;
    if (!this.#stream.write(text)) await once(this.#stream, 'drain');
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    this.#stream.end();
    await once(this.#stream, 'close');
  }

  /** Closes the file at once, dropping what is pending (the feed failed). */
  destroy(): void {
    this.#stream.destroy();
  }
}
