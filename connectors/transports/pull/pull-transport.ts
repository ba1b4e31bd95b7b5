import type { DeliveryReceipt, FeedFile, Transport } from '../../../src/ports/index.js';

/**
 * Offers the written feed to the recipient instead of sending it: the feed stays in the spool, where the
 * pull endpoint streams it from, and the transfer waits for the recipient's acknowledgement
 * (`POST /feeds/{recipient}/{transfer}/ack`), which commits it as delivered. Idempotent by nature: a
 * repeated offer of the same transfer names the same place.
 */
export class PullTransport implements Transport {
  readonly kind = 'pull';

  async deliver(feed: FeedFile): Promise<DeliveryReceipt> {
    return {
      location: `/feeds/${feed.recipientId}/${feed.transferId}`,
      awaitsAcknowledgement: true,
    };
  }
}
