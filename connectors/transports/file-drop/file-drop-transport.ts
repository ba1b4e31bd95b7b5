import { existsSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HubError } from '../../../src/errors/index.js';
import {
  checkSpoolFile,
  copyFileAtomically,
  digestFile,
  sha256Line,
  writeFileAtomically,
} from '../../../src/files/index.js';
import type { DeliveryReceipt, FeedFile, Transport } from '../../../src/ports/index.js';
import type { FileDropConfig } from './file-drop-config.js';

/**
 * Copies the feed into the recipient's directory under its transfer-stable name: temporary name, fsync,
 * rename, so the recipient never sees half a file; then `<name>.sha256` (sha256sum format) beside it.
 * The checksum file comes last: a recipient that waits for it knows the feed is complete.
 * Idempotent: a repeated transfer with the same name and checksum finds both files in place.
 */
export class FileDropTransport implements Transport {
  readonly kind = 'file-drop';
  readonly #directory: string;

  constructor(config: FileDropConfig) {
    this.#directory = resolve(config.directory);
  }

  async deliver(feed: FeedFile, options: { signal?: AbortSignal } = {}): Promise<DeliveryReceipt> {
    const target = join(this.#directory, feed.fileName);
    const checksumPath = `${target}.sha256`;
    if (
      existsSync(checksumPath) &&
      (await readFile(checksumPath, 'utf8')) === sha256Line(feed.sha256Hex, feed.fileName)
    ) {
      return { location: target };
    }
    await checkSpoolFile(feed);
    await removeStalePartials(this.#directory, feed.fileName);
    let written;
    try {
      written = await copyFileAtomically(feed.path, target, options);
    } catch (error) {
      throw new HubError(
        'PIFU_TRANSPORT_FAILED',
        `file drop for ${feed.recipientId}: cannot write ${target}`,
        {
          cause: error,
        },
      );
    }
    if (written.sha256Hex !== feed.sha256Hex || written.sizeBytes !== feed.sizeBytes) {
      throw new HubError(
        'PIFU_TRANSPORT_FAILED',
        `file drop for ${feed.recipientId}: ${target} does not match the written feed (size or sha-256)`,
      );
    }
    await writeFileAtomically(checksumPath, [sha256Line(feed.sha256Hex, feed.fileName)], options);
    return { location: target };
  }

  /**
   * Held when the file under the transfer's name has the feed's size and sha-256; a missing or stale
   * `.sha256` beside it (a delivery stopped after the rename) is written, since the recipient may already
   * have picked the feed up. Temporary files of the transfer go either way.
   */
  async confirm(
    feed: FeedFile,
    options: { signal?: AbortSignal } = {},
  ): Promise<DeliveryReceipt | undefined> {
    const target = join(this.#directory, feed.fileName);
    const checksumPath = `${target}.sha256`;
    await removeStalePartials(this.#directory, feed.fileName);
    if (!(await holdsContent(target, feed))) return undefined;
    const line = sha256Line(feed.sha256Hex, feed.fileName);
    if (!existsSync(checksumPath) || (await readFile(checksumPath, 'utf8')) !== line) {
      await writeFileAtomically(checksumPath, [line], options);
    }
    return { location: target };
  }
}

async function holdsContent(path: string, feed: FeedFile): Promise<boolean> {
  try {
    if ((await stat(path)).size !== feed.sizeBytes) return false;
  } catch {
    return false;
  }
  return (await digestFile(path)).sha256Hex === feed.sha256Hex;
}

/**
 * A delivery killed mid-copy leaves `<fileName>.<pid>.<time>.partial` behind; it never shows under the
 * final name, but the recipient's directory should not collect them. The same transfer's retry removes them.
 */
async function removeStalePartials(directory: string, fileName: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(`${fileName}.`) && name.endsWith('.partial'))
      await rm(join(directory, name), { force: true });
  }
}
