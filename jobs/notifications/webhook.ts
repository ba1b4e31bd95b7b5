import { createHmac } from 'node:crypto';
import type { NotificationDigest } from '../../src/notify/index.js';
import type { NotificationChannel } from '../../src/ports/index.js';

/** Header names a receiver checks (docs/configuration.md#notifications). */
export const webhookHeaders = {
  timestamp: 'x-pifu-hub-timestamp',
  signature: 'x-pifu-hub-signature',
} as const;

/**
 * The signature of one webhook body: HMAC-SHA256 with the shared secret over `TIMESTAMP.BODY` (the Unix
 * seconds of the timestamp header, a dot, the raw body), hex, as `sha256=…`. Signing the time too lets a
 * receiver refuse an old body replayed.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Notifications as a JSON POST: the digest as it is (ids and counts only), signed; `Idempotency-Key` is
 * the digest's id, the same when a failed send is tried again. Only a 2xx counts as taken. Errors name
 * the URL's origin, never its path or query (a token may hide there) nor the secret.
 */
export function webhookChannel(settings: {
  url: string;
  secret: string;
  timeoutMs?: number;
}): NotificationChannel {
  const origin = new URL(settings.url).origin;
  return {
    name: 'webhook',
    async send(digest: NotificationDigest): Promise<void> {
      const body = JSON.stringify(digest);
      const timestamp = String(Math.floor(Date.now() / 1000));
      let response: Response;
      try {
        response = await fetch(settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': digest.id,
            [webhookHeaders.timestamp]: timestamp,
            [webhookHeaders.signature]: webhookSignature(settings.secret, timestamp, body),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
        });
      } catch (error) {
        const cause =
          error instanceof Error
            ? error.cause instanceof Error
              ? error.cause.message
              : error.message
            : String(error);
        throw new Error(`webhook ${origin}: ${cause}`, { cause: error });
      }
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) {
        throw new Error(`webhook ${origin} answered ${response.status}`);
      }
    },
  };
}
