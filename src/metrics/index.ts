export {
  feedWriteSecondsBounds,
  readTableMetrics,
  runSecondsBounds,
  type HistogramData,
  type TableMetrics,
} from './hub-metrics.js';
