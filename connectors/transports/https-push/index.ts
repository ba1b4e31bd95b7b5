export { httpsPushConfigPlaces, httpsPushConfigSchema, type HttpsPushConfig } from './https-push-config.js';
export { HttpsPushTransport, excerpt } from './https-push-transport.js';
