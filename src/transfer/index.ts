export { deliverTransfer, type DeliveryOutcome } from './deliver-transfer.js';
export {
  claimFailedTransfer,
  failTransferIfPending,
  findTransfer,
  listRunTransfers,
  listTransfers,
  recordTransferFailed,
} from './transfer-repository.js';
export { type TransferTrigger } from './transfer-trigger.js';
export { decideHold, listHolds } from './holds.js';
export {
  advisoryRecipientLock,
  earlierPendingTransfers,
  inProcessRecipientLock,
  recipientLockFor,
  recipientLockKey,
  type RecipientLock,
} from './recipient-lock.js';
