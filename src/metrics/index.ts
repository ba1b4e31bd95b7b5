export { readTableMetrics, type HistogramData, type TableMetrics } from './hub-metrics.js';
