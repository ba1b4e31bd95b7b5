export { errorCodes, type ErrorCode } from './codes.js';
export { HubError, hubErrorFromMessage, isHubError, assertNever } from './hub-error.js';
