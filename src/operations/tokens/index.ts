export { createApiToken } from './create-api-token.js';
export { listApiTokens, revokeApiToken } from './manage-api-tokens.js';
export { authenticateApiToken } from './authenticate-api-token.js';
