import type { NotificationDigest } from '../notify/events.js';

/**
 * Where operator notifications go: a webhook, e-mail. Implemented in `jobs/`. `send` resolves only once
 * the other end took the digest (a 2xx, an accepted message) and throws otherwise, so the outbox tries
 * again later; a digest may then arrive twice, and carries an id to recognise it by. It must not add
 * anything to what it is given: the digest holds ids and counts only, never personal data.
 */
export interface NotificationChannel {
  readonly name: 'webhook' | 'email';
  send(digest: NotificationDigest): Promise<void>;
}
