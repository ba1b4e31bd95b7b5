/** API tokens: who may call the HTTP API, stored as hashes (docs/api.md). */
export { apiTokenHash, isApiTokenShaped, newApiToken } from './api-token.js';
export {
  findApiToken,
  findLiveApiTokenByHash,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  type ApiTokenRecord,
} from './api-token-repository.js';
