export { deliverTransfer, type DeliveryOutcome } from './deliver-transfer.js';
export { deliverUnderRecipientLock } from './deliver-under-lock.js';
export {
  claimFailedTransfer,
  failTransferIfPending,
  findTransfer,
  hasTransfers,
  listRunTransfers,
  listTransfers,
  recordTransferFailed,
  type TransferListing,
} from './transfer-repository.js';
export { decideHold, listHolds, type Hold } from './holds.js';
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
