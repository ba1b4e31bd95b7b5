export { errorCodes } from './codes.js';
export { HubError, isHubError, assertNever } from './hub-error.js';
