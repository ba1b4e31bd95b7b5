export { httpsPushConfigSchema } from './https-push-config.js';
export { HttpsPushTransport, excerpt } from './https-push-transport.js';
