export { accessReportDocument } from './access-document.js';
export { buildAccessReport, type AccessReport } from './access-report.js';
export {
  recipientsReportDocument,
  renderRecipientsMarkdown,
  type RecipientsReport,
} from './recipients-document.js';
export { renderHtml, renderPdf } from './report-document.js';
export { reportLanguages, type ReportLanguage } from './report-texts.js';
