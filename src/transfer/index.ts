export { acknowledgeTransfer } from './acknowledge-transfer.js';
export { deliverTransfer, type DeliveryOutcome } from './deliver-transfer.js';
export { deliverUnderRecipientLock, type ReleasedDelivery } from './deliver-under-lock.js';
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
export { transferTriggers, type TransferTrigger } from './transfer-trigger.js';
export { decideHold, listHolds, type Hold, type HoldDecision } from './holds.js';
export {
  advisoryRecipientLock,
  earlierPendingTransfers,
  inProcessRecipientLock,
  recipientLockFor,
  recipientLockKey,
  withRecipientLock,
  type LockOutcome,
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
