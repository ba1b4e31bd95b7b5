import { createReadStream } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import { describeSecretSource, readSecret, type SecretSource } from '../../../src/config/index.js';
import { HubError } from '../../../src/errors/index.js';
import { checkSpoolFile, fileReadBytes } from '../../../src/files/index.js';
import type { DeliveryReceipt, FeedFile, Transport } from '../../../src/ports/index.js';
import type { HttpsPushConfig } from './https-push-config.js';
import { BrokenOff, excerpt, networkFailure, NoAnswer } from './https-push-failure.js';

/** What the recipient answered: enough to classify, never more than a short excerpt of the body. */
interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: Buffer;
  /** Whether the whole feed had been sent when the answer came. */
  readonly bodySent: boolean;
}

/** How much of the recipient's answer is kept, for the excerpt in an error. */
const excerptBytes = 2048;

/**
 * POSTs the feed to the recipient's HTTPS endpoint, streamed from the spool (never read into memory),
 * with `Content-Digest` (RFC 9530) so the recipient can check it, and `Idempotency-Key: <transferId>` so
 * a repeated delivery of the same transfer is recognisable: a 2xx or a 409 to a repeat both mean the
 * recipient holds it. 5xx, 408, 429, network trouble and timeouts are retryable; other 4xx and TLS
 * trust failures are refusals for good. Secrets are read at delivery (so a rotated token is picked up)
 * and never appear in an error: the response excerpt in one is cut short and scrubbed.
 */
export class HttpsPushTransport implements Transport {
  readonly kind = 'https-push';
  readonly #config: HttpsPushConfig;
  readonly #url: URL;
  /** The endpoint without query string, for messages. */
  readonly #endpoint: string;

  constructor(config: HttpsPushConfig) {
    this.#config = config;
    this.#url = new URL(config.url);
    this.#endpoint = `${this.#url.origin}${this.#url.pathname}`;
  }

  async deliver(feed: FeedFile, options: { signal?: AbortSignal } = {}): Promise<DeliveryReceipt> {
    const where = `https push for ${feed.recipientId} to ${this.#endpoint}`;
    if (options.signal?.aborted) throw new HubError('PIFU_TRANSPORT_FAILED', `${where}: aborted`);
    const { secureContext, token } = await this.#credentials(feed.recipientId);
    await checkSpoolFile(feed);

    const headers: OutgoingHttpHeaders = {
      ...this.#config.headers,
      'User-Agent': 'pifu-hub',
      'Content-Type': 'application/xml',
      'Content-Length': String(feed.sizeBytes),
      'Content-Digest': `sha-256=:${Buffer.from(feed.sha256Hex, 'hex').toString('base64')}:`,
      'Content-Disposition': `attachment; filename="${feed.fileName.replace(/["\\\r\n]/g, '_')}"`,
      'Idempotency-Key': feed.transferId,
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    };

    let answer: Answer;
    try {
      answer = await this.#post(feed.path, headers, secureContext, options.signal);
    } catch (error) {
      throw networkFailure(where, error);
    }
    return this.#classify(where, answer, token, feed.attempt);
  }

  /**
   * HTTPS cannot look without sending: the delivery is repeated with the same Idempotency-Key, as a
   * repeat (so a 409 "already have it" counts). A recipient that had it keeps one copy; one that had not
   * receives it now, and either way it then holds the feed.
   */
  confirm(feed: FeedFile, options: { signal?: AbortSignal } = {}): Promise<DeliveryReceipt> {
    return this.deliver({ ...feed, attempt: Math.max(feed.attempt ?? 2, 2) }, options);
  }

