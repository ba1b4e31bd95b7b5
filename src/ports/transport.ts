/**
 * How a written feed reaches its recipient. Implementations live in `connectors/transports/*`, one
 * folder each, registered by `kind` in `connectors/transports/registry.ts`; the core never names one.
 *
 * An implementation must:
 * - be idempotent per `transferId`: delivering the same transfer again (after a crash between delivery
 *   and acknowledgement) must leave the recipient with one copy, never two different ones;
 * - resolve only once the recipient holds the complete file (for a file drop: written, fsynced and
 *   renamed into place); resolving is the acknowledgement the hub commits on (docs/requirements.md#d2),
 *   unless the receipt says the recipient acknowledges later (`awaitsAcknowledgement`: pull);
 * - throw `HubError('PIFU_TRANSPORT_FAILED')` for trouble worth retrying and
 *   `HubError('PIFU_TRANSPORT_REJECTED')` when the recipient refused for good;
 * - stop promptly when `signal` aborts;
 * - never log or put into an error the feed's content, or a secret.
 *
 * Left out on purpose: recording anything in the hub database (the acknowledgement transaction is the
 * core's), retries (the queue's), and choosing what to send (the profile's).
 */
export interface Transport {
  readonly kind: string;
  deliver(feed: FeedFile, options?: { signal?: AbortSignal }): Promise<DeliveryReceipt>;
  /**
   * After a crash: does the recipient already hold this transfer's feed, complete, from a delivery the
   * hub never acknowledged? Resolves with the receipt `deliver` would have given when it does, and with
   * undefined when it does not. Either way, removes what an interrupted delivery of this transfer left
   * behind (temporary files), so nothing half-written stays with the recipient.
   *
   * The hub calls it only for a transfer it had started to deliver, and acknowledges on a receipt exactly
   * as after `deliver`, so the disclosure register never misses a file the recipient received. An
   * implementation must therefore answer yes only for the feed's exact content (a file drop compares the
   * sha-256, SFTP the size under the transfer-stable name) and may finish a delivery that only lacks its
   * last step (the `.sha256` file). A transport that cannot look without sending may send again only
   * where the recipient recognises a repeat (HTTPS: the same Idempotency-Key). It throws when it cannot
   * tell (the recipient unreachable). Left out by a transport that cannot confirm at all: such a
   * transfer is then failed, for an operator to `retry`.
   */
  confirm?(feed: FeedFile, options?: { signal?: AbortSignal }): Promise<DeliveryReceipt | undefined>;
}

export interface FeedFile {
  readonly transferId: string;
  readonly recipientId: string;
  /** Where the written feed is in the spool. */
  readonly path: string;
  /** The name the recipient should see, unique per transfer. */
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
  /**
   * Which delivery of this transfer this is, from 1. A transport whose recipient answers "already have
   * it" (HTTP 409 to a repeated Idempotency-Key) may believe that only from the second attempt on.
   * Undefined when unknown (a transport called outside the hub's delivery step).
   */
  readonly attempt?: number;
}

export interface DeliveryReceipt {
  /** Where the recipient now holds the feed (a path, a URL, a remote file name). */
  readonly location: string;
  /**
   * True when the transport only made the feed available and the recipient acknowledges it itself,
   * later (the pull endpoint). The hub then records the transfer `offered`, not delivered, and commits
   * the acknowledgement transaction only when the recipient acknowledges. Push transports leave it out.
   */
  readonly awaitsAcknowledgement?: boolean;
}

/** Builds a transport from a recipient's `transport` config; throws PIFU_RECIPIENT_INVALID on bad config. */
export type TransportFactory = (config: { readonly kind: string }, recipientId: string) => Transport;
