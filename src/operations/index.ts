/**
 * The one door to the hub for every face (CLI, HTTP API): one use case per file, each a plain function
 * `(ctx, actor, input)` that validates its input, checks the actor's role, does its work, writes its
 * audit row in the same transaction as its effect, and throws only HubError.
 */
export type { Actor } from './actor.js';
export type { OperationContext } from './operation-context.js';
export { listLimit } from './input-schemas.js';
export type { FeedReport, RunObserver, RunReport } from './run-report.js';
export type { MaskedPerson } from '../feed/index.js';
export { startExport, type ExportInput } from './start-export.js';
export { importFile, type ImportInput, type ImportResult } from './import-file.js';
export { describeDropFolderOutcome, importDropFolder, type DropFolderOutcome } from './import-drop-folder.js';
export type { ImportTally } from './import-tally.js';
export { pullSourceFile, type SourcePullOutcome } from './pull-source.js';
export {
  lenientModeHelp,
  lenientModes,
  parseLenientModes,
  type ImportReport,
  type ImportProblem,
  type LenientMode,
} from '../ports/index.js';
export { resyncRecipient, type ResyncInput } from './resync-recipient.js';
export { previewExport, type ExportPreview, type PreviewInput } from './preview-export.js';
export { writePreviewFeeds, type PreviewFile, type PreviewFilesInput } from './write-preview-feeds.js';
export { retryTransfer, type RetryInput, type RetryResult } from './retry-transfer.js';
export { decideHold, listHolds, type HoldDecisionInput } from './holds.js';
export { showHold, type HeldChange, type HoldDetail, type ShowHoldInput } from './show-hold.js';
export { forgetPerson, type ForgetInput, type ForgetResult } from './forget-person.js';
export { checkRetention, type RetentionInput } from './check-retention.js';
export { runRetention, type RetentionRunInput, type RetentionRunResult } from './run-retention.js';
export type { RetentionDue, RetentionSummary } from '../retention/index.js';
export {
  renderAccessReport,
  reportAccess,
  type AccessReportFormat,
  type AccessReportInput,
} from './report-access.js';
export {
  reportLanguages,
  type AccessReport,
  type RecipientsReport,
  type ReportLanguage,
} from '../reports/index.js';
export { writeFileAtomically as writePrivateFile } from '../files/index.js';
export { restrictPerson, type RestrictInput, type RestrictResult } from './restrict-person.js';
export { unrestrictPerson, type UnrestrictInput, type UnrestrictResult } from './unrestrict-person.js';
export { listDisclosures } from './list-disclosures.js';
export { listAudit, type AuditInput } from './list-audit.js';
export { listRuns, showRun, type RunDetail, type ShownRun } from './runs.js';
export { listTransfers, type TransfersInput } from './list-transfers.js';
export { countQueues } from './count-queues.js';
export { openQueueBoard } from './open-queue-board.js';
export { migrateHubSchema } from './migrate.js';
export * from './recipients/index.js';
// The domain types the operations return, so faces need no other door into the core.
export type { RunListing, RunOutcome } from '../run/index.js';
export type { DeliveryOutcome, Hold, RunTransferDetail, TransferListing } from '../transfer/index.js';
export {
  groupCategories,
  type DisclosureAnswer,
  type DisclosureGroup,
  type GroupedCategories,
} from '../disclosure/index.js';
export type { AuditRecord } from '../audit/index.js';
export type { OverdueHolding } from '../privacy/index.js';
export { jobStates, type JobState, type QueueCounts } from '../ports/index.js';
export { fieldCategory, profileKeys, type FieldKey } from '../profiles/index.js';
export type { RecipientConfig } from '../config/index.js';
export { admitProcess } from './admit-process.js';
export { validateFeeds } from './validate-feeds.js';
export { hubVersion } from './hub-version.js';
export { planSchedules } from './plan-schedules.js';
export { checkPlanHours, formatLocalSlot, maxSlotWindowHours, type Slot } from '../schedule/index.js';
export { HubError, isHubError } from '../errors/index.js';
export { osUserActor } from './os-user-actor.js';
export { cancelRun, type CancelRunInput } from './cancel-run.js';
export * from './tokens/index.js';
export * from './pull/index.js';
export { checkReadiness } from './check-readiness.js';
export { readMetrics, type HubMetrics } from './read-metrics.js';
export { listRecipientStatus, type RecipientStatus } from './recipient-status.js';
export type { HistogramData } from '../metrics/index.js';
export type { ApiTokenRecord } from '../access/index.js';
export type { RecipientChecks } from '../config/index.js';
export { errorCodes, type ErrorCode } from '../errors/index.js';
export { operatorRoles, type OperatorRole } from '../config/index.js';
export { transferStatuses, type TransferStatus } from '../db/index.js';
export type { Logger } from '../log/index.js';
