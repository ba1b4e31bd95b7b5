import { HubError } from '../../../src/errors/index.js';

/** Why the transport itself broke off a request; becomes a retryable PIFU_TRANSPORT_FAILED. */
export class BrokenOff extends Error {}

/** A request that got no answer, and whether the TLS handshake had completed before it failed. */
export class NoAnswer extends Error {
  constructor(
    readonly reason: unknown,
    readonly afterHandshake: boolean,
  ) {
    super('no answer');
  }
}

const excerptChars = 200;

/**
 * Certificate problems on the recipient's side that no retry will fix: the server's certificate is not
 * trusted or not for this host. These fail the transfer at once, with what to change.
 */
const untrustedServerCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A network or TLS failure: retryable, except for TLS trust problems that need a config change. A TLS 1.3
 * server checks the client certificate after the handshake, so a refused one shows either as the
 * server's alert (refused for good) or, when the reset overtakes the alert, as a plain reset right after
 * the handshake: retryable, since a reset is also what a restarting server looks like, with a hint.
 */
export function networkFailure(where: string, failure: unknown): HubError {
  const error = failure instanceof NoAnswer ? failure.reason : failure;
  if (error instanceof BrokenOff) return new HubError('PIFU_TRANSPORT_FAILED', `${where}: ${error.message}`);
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && untrustedServerCodes.has(code)) {
    return new HubError(
      'PIFU_TRANSPORT_REJECTED',
      `${where}: the server's TLS certificate is not accepted (${code}: ${message}); set transport.ca to trust the recipient's private CA, or ask the recipient to fix its certificate`,
    );
  }
  if (code !== undefined && /^ERR_SSL_.*ALERT/.test(code)) {
    return new HubError(
      'PIFU_TRANSPORT_REJECTED',
      `${where}: the server refused the TLS handshake (${code}); check transport.clientCertificate with the recipient`,
    );
  }
  const afterHandshake = failure instanceof NoAnswer && failure.afterHandshake;
  if (afterHandshake && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return new HubError(
      'PIFU_TRANSPORT_FAILED',
      `${where}: the server closed the connection right after the TLS handshake (${code}); if it requires a client certificate, check transport.clientCertificate with the recipient`,
    );
  }
  return new HubError(
    'PIFU_TRANSPORT_FAILED',
    `${where}: ${code === undefined ? message : `${code}: ${message}`}`,
  );
}

/**
 * A short, single-line excerpt of what the recipient answered, fit for an error message and the
 * transfer log: no token, no bearer credential, nothing shaped like a national id or an e-mail address
 * (a recipient may echo the feed back in its complaint).
 */
export function excerpt(body: Buffer, token?: string): string {
  let text = body.toString('utf8');
  if (token !== undefined && token.length > 0) text = text.split(token).join('[redacted]');
  text = text
    .replace(/bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\b\d{6}\s?\d{5}\b/g, '[number]')
    .replace(/[^\s@"'<>]+@[^\s@"'<>]+\.[^\s@"'<>]+/g, '[e-mail]')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
  return text.length > excerptChars ? `${text.slice(0, excerptChars)}…` : text;
}
