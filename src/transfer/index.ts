export { deliverTransfer, type DeliveryOutcome } from './deliver-transfer.js';
export { deliverUnderRecipientLock } from './deliver-under-lock.js';
export {
  claimFailedTransfer,
  failTransferIfPending,
  findTransfer,
  hasTransfers,
  listRunTransfers,
  recordTransferFailed,
} from './transfer-repository.js';
export {
  findDeliveryAfter,
  findTransferDetail,
  listRunTransferDetails,
  listTransfers,
  type RunTransferDetail,
  type TransferListing,
} from './transfer-listings.js';
export { decideHold } from './holds.js';
export { listHolds, type Hold } from './hold-repository.js';
export {
  advisoryRecipientLock,
  earlierPendingTransfers,
  inProcessRecipientLock,
  recipientLockFor,
  recipientLockKey,
  withRecipientLock,
  type RecipientLock,
} from './recipient-lock.js';
export {
  acknowledgeOffer,
  findOldestOffer,
  findPullOffer,
  listDeferredTransfers,
  recordDeferredCaughtUp,
  type DeferredTransfer,
  type PullOffer,
} from './pull-offers.js';
