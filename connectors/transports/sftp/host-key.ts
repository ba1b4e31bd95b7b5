import { createHash } from 'node:crypto';

/** `SHA256:<base64 without padding>` of a host key blob, as OpenSSH prints it. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
