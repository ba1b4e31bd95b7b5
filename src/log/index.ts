export { chooseLogFormat, createLogger, type Logger } from './create-logger.js';
