export { renderFeed } from './render-feed.js';
export type { FeedEntry, FeedInput } from './feed-input.js';
export { readFeed, type FeedSource } from './read-feed.js';
export { toFeedPerson, type FeedDocument, type FeedPerson, type FeedProperties } from './feed-document.js';
export { validateFeedFile, validateFeedText, type FeedValidation } from './validate-feed.js';
