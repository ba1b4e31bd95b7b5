import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Client as SshClient, SFTPWrapper, Stats } from 'ssh2';
import { HubError } from '../../../src/errors/index.js';
import { hostKeyFingerprint } from './host-key.js';
import type { SftpConfig } from './sftp-config.js';

const { Client } = ssh2;

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) the transport tells apart. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

/** Who runs the server and where its settings are, as the session's errors name them. */
export interface SftpWording {
  readonly party: string;
  readonly settings: string;
  readonly access: 'write' | 'read';
}

const recipientWording: SftpWording = { party: 'recipient', settings: 'transport', access: 'write' };

/**
 * One SSH connection with its SFTP channel, guarded by a no-progress watchdog (`timeoutSeconds`), an
 * overall deadline (`deadlineSeconds`) and the caller's abort signal: whichever fires closes the
 * connection and fails the operation in flight. Turns ssh2's errors into HubErrors that name what
 * happened and never a secret.
 */
export class SftpSession {
  readonly #config: SftpConfig;
  readonly #where: string;
  readonly #signal: AbortSignal | undefined;
  readonly #client: SshClient = new Client();
  #sftp: SFTPWrapper | undefined;
  /** Rejected once the connection is lost, timed out or aborted; raced against every operation. */
  readonly #broken: Promise<never>;
  #break: (error: HubError) => void = () => undefined;
  #brokenBy: HubError | undefined;
  readonly #pinned: readonly string[];
  #receivedHostKey: string | undefined;
  #hostKeyRefused = false;
  #closing = false;
  #idle: NodeJS.Timeout | undefined;
  readonly #deadline: NodeJS.Timeout;
  readonly #onAbort = () => this.#fail(this.failure('aborted'));
  readonly #wording: SftpWording;

