export { acknowledgeTransfer } from './acknowledge-transfer.js';
export { confirmTransfer, type Confirmation } from './confirm-transfer.js';
export { deliverTransfer, type DeliveryOutcome } from './deliver-transfer.js';
export {
  claimFailedTransfer,
  failTransferIfPending,
  findTransfer,
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
  type LockOutcome,
  type RecipientLock,
} from './recipient-lock.js';
