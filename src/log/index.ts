export { createLogger, redactedPaths, type Logger } from './create-logger.js';
