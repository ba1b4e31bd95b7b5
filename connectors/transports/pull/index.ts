export { pullConfigPlaces, pullConfigSchema, type PullConfig } from './pull-config.js';
export { PullTransport } from './pull-transport.js';
