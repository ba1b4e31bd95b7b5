import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Stats } from 'ssh2';
import { readSecret } from '../../../src/config/index.js';
import { HubError } from '../../../src/errors/index.js';
import { checkSpoolFile, sha256Line } from '../../../src/files/index.js';
import type { DeliveryReceipt, FeedFile, Transport } from '../../../src/ports/index.js';
import type { SftpConfig } from './sftp-config.js';
import type { SftpSession } from './sftp-session.js';

/**
 * Uploads the feed to the recipient's SFTP server with public-key login and a pinned host key: to a
 * hidden temporary name in the target directory, checks the remote size, renames it to the
 * transfer-stable file name, then writes `<name>.sha256` (sha256sum format) beside it, last, the way
 * the file drop does. Idempotent: a file already there under the final name with the feed's size is
 * taken as delivered (only its checksum file is completed if missing). A host key other than the pinned
 * one, a refused login and a permission error fail the transfer for good; everything else is retryable.
 */
export class SftpTransport implements Transport {
  readonly kind = 'sftp';
  readonly #config: SftpConfig;
  readonly #directory: string;

  constructor(config: SftpConfig) {
    this.#config = config;
    this.#directory = config.directory === '/' ? '/' : config.directory.replace(/\/+$/, '');
  }

  async deliver(feed: FeedFile, options: { signal?: AbortSignal } = {}): Promise<DeliveryReceipt> {
    return this.#withSession(feed, options, { checkSpool: true }, async (session) => {
      await this.#upload(session, feed);
      return { location: this.#location(feed) };
    });
  }

  /**
   * Held when the file under the transfer's name has the feed's size (what `deliver` itself relies on);
   * a missing checksum file is completed. Temporary files of the transfer are removed either way.
   */
  async confirm(
    feed: FeedFile,
    options: { signal?: AbortSignal } = {},
  ): Promise<DeliveryReceipt | undefined> {
    return this.#withSession(feed, options, { checkSpool: false }, async (session) => {
      await session.removeLeftovers(this.#directory, `.${feed.fileName}.`);
      const held = await session.statOrUndefined(posix.join(this.#directory, feed.fileName));
      if (held?.size !== feed.sizeBytes) return undefined;
      await this.#writeChecksum(session, feed);
      return { location: this.#location(feed) };
    });
  }

  #location(feed: FeedFile): string {
    return `sftp://${this.#config.host}:${this.#config.port}${posix.join(this.#directory, feed.fileName)}`;
  }

  async #withSession<T>(
    feed: FeedFile,
    options: { signal?: AbortSignal },
    checks: { checkSpool: boolean },
    use: (session: SftpSession) => Promise<T>,
  ): Promise<T> {
    const { host, port } = this.#config;
    const where = `sftp for ${feed.recipientId} to ${host}:${port}`;
    if (options.signal?.aborted) throw new HubError('PIFU_TRANSPORT_FAILED', `${where}: aborted`);
    const what = (path: string) => `recipient "${feed.recipientId}": transport.${path}`;
    const privateKey = await readSecret(this.#config.privateKey, what('privateKey'));
    const passphrase =
      this.#config.passphrase === undefined
        ? undefined
        : await readSecret(this.#config.passphrase, what('passphrase'));
    if (checks.checkSpool) await checkSpoolFile(feed);

    // ssh2 loads with the first SFTP delivery, not with every command that could make one.
    const { SftpSession } = await import('./sftp-session.js');
    const session = new SftpSession(this.#config, where, options.signal);
    try {
      await session.connect(privateKey, passphrase, what('privateKey'));
      return await use(session);
    } finally {
      session.close();
    }
  }

  async #upload(session: SftpSession, feed: FeedFile): Promise<void> {
    const directory = this.#directory;
    const target = posix.join(directory, feed.fileName);
    const directoryStats = await session.statOrUndefined(directory);
    if (directoryStats === undefined || !directoryStats.isDirectory()) {
      throw session.refusal(`the remote directory ${directory} does not exist; check transport.directory`);
    }

    const existing = await session.statOrUndefined(target);
    if (existing?.size !== feed.sizeBytes) {
      await session.removeLeftovers(directory, `.${feed.fileName}.`);
      const temporary = posix.join(directory, `.${feed.fileName}.${randomBytes(4).toString('hex')}.partial`);
      try {
        await session.upload(feed.path, temporary);
        const uploaded = await session.call<Stats>(`stat ${temporary}`, (done) =>
          session.sftp.stat(temporary, done),
        );
        if (uploaded.size !== feed.sizeBytes) {
          throw session.failure(
            `${temporary} holds ${uploaded.size} bytes after the upload, not ${feed.sizeBytes}`,
          );
        }
        // Plain SFTP rename refuses to replace a file (OpenSSH): a stale copy under the final name goes first.
        if (existing !== undefined)
          await session.call(`remove ${target}`, (done) => session.sftp.unlink(target, done));
        await session.call(`rename ${temporary} to ${target}`, (done) =>
          session.sftp.rename(temporary, target, done),
        );
      } catch (error) {
        await session.removeQuietly(temporary);
        throw error;
      }
    }

    await this.#writeChecksum(session, feed);
  }

  async #writeChecksum(session: SftpSession, feed: FeedFile): Promise<void> {
    const directory = this.#directory;
    const checksumPath = `${posix.join(directory, feed.fileName)}.sha256`;
    const line = sha256Line(feed.sha256Hex, feed.fileName);
    const current = await session.readSmallFile(checksumPath);
    if (current === line) return;
    const temporary = posix.join(
      directory,
      `.${feed.fileName}.sha256.${randomBytes(4).toString('hex')}.partial`,
    );
    try {
      await session.call(`write ${temporary}`, (done) =>
        session.sftp.writeFile(temporary, line, { mode: 0o600 }, done),
      );
      if (current !== undefined || (await session.statOrUndefined(checksumPath)) !== undefined) {
        await session.call(`remove ${checksumPath}`, (done) => session.sftp.unlink(checksumPath, done));
      }
      await session.call(`rename ${temporary} to ${checksumPath}`, (done) =>
        session.sftp.rename(temporary, checksumPath, done),
      );
    } catch (error) {
      await session.removeQuietly(temporary);
      throw error;
    }
  }
}
