export type { SourceConnector } from './source-connector.js';
export type { DeliveryReceipt, FeedFile, Transport, TransportFactory } from './transport.js';
export type { RunExecutor } from './run-executor.js';
export { jobStates, type JobState, type QueueCounts, type QueueInspector } from './queue-inspector.js';
export {
  lenientModeHelp,
  lenientModes,
  parseLenientModes,
  type ImportProblem,
  type ImportReport,
  type LenientMode,
  type RosterFile,
  type RosterFileReader,
  type RosterChangeCounts,
} from './roster-file.js';
export type { NotificationChannel } from './notification-channel.js';
export type { RemoteSourceFile, SourceFileFetcher } from './source-fetcher.js';
