export { renderFeed } from './render-feed.js';
export type { FeedEntry, FeedInput } from './feed-input.js';
export { readFeed, readFeedDetailed, type DetailedFeedDocument, type ReadEntry } from './read-feed.js';
export { InputGuard } from './input-guard.js';
export { defaultInputLimits, InputRefusal, type InputLimits } from './input-limits.js';
export { checkInputFile, openGuardedFile } from './guarded-input.js';
export { toFeedPerson, type FeedPerson } from './feed-person.js';
export { findXmllint, validateFeedFile, validateFeedText, type FeedValidation } from './validate-feed.js';
export {
  isRoletypeCode,
  roleOfRoletype,
  roleType,
  roletypeCodes,
  type RoletypeCode,
} from './pifu-vocabulary.js';
export { allowedSubroles } from './pifu-vocabulary.js';
