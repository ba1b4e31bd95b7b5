import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { scratchDir } from '../../../helpers/scratch-dir.js';

/**
 * A recipient's HTTPS endpoint on 127.0.0.1, as a careful recipient would run it: it keeps the first
 * complete body per Idempotency-Key and answers a repeat with 409 (which the https-push transport counts
 * as "the recipient holds it"). It counts every request that reached it per key, complete or not, and
 * answers only `answerAfterMs` after the body arrived: the window in which the recipient holds the feed
 * while the hub has not yet acknowledged it, the one a crash must not turn into a lost or double feed.
 */
export interface HttpsRecipient {
  readonly url: string;
  /** The self-signed certificate to trust (transport.ca). */
  readonly caFile: string;
  /** Requests per Idempotency-Key, counted when their headers arrived. */
  readonly seen: Map<string, number>;
  /** The first complete body per Idempotency-Key. */
  readonly kept: Map<string, { sha256Hex: string; sizeBytes: number }>;
  /** Called when a request's headers arrive. */
  onRequest(listener: (idempotencyKey: string) => void): void;
  close(): Promise<void>;
}

export async function startHttpsRecipient(options: { answerAfterMs: number }): Promise<HttpsRecipient> {
  const dir = scratchDir('pifu-https-');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'server.key'),
      '-out',
      join(dir, 'server.crt'),
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '2',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  const seen = new Map<string, number>();
  const kept = new Map<string, { sha256Hex: string; sizeBytes: number }>();
  const listeners: ((key: string) => void)[] = [];
  const server = createServer(
    { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.crt')) },
    (request, response) => {
      const key = String(request.headers['idempotency-key'] ?? '');
      seen.set(key, (seen.get(key) ?? 0) + 1);
      for (const listener of listeners) listener(key);
      const hash = createHash('sha256');
      let sizeBytes = 0;
      request.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        sizeBytes += chunk.length;
      });
      request.on('end', () => {
        const repeat = kept.has(key);
        if (!repeat) kept.set(key, { sha256Hex: hash.digest('hex'), sizeBytes });
        void sleep(options.answerAfterMs).then(() => {
          response.writeHead(repeat ? 409 : 201, { 'Content-Type': 'text/plain' });
          response.end(repeat ? 'already received' : 'received');
        });
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/pifu/inbound`,
    caFile: join(dir, 'server.crt'),
    seen,
    kept,
    onRequest: (listener) => listeners.push(listener),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
