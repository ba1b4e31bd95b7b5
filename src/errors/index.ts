export { errorCodes, type ErrorCode } from './codes.js';
export { HubError, isHubError, assertNever } from './hub-error.js';
