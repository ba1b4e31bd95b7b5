export {
  contentHash,
  diffSorted,
  membershipStateKey,
  objectTypeCode,
  objectTypes,
  parseMembershipStateKey,
  type DesiredObject,
  type DiffEntry,
  type GroupDetail,
  type HeldObject,
  type ObjectType,
} from './held-object.js';
export {
  applyStateManifest,
  confirmRecipientState,
  findRecipientState,
  forgetRecipientState,
  lockRecipientState,
  readHeldObjects,
  type RecipientState,
} from './delivered-state-repository.js';
export {
  feedStreams,
  type DeltaCounts,
  type FeedPlanOptions,
  type FeedStreams,
  type ResendScope,
} from './recipient-delta.js';
export {
  formatStateHeader,
  formatStateLine,
  openStateManifest,
  stateManifestPath,
  type StateLine,
  type StateManifest,
  type StateMode,
} from './state-manifest.js';
export { identityChanged } from './full-required.js';
