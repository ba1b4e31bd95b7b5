export { httpsPushConfigPlaces, httpsPushConfigSchema } from './https-push-config.js';
export { excerpt } from './https-push-failure.js';
export { HttpsPushTransport } from './https-push-transport.js';
