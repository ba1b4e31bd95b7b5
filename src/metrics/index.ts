export { readTableMetrics, type HistogramData, type TableMetrics } from './hub-metrics.js';
export { readRecipientStandings, type RecipientStanding } from './recipient-status.js';
