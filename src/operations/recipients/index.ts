export { listRecipients } from './list-recipients.js';
export { describeRecipient } from './describe-recipient.js';
export { diffRecipients } from './diff-recipients.js';
export {
  compareRecipients,
  validateRecipientConfig,
  viewRecipient,
  viewRecipients,
} from './recipient-views.js';
export {
  changesFromDefault,
  describePseudonymKey,
  freezeWindows,
  populationDisclosures,
  summariseRecipient,
  type KeyChange,
  type Population,
  type PopulationDisclosure,
  type RecipientDescription,
  type RecipientSummary,
} from './recipient-description.js';
export {
  formatValue,
  type ListDifference,
  type RecipientDiff,
  type ScalarDifference,
} from './recipient-diff.js';
export {
  readRecipientsReport,
  renderRecipientsReport,
  reportRecipients,
  type RecipientsReportFormat,
} from './report-recipients.js';
