export {
  contentHash,
  membershipStateKey,
  objectTypeCode,
  type HeldObject,
  type ObjectType,
} from './held-object.js';
export {
  applyStateManifest,
  confirmRecipientState,
  findRecipientState,
  lockRecipientState,
  readHeldObjects,
  readHeldObjectsAmong,
  viewBasisRuns,
  type RecipientState,
} from './delivered-state-repository.js';
export { feedStreams, type DeltaCounts, type FeedStreams, type ResendScope } from './recipient-delta.js';
export {
  formatStateHeader,
  formatStateLine,
  missingStateManifest,
  openStateManifest,
  stateManifestPath,
  stateManifestPaths,
  type StateLine,
  type StateManifest,
} from './state-manifest.js';
export { identityChanged } from './full-required.js';
export { type ViewBasis } from './view-basis.js';
