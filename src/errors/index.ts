export { errorCodes, type ErrorCode } from './codes.js';
export { HubError, isHubError, assertNever, type HubErrorOptions } from './hub-error.js';
