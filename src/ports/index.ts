export type { SourceConnector } from './source-connector.js';
export type { DeliveryReceipt, FeedFile, Transport, TransportFactory } from './transport.js';
