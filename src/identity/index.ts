export { sourceIdentities, type SourceIdentities, type SourceIdentityRow } from './source-identity.js';