  #classify(
    where: string,
    answer: Answer,
    token: string | undefined,
    attempt: number | undefined,
  ): DeliveryReceipt {
    const { status } = answer;
    const said = () => {
      const text = excerpt(answer.body, token);
      return text === '' ? '' : `: "${text}"`;
    };
    if (status === 409) {
      // "Already have it" is believable only for a key sent before; on a first attempt a 409 is some
      // other conflict (an import still running), so try again later rather than count it delivered.
      if (attempt === undefined || attempt > 1) return { location: this.#location(answer) };
      throw new HubError(
        'PIFU_TRANSPORT_FAILED',
        `${where}: answered 409 to the first delivery of this transfer${said()}`,
      );
    }
    if (status >= 200 && status < 300) {
      if (!answer.bodySent) {
        throw new HubError(
          'PIFU_TRANSPORT_FAILED',
          `${where}: answered ${status} before it had received the whole feed; not counted as delivered`,
        );
      }
      return { location: this.#location(answer) };
    }
    if (status >= 500 || status === 408 || status === 429) {
      throw new HubError('PIFU_TRANSPORT_FAILED', `${where}: answered ${status}${said()}`);
    }
    if (status >= 300 && status < 400) {
      throw new HubError(
        'PIFU_TRANSPORT_REJECTED',
        `${where}: answered ${status} (a redirect); redirects are not followed, configure the final URL in transport.url`,
      );
    }
    throw new HubError('PIFU_TRANSPORT_REJECTED', `${where}: refused with ${status}${said()}`);
  }

  #location(answer: Answer): string {
    if (answer.location === undefined) return this.#url.toString();
    try {
      return new URL(answer.location, this.#url).toString();
    } catch {
      return this.#url.toString();
    }
  }

  /** Reads the configured secrets now (a rotated file or variable takes effect on the next delivery). */
  async #credentials(recipientId: string): Promise<{ secureContext: SecureContext; token?: string }> {
    const what = (path: string) => `recipient "${recipientId}": transport.${path}`;
    const read = async (source: SecretSource | undefined, path: string) =>
      source === undefined ? undefined : readSecret(source, what(path));
    const { bearerToken, clientCertificate, ca } = this.#config;
    const token = (await read(bearerToken, 'bearerToken'))?.toString('utf8');
    if (token !== undefined && bearerToken !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
      throw new HubError(
        'PIFU_CONFIG_INVALID',
        `${what('bearerToken')}: the token in ${describeSecretSource(bearerToken)} has spaces or characters an HTTP header cannot carry`,
      );
    }
    const trusted = await read(ca, 'ca');
    const cert = await read(clientCertificate?.cert, 'clientCertificate.cert');
    const key = await read(clientCertificate?.key, 'clientCertificate.key');
    const chain = await read(clientCertificate?.ca, 'clientCertificate.ca');
    let secureContext: SecureContext;
    try {
      secureContext = createSecureContext({
        minVersion: 'TLSv1.2',
        ...(trusted === undefined ? {} : { ca: trusted }),
        ...(cert === undefined
          ? {}
          : { cert: chain === undefined ? cert : Buffer.concat([cert, Buffer.from('\n'), chain]) }),
        ...(key === undefined ? {} : { key }),
      });
    } catch (error) {
      // OpenSSL's messages name the problem, never the key material.
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new HubError(
        'PIFU_CONFIG_INVALID',
        `${what(cert === undefined ? 'ca' : 'clientCertificate')}: the PEM data cannot be used (${code}); check that certificate and key are PEM and belong together`,
      );
    }
    return token === undefined ? { secureContext } : { secureContext, token };
  }

  #post(
    path: string,
    headers: OutgoingHttpHeaders,
    secureContext: SecureContext,
    signal: AbortSignal | undefined,
  ): Promise<Answer> {
    const { timeoutSeconds, deadlineSeconds } = this.#config;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      let bodySent = false;
      let afterHandshake = false;
      let answered: { status: number; location: string | undefined; chunks: Buffer[] } | undefined;
      const body = createReadStream(path, { highWaterMark: fileReadBytes });
      const contentLength = Number(headers['Content-Length']);
      let bytesRead = 0;
      let bytesFlushed = 0;
      // https.request hands these on to tls.connect, which takes a prepared secureContext.
      const requestOptions: RequestOptions & Pick<ConnectionOptions, 'secureContext'> = {
        method: 'POST',
        headers,
        secureContext,
        agent: false,
        // Socket inactivity: covers connecting, the TLS handshake, a stalled upload and the wait for the answer.
        timeout: timeoutSeconds * 1000,
      };
      const request = httpsRequest(this.#url, requestOptions);
      const deadline = setTimeout(
        () => request.destroy(new BrokenOff(`not finished within deadlineSeconds (${deadlineSeconds} s)`)),
        deadlineSeconds * 1000,
      );
      const onAbort = () => request.destroy(new BrokenOff('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      // An abort during the awaits before this point has already fired: it would never reach the listener.
      if (signal?.aborted === true) onAbort();

      const settle = (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        body.destroy();
        if (answered === undefined) {
          reject(new NoAnswer(error, afterHandshake));
        } else {
          resolve({
            status: answered.status,
            location: answered.location,
            body: Buffer.concat(answered.chunks).subarray(0, excerptBytes),
            bodySent,
          });
        }
        request.destroy();
      };

      request.on('timeout', () =>
        request.destroy(new BrokenOff(`no progress for timeoutSeconds (${timeoutSeconds} s)`)),
      );
      request.on('socket', (socket) => socket.once('secureConnect', () => (afterHandshake = true)));
      request.prependListener('finish', () => {
        bodySent = true;
      });
      request.on('error', (error) => settle(error));
      request.on('response', (response) => {
        answered = { status: response.statusCode ?? 0, location: firstHeader(response.headers), chunks: [] };
        let kept = 0;
        const chunks = answered.chunks;
        response.on('data', (chunk: Buffer) => {
          if (kept < excerptBytes) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        response.on('end', () => {
          // The answer can come before the request's own 'finish' when the last bytes of the feed are
          // already with the socket: wait for it then, but not when the file was not even read to the end.
          if (bodySent || bytesRead < contentLength) settle(undefined);
          else request.once('finish', () => settle(undefined)).once('close', () => settle(undefined));
        });
        response.on('error', () => settle(undefined));
        response.on('aborted', () => settle(undefined));
      });
      body.on('error', (error) =>
        request.destroy(
          new BrokenOff(`cannot read the spool file (${(error as NodeJS.ErrnoException).code})`),
        ),
      );
      // Written chunk by chunk rather than piped, so that the body counts as sent once every byte has
      // been handed to the socket (each write's callback), not only at the request's 'finish': that
      // waits for the file stream's own 'end', which can come after the recipient's answer (and after
      // the connection closed), making a complete upload look cut short.
      body.on('data', (chunk: Buffer | string) => {
        bytesRead += chunk.length;
        const more = request.write(chunk, (error) => {
          if (error) return;
          bytesFlushed += chunk.length;
          if (bytesFlushed === contentLength) bodySent = true;
        });
        if (!more) {
          body.pause();
          request.once('drain', () => body.resume());
        }
      });
      body.on('end', () => request.end());
    });
  }
}

function firstHeader(headers: IncomingHttpHeaders): string | undefined {
  const location = headers.location;
  return typeof location === 'string' && location !== '' ? location : undefined;
}