  constructor(
    config: SftpConfig,
    where: string,
    signal: AbortSignal | undefined,
    wording: SftpWording = recipientWording,
  ) {
    this.#config = config;
    this.#wording = wording;
    this.#where = where;
    this.#signal = signal;
    this.#pinned = typeof config.hostKey === 'string' ? [config.hostKey] : config.hostKey;
    this.#broken = new Promise<never>((_resolve, reject) => {
      this.#break = reject;
    });
    this.#broken.catch(() => undefined);
    // ssh2 emits 'error' for a lost connection; without a listener that would crash the worker.
    this.#client.on('error', () => undefined);
    this.#client.on('close', () => {
      if (this.#closing) return;
      this.#fail(
        this.#hostKeyRefused ? this.#hostKeyMismatch() : this.failure('the server closed the connection'),
      );
    });
    this.#deadline = setTimeout(
      () => this.#fail(this.failure(`not finished within deadlineSeconds (${config.deadlineSeconds} s)`)),
      config.deadlineSeconds * 1000,
    );
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#progress();
    // An abort while the transport read its secrets has already fired: it would never reach the listener.
    if (signal?.aborted === true) this.#onAbort();
  }

  get sftp(): SFTPWrapper {
    if (this.#sftp === undefined) throw new Error('SFTP session used before connect()');
    return this.#sftp;
  }

  failure(message: string): HubError {
    return new HubError('PIFU_TRANSPORT_FAILED', `${this.#where}: ${message}`);
  }

  refusal(message: string): HubError {
    return new HubError('PIFU_TRANSPORT_REJECTED', `${this.#where}: ${message}`);
  }

  async connect(privateKey: Buffer, passphrase: Buffer | undefined, keyName: string): Promise<void> {
    const { host, port, username, timeoutSeconds } = this.#config;
    const pinned = this.#pinned;
    const ready = new Promise<void>((resolve, reject) => {
      this.#client.once('ready', () => resolve());
      this.#client.once('error', (error) => reject(this.#explainConnectError(error)));
    });
    try {
      this.#client.connect({
        host,
        port,
        username,
        privateKey,
        ...(passphrase === undefined ? {} : { passphrase }),
        authHandler: ['publickey'],
        tryKeyboard: false,
        readyTimeout: timeoutSeconds * 1000,
        keepaliveInterval: Math.min(15_000, timeoutSeconds * 1000),
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer): boolean => {
          this.#receivedHostKey = hostKeyFingerprint(key);
          this.#hostKeyRefused = !pinned.includes(this.#receivedHostKey);
          return !this.#hostKeyRefused;
        },
      });
    } catch {
      // ssh2 throws while parsing the key; its message names the problem but we give no key details at all.
      throw new HubError(
        'PIFU_CONFIG_INVALID',
        `${keyName}: the private key cannot be read (not an OpenSSH/PEM key, or a wrong or missing passphrase)`,
      );
    }
    await this.#guard(ready, 'connect');
    this.#sftp = await this.call<SFTPWrapper>('open the SFTP channel', (done) => this.#client.sftp(done));
  }

  /** Runs one SFTP request under the watchdog; `what` goes into the error when it fails. */
  call<T = void>(
    what: string,
    start: (done: (error: Error | null | undefined, value?: T) => void) => void,
  ): Promise<T> {
    return this.#guard(
      new Promise<T>((resolve, reject) => {
        start((error, value) => (error ? reject(error) : resolve(value as T)));
      }),
      what,
    );
  }

  /** The remote file's attributes, or undefined when there is no such file. */
  async statOrUndefined(path: string): Promise<Stats | undefined> {
    const found = await this.call<Stats | undefined>(`stat ${path}`, (done) =>
      this.sftp.stat(path, (error, stats) =>
        (error as { code?: unknown } | undefined)?.code === NO_SUCH_FILE
          ? done(null, undefined)
          : done(error, stats),
      ),
    );
    return found;
  }

  /** Streams a local file up with ssh2's pipelined writes; every acknowledged chunk counts as progress. */
  upload(localPath: string, remotePath: string): Promise<void> {
    return this.call(`upload to ${remotePath}`, (done) =>
      // Created 0600 on the server too: the feed is personal data at rest there until the recipient reads it.
      this.sftp.fastPut(localPath, remotePath, { mode: 0o600, step: () => this.#progress() }, (error) =>
        done(error),
      ),
    );
  }

  /** Streams a remote file down with ssh2's pipelined reads into `localPath` (made 0600 first). */
  async download(remotePath: string, localPath: string): Promise<void> {
    await (await open(localPath, 'w', 0o600)).close();
    await this.call(`download ${remotePath}`, (done) =>
      this.sftp.fastGet(remotePath, localPath, { step: () => this.#progress() }, (error) => done(error)),
    );
  }

  /** The content of a small remote file, or undefined when it is missing or unreadable (write-only drop). */
  async readSmallFile(path: string): Promise<string | undefined> {
    try {
      const content = await this.call<Buffer>(`read ${path}`, (done) => this.sftp.readFile(path, done));
      return content.toString('utf8');
    } catch (error) {
      if (this.#brokenBy !== undefined) throw error;
      return undefined;
    }
  }

  /** Removes temporary files an interrupted earlier attempt left behind; best effort. */
  async removeLeftovers(directory: string, prefix: string): Promise<void> {
    let names: string[];
    try {
      const entries = await this.call<{ filename: string }[]>(`list ${directory}`, (done) =>
        this.sftp.readdir(directory, done),
      );
      names = entries.map((entry) => entry.filename);
    } catch (error) {
      if (this.#brokenBy !== undefined) throw error;
      return;
    }
    for (const name of names) {
      if (name.startsWith(prefix) && name.endsWith('.partial'))
        await this.removeQuietly(posix.join(directory, name));
    }
  }

  async removeQuietly(path: string): Promise<void> {
    if (this.#brokenBy !== undefined) return;
    await this.call(`remove ${path}`, (done) => this.sftp.unlink(path, done)).catch(() => undefined);
  }

  close(): void {
    this.#closing = true;
    clearTimeout(this.#deadline);
    clearTimeout(this.#idle);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#client.end();
  }

  async #guard<T>(operation: Promise<T>, what: string): Promise<T> {
    this.#progress();
    try {
      return await Promise.race([operation, this.#broken]);
    } catch (error) {
      throw this.#brokenBy ?? this.#explain(error, what);
    } finally {
      this.#progress();
    }
  }

  /** (Re)arms the no-progress watchdog. */
  #progress(): void {
    if (this.#brokenBy !== undefined || this.#closing) return;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(
      () => this.#fail(this.failure(`no progress for timeoutSeconds (${this.#config.timeoutSeconds} s)`)),
      this.#config.timeoutSeconds * 1000,
    );
  }

  #fail(error: HubError): void {
    if (this.#brokenBy !== undefined || this.#closing) return;
    this.#brokenBy = error;
    clearTimeout(this.#idle);
    this.#break(error);
    this.#client.destroy();
  }

  #hostKeyMismatch(): HubError {
    return this.refusal(
      `host key mismatch: expected ${this.#pinned.join(' or ')}, received ${this.#receivedHostKey ?? 'none'}; ` +
        `the server may have been replaced or intercepted: confirm the new fingerprint with the ${this.#wording.party} out of band before changing ${this.#wording.settings}.hostKey`,
    );
  }

  #explainConnectError(error: Error & { level?: string }): HubError {
    const { username, timeoutSeconds } = this.#config;
    if (this.#hostKeyRefused) return this.#hostKeyMismatch();
    if (error.level === 'client-authentication') {
      return this.refusal(
        `the server refused public-key login as "${username}"; check ${this.#wording.settings}.username and that the ${this.#wording.party} has authorised the hub's public key`,
      );
    }
    if (error.level === 'client-timeout') {
      return this.failure(`no SSH handshake within timeoutSeconds (${timeoutSeconds} s)`);
    }
    return this.#explain(error, 'connect');
  }

  #explain(error: unknown, what: string): HubError {
    if (error instanceof HubError) return error;
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === NO_SUCH_FILE) return this.failure(`${what}: no such file`);
    if (code === PERMISSION_DENIED) {
      return this.refusal(
        `${what}: permission denied; the ${this.#wording.party} must let "${this.#config.username}" ${this.#wording.access} there`,
      );
    }
    return this.failure(`${what}: ${typeof code === 'string' ? `${code}: ` : ''}${message}`);
  }
}
