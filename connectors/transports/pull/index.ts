export { pullConfigPlaces, pullConfigSchema } from './pull-config.js';
export { PullTransport } from './pull-transport.js';
