export { accessReportDocument } from './access-document.js';
export {
  buildAccessReport,
  type AccessReport,
  type DisclosurePeriod,
  type RecipientAccess,
} from './access-report.js';
export type { PersonValues } from './person-values.js';
export {
  recipientsReportDocument,
  renderRecipientsMarkdown,
  type RecipientEntry,
  type RecipientsReport,
} from './recipients-document.js';
export { renderHtml, renderPdf, type Block, type ReportDocument } from './report-document.js';
export { categoryLabel, reportLanguages, type ReportLanguage } from './report-texts.js';
